package dev.provtrace.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.Fixtures;
import dev.provtrace.model.ModelConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Inverse frequencies and cos/sin tables against the values transformers recorded in the fixtures. */
class RopeTableTest {
    @Test
    void yarnFrequenciesAndAttentionFactorEqualTransformers() throws Exception {
        Path dir = Fixtures.hfModel("qwen2-yarn");
        JsonNode checks = new ObjectMapper().readTree(dir.resolve("expected.json").toFile()).get("checks");
        RopeTable table = new RopeTable(ModelConfig.load(dir.resolve("config.json")));
        float[] inv = table.invFreq();
        JsonNode want = checks.get("yarn_inv_freq_float32");
        assertEquals(want.size(), inv.length);
        for (int i = 0; i < inv.length; i++) assertEquals(want.get(i).asDouble(), inv[i], Math.ulp((float) want.get(i).asDouble()) * 2, "inv_freq[" + i + "]");
        assertEquals(checks.get("yarn_attention_scaling").asDouble(), table.attentionFactor(), 1e-6);
    }

    @Test
    void defaultRopeIsThetaPowersAndCosSinAtPositions() throws Exception {
        RopeTable table = new RopeTable(ModelConfig.load(Fixtures.hfModel("mistral").resolve("config.json")));
        float[] inv = table.invFreq();
        for (int i = 0; i < inv.length; i++) assertEquals(Math.pow(10000, -2.0 * i / 16), inv[i], 1e-6 * inv[i] + 1e-12);
        table.ensure(201);
        int half = table.half();
        assertEquals(1f, table.cos()[0], 0f);
        assertEquals(Math.cos(200 * inv[1]), table.cos()[200 * half + 1], 1e-6);
        assertEquals(Math.sin(200 * inv[1]), table.sin()[200 * half + 1], 1e-6);
    }

    @Test
    void llama3ScalingKeepsShortWavelengthsAndDividesLongOnes() throws Exception {
        RopeTable scaled = new RopeTable(ModelConfig.load(Fixtures.hfModel("llama").resolve("config.json")));
        float[] inv = scaled.invFreq();
        // head_dim 16, theta 1e4, factor 8, original 64, low 1, high 4: wavelength < 16 unscaled, > 64 divided by 8
        for (int i = 0; i < inv.length; i++) {
            double base = Math.pow(10000, -2.0 * i / 16), wavelen = 2 * Math.PI / base;
            if (wavelen < 16) assertEquals(base, inv[i], 1e-6 * base);
            if (wavelen > 64) assertEquals(base / 8, inv[i], 1e-6 * base);
        }
    }
}
