package dev.provtrace.model;

import dev.provtrace.io.Checkpoint;
import dev.provtrace.io.TensorView;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The tensors the forward pass reads, by Hugging Face name, with the shape the config implies. Checking a
 * checkpoint against this before any compute turns a wrong or partial download into one clear error instead of
 * an index exception (or, worse, plausible-looking numbers) deep inside a matmul.
 */
public final class WeightSpec {
    private static final String LM_HEAD = "lm_head.weight";
    private static final int MAX_LISTED = 5;
    private static final int MAX_LISTED_LEFTOVERS = 20;

    private WeightSpec() {}

    /** Name → expected shape, in forward-pass order. Linear weights are [out, in], as PyTorch stores them. */
    public static Map<String, long[]> expectedShapes(ModelConfig cfg) {
        long hidden = cfg.hiddenSize(), q = cfg.qDim(), kv = cfg.kvDim(), inter = cfg.intermediateSize();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("model.embed_tokens.weight", new long[]{cfg.vocabSize(), hidden});
        for (int i = 0; i < cfg.numLayers(); i++) {
            String layer = "model.layers." + i + ".";
            shapes.put(layer + "input_layernorm.weight", new long[]{hidden});
            linear(shapes, layer + "self_attn.q_proj", q, hidden, cfg.qkvBias());
            linear(shapes, layer + "self_attn.k_proj", kv, hidden, cfg.qkvBias());
            linear(shapes, layer + "self_attn.v_proj", kv, hidden, cfg.qkvBias());
            linear(shapes, layer + "self_attn.o_proj", hidden, q, cfg.oBias());
            if (cfg.qkNorm()) {
                shapes.put(layer + "self_attn.q_norm.weight", new long[]{cfg.headDim()});
                shapes.put(layer + "self_attn.k_norm.weight", new long[]{cfg.headDim()});
            }
            shapes.put(layer + "post_attention_layernorm.weight", new long[]{hidden});
            linear(shapes, layer + "mlp.gate_proj", inter, hidden, cfg.mlpBias());
            linear(shapes, layer + "mlp.up_proj", inter, hidden, cfg.mlpBias());
            linear(shapes, layer + "mlp.down_proj", hidden, inter, cfg.mlpBias());
        }
        shapes.put("model.norm.weight", new long[]{hidden});
        if (!cfg.tieWordEmbeddings()) shapes.put(LM_HEAD, new long[]{cfg.vocabSize(), hidden});
        return Collections.unmodifiableMap(shapes);
    }

    private static void linear(Map<String, long[]> shapes, String prefix, long out, long in, boolean bias) {
        shapes.put(prefix + ".weight", new long[]{out, in});
        if (bias) shapes.put(prefix + ".bias", new long[]{out});
    }

    /**
     * Checks that {@code checkpoint} holds every tensor of {@link #expectedShapes} with that shape and a float
     * dtype the engine computes with; throws {@link WeightsException} otherwise. Tensors the forward pass does not
     * read are reported through {@code warnings} rather than ignored, because they often mean the config and the
     * weights belong to different models.
     */
    public static void validate(Checkpoint checkpoint, ModelConfig cfg, Consumer<String> warnings) {
        Map<String, long[]> expected = expectedShapes(cfg);
        List<String> missing = expected.keySet().stream().filter(n -> !checkpoint.has(n)).toList();
        if (!missing.isEmpty()) {
            throw new WeightsException(checkpoint.folder() + ": " + missing.size() + " tensor(s) that the "
                    + cfg.modelType() + " config needs are missing, first \"" + missing.get(0) + "\": "
                    + listed(missing, MAX_LISTED));
        }
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            TensorView t = checkpoint.tensor(e.getKey());
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new WeightsException(e.getKey() + ": expected shape " + Arrays.toString(e.getValue())
                        + " from the config, found " + Arrays.toString(t.shape()) + " in " + t.file());
            }
            if (!t.dtype().isComputeFloat()) {
                throw new WeightsException(e.getKey() + ": dtype " + t.dtype() + " in " + t.file()
                        + " is not supported (only F32, BF16 and F16)");
            }
        }
        warnAboutLeftovers(checkpoint, cfg, expected, warnings);
    }

    private static void warnAboutLeftovers(Checkpoint checkpoint, ModelConfig cfg, Map<String, long[]> expected,
                                           Consumer<String> warnings) {
        List<String> leftovers = new ArrayList<>();
        for (String name : new TreeSet<>(checkpoint.names())) {
            if (expected.containsKey(name)) continue;
            // Old checkpoints saved RoPE's inverse frequencies as a buffer; they are recomputed from the config.
            if (name.endsWith(".rotary_emb.inv_freq")) continue;
            if (name.equals(LM_HEAD) && cfg.tieWordEmbeddings()) {
                warnings.accept(checkpoint.folder() + ": " + LM_HEAD + " is present but tie_word_embeddings is true;"
                        + " it is ignored and the LM head reuses model.embed_tokens.weight, as Hugging Face does");
                continue;
            }
            leftovers.add(name);
        }
        if (!leftovers.isEmpty()) {
            warnings.accept(checkpoint.folder() + ": " + leftovers.size() + " tensor(s) not used by the "
                    + cfg.modelType() + " forward pass (config and weights from different models?): "
                    + listed(leftovers, MAX_LISTED_LEFTOVERS));
        }
    }

    private static String listed(List<String> names, int max) {
        String shown = String.join(", ", names.subList(0, Math.min(max, names.size())));
        return names.size() > max ? shown + " and " + (names.size() - max) + " more" : shown;
    }
}
