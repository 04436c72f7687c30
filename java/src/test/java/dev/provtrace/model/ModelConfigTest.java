package dev.provtrace.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode base(String type) {
        return JSON.createObjectNode().put("model_type", type).put("vocab_size", 512).put("hidden_size", 64)
                .put("intermediate_size", 128).put("num_hidden_layers", 2).put("num_attention_heads", 4)
                .put("num_key_value_heads", 2).put("max_position_embeddings", 512);
    }

    @Test
    void fixturesReadAsTheirReadmeDescribes() throws Exception {
        ModelConfig llama = ModelConfig.load(Fixtures.hfModel("llama").resolve("config.json"));
        assertEquals(RopeScaling.Type.LLAMA3, llama.ropeScaling().type());
        assertEquals(8.0, llama.ropeScaling().factor());
        assertEquals(64, llama.ropeScaling().originalMaxPositions());
        assertFalse(llama.qkvBias());
        ModelConfig qwen2 = ModelConfig.load(Fixtures.hfModel("qwen2").resolve("config.json"));
        assertTrue(qwen2.qkvBias() && !qwen2.oBias() && qwen2.tieWordEmbeddings());
        assertEquals(16, qwen2.headDim());
        assertEquals(1e6, qwen2.ropeTheta());
        ModelConfig qwen3 = ModelConfig.load(Fixtures.hfModel("qwen3").resolve("config.json"));
        assertEquals(32, qwen3.headDim(), "explicit head_dim, not hidden/heads");
        assertEquals(128, qwen3.qDim());
        assertTrue(qwen3.qkNorm());
        ModelConfig mistral = ModelConfig.load(Fixtures.hfModel("mistral").resolve("config.json"));
        assertEquals(16, mistral.headDim(), "head_dim null means hidden/heads");
        assertEquals(0, mistral.slidingWindow(), "sliding_window null");
        ModelConfig sliding = ModelConfig.load(Fixtures.hfModel("mistral-sliding").resolve("config.json"));
        assertEquals(8, sliding.slidingWindow());
        assertTrue(sliding.usesSlidingWindow(0) && sliding.usesSlidingWindow(1));
        ModelConfig yarn = ModelConfig.load(Fixtures.hfModel("qwen2-yarn").resolve("config.json"));
        assertEquals(RopeScaling.Type.YARN, yarn.ropeScaling().type());
        assertEquals(4.0, yarn.ropeScaling().factor());
    }

    @Test
    void unsupportedModelTypeIsNamed() {
        ConfigException e = assertThrows(ConfigException.class, () -> ModelConfig.parse(base("gemma2"), "cfg.json"));
        assertTrue(e.getMessage().contains("cfg.json") && e.getMessage().contains("\"gemma2\"")
                && e.getMessage().contains("not supported"), e.getMessage());
    }

    @Test
    void unsupportedRopeScalingIsAnErrorNeverIgnored() {
        ObjectNode c = base("llama");
        c.putObject("rope_scaling").put("rope_type", "dynamic").put("factor", 2.0);
        ConfigException e = assertThrows(ConfigException.class, () -> ModelConfig.parse(c, "cfg.json"));
        assertTrue(e.getMessage().contains("dynamic") && e.getMessage().contains("not supported"), e.getMessage());
        ObjectNode legacy = base("llama");
        legacy.putObject("rope_scaling").put("type", "longrope").put("factor", 2.0);
        assertThrows(ConfigException.class, () -> ModelConfig.parse(legacy, "cfg.json"));
    }

    @Test
    void ropeScalingTypesAndTheTransformers5Layout() {
        ObjectNode linear = base("llama");
        linear.putObject("rope_scaling").put("type", "linear").put("factor", 4.0);
        assertEquals(RopeScaling.Type.LINEAR, ModelConfig.parse(linear, "t").ropeScaling().type());
        ObjectNode v5 = base("qwen2");
        v5.putObject("rope_parameters").put("rope_type", "default").put("rope_theta", 5e5);
        ModelConfig c = ModelConfig.parse(v5, "t");
        assertEquals(5e5, c.ropeTheta());
        assertEquals(RopeScaling.Type.NONE, c.ropeScaling().type());
        ObjectNode llama3 = base("llama");
        llama3.putObject("rope_scaling").put("rope_type", "llama3").put("factor", 8.0);
        ConfigException e = assertThrows(ConfigException.class, () -> ModelConfig.parse(llama3, "t"));
        assertTrue(e.getMessage().contains("low_freq_factor"), e.getMessage());
    }

    @Test
    void architectureSwitchesPerFamily() {
        ObjectNode llama = base("llama").put("attention_bias", true).put("mlp_bias", true);
        ModelConfig l = ModelConfig.parse(llama, "t");
        assertTrue(l.qkvBias() && l.oBias() && l.mlpBias() && !l.qkNorm());
        ModelConfig q3 = ModelConfig.parse(base("qwen3"), "t");
        assertEquals(128, q3.headDim(), "Qwen3Config's default head_dim is 128 when the key is absent");
        ObjectNode q2 = base("qwen2").put("sliding_window", 4).put("use_sliding_window", true).put("max_window_layers", 1);
        ModelConfig w = ModelConfig.parse(q2, "t");
        assertArrayEquals(new boolean[] {false, true}, w.slidingLayers(), "layers from max_window_layers on slide");
        ObjectNode off = base("qwen2").put("sliding_window", 4).put("use_sliding_window", false);
        assertEquals(0, ModelConfig.parse(off, "t").slidingWindow());
    }

    @Test
    void badValuesNameTheKey(@TempDir Path dir) throws Exception {
        ObjectNode c = base("llama").put("num_attention_heads", 3);
        ConfigException e = assertThrows(ConfigException.class, () -> ModelConfig.parse(c, "cfg.json"));
        assertTrue(e.getMessage().contains("num_key_value_heads"), e.getMessage());
        ObjectNode missing = base("llama");
        missing.remove("hidden_size");
        e = assertThrows(ConfigException.class, () -> ModelConfig.parse(missing, "cfg.json"));
        assertTrue(e.getMessage().contains("hidden_size") && e.getMessage().contains("missing"), e.getMessage());
        ObjectNode act = base("llama").put("hidden_act", "gelu");
        e = assertThrows(ConfigException.class, () -> ModelConfig.parse(act, "cfg.json"));
        assertTrue(e.getMessage().contains("gelu"), e.getMessage());
        Path broken = dir.resolve("config.json");
        Files.writeString(broken, "{\"model_type\": \"llama\",");
        e = assertThrows(ConfigException.class, () -> ModelConfig.load(broken));
        assertTrue(e.getMessage().contains(broken.toString()) && e.getMessage().contains("not valid JSON"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> ModelConfig.load(dir.resolve("nope/config.json")));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }
}
