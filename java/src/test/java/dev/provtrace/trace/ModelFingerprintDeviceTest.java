package dev.provtrace.trace;

import dev.provtrace.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Scores of different devices never share a cache; the cpu fingerprint is the one caches had before devices. */
class ModelFingerprintDeviceTest {
    @Test
    void theDeviceIsPartOfTheFingerprintExceptForCpu() throws Exception {
        Path model = Fixtures.hfModel("llama");
        String before = ModelFingerprint.of(model, "chat");
        assertEquals(before, ModelFingerprint.of(model, "chat", "cpu"));
        String emu = ModelFingerprint.of(model, "chat", "cuda-emu");
        assertNotEquals(before, emu);
        assertEquals(64, emu.length());
        assertNotEquals(emu, ModelFingerprint.of(model, "chat", "cuda"));
    }
}
