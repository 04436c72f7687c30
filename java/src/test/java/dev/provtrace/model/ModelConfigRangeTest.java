package dev.provtrace.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Config values a model cannot run with are refused at parse, with the file, the key and the value. */
class ModelConfigRangeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode base() {
        return JSON.createObjectNode().put("model_type", "llama").put("vocab_size", 512).put("hidden_size", 64)
                .put("intermediate_size", 128).put("num_hidden_layers", 2).put("num_attention_heads", 4)
                .put("num_key_value_heads", 2).put("max_position_embeddings", 512);
    }

    private static String error(Consumer<ObjectNode> edit) {
        ObjectNode c = base();
        edit.accept(c);
        return assertThrows(ConfigException.class, () -> ModelConfig.parse(c, "config.json")).getMessage();
    }

    @Test
    void rmsNormEpsMustBeFiniteAndPositive() {
        assertEquals("config.json: rms_norm_eps must be > 0, got -1.0", error(c -> c.put("rms_norm_eps", -1.0)));
        assertEquals("config.json: rms_norm_eps must be > 0, got 0.0", error(c -> c.put("rms_norm_eps", 0)));
        assertEquals("config.json: rms_norm_eps must be finite and > 0, got Infinity",
                error(c -> c.put("rms_norm_eps", Double.POSITIVE_INFINITY)));
        assertEquals("config.json: \"rms_norm_eps\" must be a number, got \"1e-6\"", error(c -> c.put("rms_norm_eps", "1e-6")));
        assertEquals(1e-5, ModelConfig.parse(base().put("rms_norm_eps", 1e-5), "t").rmsNormEps());
    }

    @Test
    void ropeThetaMustBeFiniteAndPositive() {
        assertEquals("config.json: rope_theta must be > 0, got -10000.0", error(c -> c.put("rope_theta", -10000.0)));
        assertEquals("config.json: rope_theta must be > 0, got 0.0", error(c -> c.put("rope_theta", 0.0)));
        assertEquals("config.json: rope_theta must be finite and > 0, got Infinity",
                error(c -> c.put("rope_theta", Double.POSITIVE_INFINITY)));
        assertEquals("config.json: rope_parameters: \"rope_theta\" must be a number, got \"big\"",
                error(c -> c.putObject("rope_parameters").put("rope_type", "default").put("rope_theta", "big")));
        assertEquals("config.json: rope_theta must be > 0, got -5.0",
                error(c -> c.putObject("rope_parameters").put("rope_type", "default").put("rope_theta", -5.0)));
    }

    @Test
    void sizesMustBePositiveIntegers() {
        for (String key : new String[] {"vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers",
                "num_attention_heads", "num_key_value_heads", "head_dim", "max_position_embeddings"}) {
            assertEquals("config.json: \"" + key + "\" must be a positive integer, got 0", error(c -> c.put(key, 0)), key);
            assertEquals("config.json: \"" + key + "\" must be a positive integer, got -3", error(c -> c.put(key, -3)), key);
            assertEquals("config.json: \"" + key + "\" must be a positive integer, got 2.5", error(c -> c.put(key, 2.5)), key);
        }
        assertEquals("config.json: \"sliding_window\" must be a positive integer, got 0",
                error(c -> c.put("model_type", "mistral").put("sliding_window", 0)));
    }

    @Test
    void headsMustDivide() {
        assertEquals("config.json: num_attention_heads 4 is not a multiple of num_key_value_heads 3",
                error(c -> c.put("num_key_value_heads", 3)));
        assertEquals("config.json: num_attention_heads 4 is not a multiple of num_key_value_heads 8",
                error(c -> c.put("num_key_value_heads", 8)));
        assertEquals("config.json: hidden_size 66 is not a multiple of num_attention_heads 4 and head_dim is not given",
                error(c -> c.put("hidden_size", 66)));
        assertEquals("config.json: head_dim 15 must be even for RoPE", error(c -> c.put("head_dim", 15)));
        assertEquals("config.json: num_attention_heads 65536 × head_dim 65536 is too large for this engine",
                error(c -> c.put("num_attention_heads", 65536).put("num_key_value_heads", 1).put("head_dim", 65536)));
    }
}
