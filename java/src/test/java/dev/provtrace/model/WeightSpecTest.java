package dev.provtrace.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.io.Checkpoint;
import dev.provtrace.io.DType;
import dev.provtrace.io.SafetensorsCheckpoint;
import dev.provtrace.io.TestSafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightSpecTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;
    private final List<String> warnings = new ArrayList<>();

    static ModelConfig config(String json) {
        try {
            return ModelConfig.parse(JSON.readTree(json), "test");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static final String LLAMA = "{\"model_type\": \"llama\", \"vocab_size\": 16, \"hidden_size\": 8, \"intermediate_size\": 12,"
            + " \"num_hidden_layers\": 2, \"num_attention_heads\": 2, \"num_key_value_heads\": 1, \"max_position_embeddings\": 64}";

    private static long[] s(long... dims) { return dims; }

    private static void assertShape(Map<String, long[]> shapes, String name, long... expected) {
        assertTrue(shapes.containsKey(name), "missing " + name);
        assertArrayEquals(expected, shapes.get(name), name);
    }

    @Test
    void llama() {
        Map<String, long[]> shapes = WeightSpec.expectedShapes(config(LLAMA));
        assertEquals(21, shapes.size());                                   // as in HF's own llama checkpoints
        assertEquals("model.embed_tokens.weight", shapes.keySet().iterator().next());
        assertShape(shapes, "model.embed_tokens.weight", 16, 8);
        assertShape(shapes, "model.layers.1.input_layernorm.weight", 8);
        assertShape(shapes, "model.layers.0.self_attn.q_proj.weight", 8, 8);
        assertShape(shapes, "model.layers.0.self_attn.k_proj.weight", 4, 8);
        assertShape(shapes, "model.layers.0.self_attn.v_proj.weight", 4, 8);
        assertShape(shapes, "model.layers.0.self_attn.o_proj.weight", 8, 8);
        assertShape(shapes, "model.layers.1.post_attention_layernorm.weight", 8);
        assertShape(shapes, "model.layers.1.mlp.gate_proj.weight", 12, 8);
        assertShape(shapes, "model.layers.1.mlp.up_proj.weight", 12, 8);
        assertShape(shapes, "model.layers.1.mlp.down_proj.weight", 8, 12);
        assertShape(shapes, "model.norm.weight", 8);
        assertShape(shapes, "lm_head.weight", 16, 8);
        assertFalse(shapes.keySet().stream().anyMatch(n -> n.endsWith(".bias") || n.contains("_norm.")));
    }

    @Test
    void llamaWithAttentionAndMlpBias() {
        Map<String, long[]> shapes = WeightSpec.expectedShapes(config(LLAMA.replace("{", "{\"attention_bias\": true, \"mlp_bias\": true, ")));
        assertEquals(21 + 2 * 7, shapes.size());
        assertShape(shapes, "model.layers.0.self_attn.q_proj.bias", 8);
        assertShape(shapes, "model.layers.0.self_attn.k_proj.bias", 4);
        assertShape(shapes, "model.layers.0.self_attn.v_proj.bias", 4);
        assertShape(shapes, "model.layers.0.self_attn.o_proj.bias", 8);
        assertShape(shapes, "model.layers.1.mlp.gate_proj.bias", 12);
        assertShape(shapes, "model.layers.1.mlp.up_proj.bias", 12);
        assertShape(shapes, "model.layers.1.mlp.down_proj.bias", 8);
    }

    @Test
    void qwen2TiedWithQkvBiasOnly() {
        Map<String, long[]> shapes = WeightSpec.expectedShapes(config(LLAMA.replace("llama", "qwen2")
                .replace("{", "{\"tie_word_embeddings\": true, ")));
        assertEquals(26, shapes.size());
        assertShape(shapes, "model.layers.0.self_attn.q_proj.bias", 8);
        assertShape(shapes, "model.layers.1.self_attn.k_proj.bias", 4);
        assertShape(shapes, "model.layers.1.self_attn.v_proj.bias", 4);
        assertFalse(shapes.containsKey("model.layers.0.self_attn.o_proj.bias"));
        assertFalse(shapes.containsKey("lm_head.weight"));
    }

    @Test
    void qwen3ExplicitHeadDimAndQkNorm() {
        ModelConfig cfg = config("{\"model_type\": \"qwen3\", \"vocab_size\": 512, \"hidden_size\": 64, \"intermediate_size\": 128,"
                + " \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"num_key_value_heads\": 2, \"head_dim\": 32,"
                + " \"max_position_embeddings\": 512, \"tie_word_embeddings\": false}");
        Map<String, long[]> shapes = WeightSpec.expectedShapes(cfg);
        assertEquals(25, shapes.size());
        assertShape(shapes, "model.layers.0.self_attn.q_proj.weight", 128, 64);
        assertShape(shapes, "model.layers.0.self_attn.k_proj.weight", 64, 64);
        assertShape(shapes, "model.layers.0.self_attn.v_proj.weight", 64, 64);
        assertShape(shapes, "model.layers.0.self_attn.o_proj.weight", 64, 128);
        assertShape(shapes, "model.layers.1.self_attn.q_norm.weight", 32);
        assertShape(shapes, "model.layers.1.self_attn.k_norm.weight", 32);
        assertShape(shapes, "lm_head.weight", 512, 64);
        assertFalse(shapes.keySet().stream().anyMatch(n -> n.endsWith(".bias")));
    }

    @Test
    void mistralNullHeadDimIsDerived() {
        Map<String, long[]> shapes = WeightSpec.expectedShapes(config("{\"model_type\": \"mistral\", \"vocab_size\": 32,"
                + " \"hidden_size\": 64, \"intermediate_size\": 128, \"num_hidden_layers\": 2, \"num_attention_heads\": 4,"
                + " \"num_key_value_heads\": 2, \"head_dim\": null, \"sliding_window\": null, \"max_position_embeddings\": 512}"));
        assertEquals(21, shapes.size());
        assertShape(shapes, "model.layers.0.self_attn.q_proj.weight", 64, 64);
        assertShape(shapes, "model.layers.0.self_attn.k_proj.weight", 32, 64);
        assertShape(shapes, "lm_head.weight", 32, 64);
    }

    /** Writes every tensor the config needs (zeros), except those {@code skip} rejects, plus {@code extra}. */
    private Path checkpointFor(ModelConfig cfg, Predicate<String> skip, String... extra) {
        TestSafetensorsWriter w = new TestSafetensorsWriter();
        WeightSpec.expectedShapes(cfg).forEach((name, shape) -> {
            if (!skip.test(name)) w.zeros(name, name.contains("mlp") ? DType.BF16 : DType.F32, shape);
        });
        for (String name : extra) w.zeros(name, DType.F32, 2);
        w.write(dir.resolve("model.safetensors"));
        return dir;
    }

    private WeightsException assertInvalid(Path folder, ModelConfig cfg) {
        try (Checkpoint c = SafetensorsCheckpoint.open(folder, warnings::add)) {
            return assertThrows(WeightsException.class, () -> WeightSpec.validate(c, cfg, warnings::add));
        }
    }

    private void validate(Path folder, ModelConfig cfg) {
        try (Checkpoint c = SafetensorsCheckpoint.open(folder, warnings::add)) {
            assertDoesNotThrow(() -> WeightSpec.validate(c, cfg, warnings::add));
        }
    }

    @Test
    void completeCheckpointPassesSilently() {
        ModelConfig cfg = config(LLAMA);
        validate(checkpointFor(cfg, n -> false), cfg);
        assertEquals(List.of(), warnings);
    }

    @Test
    void missingTensorIsNamedWithTheFolder() {
        ModelConfig cfg = config(LLAMA);
        WeightsException e = assertInvalid(checkpointFor(cfg, n -> n.equals("model.layers.1.mlp.up_proj.weight")), cfg);
        assertTrue(e.getMessage().contains("\"model.layers.1.mlp.up_proj.weight\"") && e.getMessage().contains(dir.toString())
                && e.getMessage().startsWith(dir + ": 1 tensor(s)"), e.getMessage());
    }

    @Test
    void manyMissingTensorsListFiveAndCountTheRest() {
        ModelConfig cfg = config(LLAMA);
        WeightsException e = assertInvalid(checkpointFor(cfg, n -> n.startsWith("model.layers.1.")), cfg);
        assertTrue(e.getMessage().contains("9 tensor(s)") && e.getMessage().contains("and 4 more"), e.getMessage());
        assertTrue(e.getMessage().contains("model.layers.1.input_layernorm.weight, model.layers.1.self_attn.q_proj.weight"), e.getMessage());
    }

    @Test
    void wrongShapeShowsExpectedFoundAndFile() {
        ModelConfig cfg = config(LLAMA);
        // k_proj sized as if there were no GQA.
        TestSafetensorsWriter w = new TestSafetensorsWriter();
        WeightSpec.expectedShapes(cfg).forEach((name, shape) ->
                w.zeros(name, DType.F32, name.equals("model.layers.0.self_attn.k_proj.weight") ? s(8, 8) : shape));
        w.write(dir.resolve("model.safetensors"));
        WeightsException e = assertInvalid(dir, cfg);
        assertEquals("model.layers.0.self_attn.k_proj.weight: expected shape [4, 8] from the config, found [8, 8] in "
                + dir.resolve("model.safetensors"), e.getMessage());
    }

    @Test
    void integerDtypeIsRejected() {
        ModelConfig cfg = config(LLAMA);
        TestSafetensorsWriter w = new TestSafetensorsWriter();
        WeightSpec.expectedShapes(cfg).forEach((name, shape) -> w.zeros(name, name.equals("model.norm.weight") ? DType.I32 : DType.F16, shape));
        w.write(dir.resolve("model.safetensors"));
        WeightsException e = assertInvalid(dir, cfg);
        assertTrue(e.getMessage().contains("model.norm.weight") && e.getMessage().contains("I32")
                && e.getMessage().contains("model.safetensors"), e.getMessage());
    }

    @Test
    void tiedModelIgnoresLmHeadWithOneWarning() {
        ModelConfig cfg = config(LLAMA.replace("{", "{\"tie_word_embeddings\": true, "));
        validate(checkpointFor(cfg, n -> false, "lm_head.weight", "model.layers.0.self_attn.rotary_emb.inv_freq"), cfg);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("lm_head.weight") && warnings.get(0).contains("tie_word_embeddings"), warnings.get(0));
    }

    @Test
    void rotaryInvFreqIsIgnoredSilently() {
        ModelConfig cfg = config(LLAMA);
        validate(checkpointFor(cfg, n -> false, "model.layers.0.self_attn.rotary_emb.inv_freq",
                "model.layers.1.self_attn.rotary_emb.inv_freq"), cfg);
        assertEquals(List.of(), warnings);
    }

    @Test
    void otherLeftoversAreListedInOneWarning() {
        ModelConfig cfg = config(LLAMA);
        validate(checkpointFor(cfg, n -> false, "vision_tower.patch.weight", "model.layers.0.self_attn.q_proj.bias"), cfg);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("2 tensor(s) not used")
                && warnings.get(0).contains("model.layers.0.self_attn.q_proj.bias, vision_tower.patch.weight"), warnings.get(0));
    }
}
