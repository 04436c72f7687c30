package dev.provtrace.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.io.Checkpoint;
import dev.provtrace.io.JsonFiles;
import dev.provtrace.io.NonFiniteScan;
import dev.provtrace.io.SafetensorsCheckpoint;
import dev.provtrace.io.TensorView;
import dev.provtrace.tokenizer.HfTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code provtrace inspect} reports about a model folder: architecture switches, weights (files, dtypes,
 * parameter count, validation against the config), tokenizer and chat template. Problems are reported as part
 * of the description rather than thrown, so one look shows everything that is wrong.
 */
public final class ModelInfo {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelInfo() {}

    public static ObjectNode describe(Path dir) throws IOException {
        return describe(dir, true, Runtime.getRuntime().availableProcessors());
    }

    /**
     * @param scanWeights also scan the tensors the forward pass reads for NaN/Inf ({@code weights.non_finite};
     *                    any makes {@code weights.valid} false)
     */
    public static ObjectNode describe(Path dir, boolean scanWeights, int threads) throws IOException {
        ObjectNode out = JSON.createObjectNode();
        out.put("folder", dir.toString());
        ModelConfig c = ModelConfig.load(dir.resolve("config.json"));
        JsonNode raw = JsonFiles.read(dir.resolve("config.json"));
        ObjectNode arch = out.putObject("architecture");
        arch.put("model_type", c.modelType());
        if (raw.has("architectures")) arch.set("architectures", raw.get("architectures"));
        arch.put("layers", c.numLayers());
        arch.put("hidden_size", c.hiddenSize());
        arch.put("intermediate_size", c.intermediateSize());
        arch.put("attention_heads", c.numHeads());
        arch.put("kv_heads", c.numKvHeads());
        arch.put("head_dim", c.headDim());
        arch.put("vocab_size", c.vocabSize());
        arch.put("max_position_embeddings", c.maxPositionEmbeddings());
        arch.put("rms_norm_eps", c.rmsNormEps());
        arch.put("rope_theta", c.ropeTheta());
        arch.put("rope_scaling", describeRope(c.ropeScaling()));
        arch.put("tie_word_embeddings", c.tieWordEmbeddings());
        arch.put("qkv_bias", c.qkvBias());
        arch.put("o_bias", c.oBias());
        arch.put("mlp_bias", c.mlpBias());
        arch.put("qk_norm", c.qkNorm());
        arch.put("sliding_window", c.slidingWindow());
        arch.put("config_dtype", c.torchDtype());
        arch.put("parameters", c.parameterCount());

        ObjectNode w = out.putObject("weights");
        List<String> warnings = new ArrayList<>();
        try (SafetensorsCheckpoint ckpt = SafetensorsCheckpoint.open(dir, warnings::add)) {
            w.put("files", ckpt.files().size());
            w.put("tensors", ckpt.names().size());
            w.put("bytes", ckpt.totalBytes());
            Map<String, Integer> dtypes = new TreeMap<>();
            for (String n : ckpt.names()) dtypes.merge(ckpt.tensor(n).dtype().name(), 1, Integer::sum);
            ObjectNode d = w.putObject("dtypes");
            dtypes.forEach(d::put);
            w.put("parameters_in_files", countParameters(ckpt));
            try {
                WeightSpec.validate(ckpt, c, warnings::add);
                w.put("valid", true);
            } catch (RuntimeException e) {
                w.put("valid", false);
                w.put("error", e.getMessage());
            }
            putScan(w, ckpt, c, scanWeights, threads);
        } catch (RuntimeException e) {
            w.put("valid", false);
            w.put("error", e.getMessage());
        }
        w.set("warnings", JSON.valueToTree(warnings));

        ObjectNode t = out.putObject("tokenizer");
        if (Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            try (HfTokenizer tok = HfTokenizer.load(dir)) {
                t.put("file", "tokenizer.json");
                t.put("vocab_size", tok.vocabSize());
                if (tok.vocabSize() > c.vocabSize()) {
                    t.put("warning", "the tokenizer has more tokens than the model's vocab_size " + c.vocabSize());
                }
            } catch (IOException | RuntimeException e) {
                t.put("error", e.getMessage());
            }
        } else {
            t.put("file", (String) null);
            t.put("note", "no tokenizer.json: only pre-tokenized input_ids can be scored");
        }
        out.set("chat_template", chatTemplate(dir));
        return out;
    }

    /** The NaN/Inf scan's result: weight_scan (finite, non-finite or skipped) and each bad tensor's first value. */
    private static void putScan(ObjectNode w, Checkpoint ckpt, ModelConfig c, boolean scan, int threads) {
        if (!scan) {
            w.put("weight_scan", "skipped");
            return;
        }
        List<String> used = WeightSpec.expectedShapes(c).keySet().stream()
                .filter(n -> ckpt.has(n) && ckpt.tensor(n).dtype().isComputeFloat()).toList();
        List<NonFiniteScan.Finding> found = NonFiniteScan.scan(ckpt, used, threads);
        w.put("weight_scan", found.isEmpty() ? "finite" : "non-finite");
        ArrayNode bad = w.putArray("non_finite");
        for (NonFiniteScan.Finding f : found) {
            bad.addObject().put("tensor", f.tensor()).put("file", f.file().getFileName().toString())
                    .put("index", f.index()).put("value", f.value()).put("message", f.message());
        }
        if (!found.isEmpty()) {
            w.put("valid", false);
            if (!w.has("error")) w.put("error", FiniteWeights.describe(found));
        }
    }

    private static long countParameters(Checkpoint ckpt) {
        long n = 0;
        for (String name : ckpt.names()) {
            TensorView t = ckpt.tensor(name);
            n += t.numel();
        }
        return n;
    }

    private static String describeRope(RopeScaling s) {
        return switch (s.type()) {
            case NONE -> "none";
            case LINEAR -> "linear (factor " + s.factor() + ")";
            case LLAMA3 -> "llama3 (factor " + s.factor() + ", low_freq_factor " + s.lowFreqFactor() + ", high_freq_factor "
                    + s.highFreqFactor() + ", original_max_position_embeddings " + s.originalMaxPositions() + ")";
            case YARN -> "yarn (factor " + s.factor() + ", original_max_position_embeddings " + s.originalMaxPositions() + ")";
        };
    }

    private static ObjectNode chatTemplate(Path dir) throws IOException {
        ObjectNode ct = JSON.createObjectNode();
        Path jinja = dir.resolve("chat_template.jinja"), cfg = dir.resolve("tokenizer_config.json");
        if (Files.isRegularFile(jinja)) {
            ct.put("present", true);
            ct.put("source", "chat_template.jinja");
            ct.put("chars", Files.readString(jinja).length());
        } else if (Files.isRegularFile(cfg) && JsonFiles.read(cfg) instanceof ObjectNode c && c.hasNonNull("chat_template")) {
            JsonNode t = c.get("chat_template");
            ct.put("present", true);
            ct.put("source", "tokenizer_config.json");
            ct.put("chars", t.isTextual() ? t.asText().length() : t.toString().length());
        } else {
            ct.put("present", false);
        }
        return ct;
    }
}
