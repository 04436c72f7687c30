package dev.provtrace.trace;

import dev.provtrace.Fixtures;
import dev.provtrace.engine.Precision;
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

    /** bf16 and fp32 scores never share a cache (so a run never reads the other's); fp32 keeps the old caches. */
    @Test
    void thePrecisionIsPartOfTheFingerprintExceptForFp32() throws Exception {
        Path model = Fixtures.hfModel("llama");
        assertEquals(ModelFingerprint.of(model, "chat", "cpu"), ModelFingerprint.of(model, "chat", "cpu", Precision.FP32));
        String cpuBf16 = ModelFingerprint.of(model, "chat", "cpu", Precision.BF16);
        assertNotEquals(ModelFingerprint.of(model, "chat", "cpu"), cpuBf16);
        String emuBf16 = ModelFingerprint.of(model, "chat", "cuda-emu", Precision.BF16);
        assertNotEquals(ModelFingerprint.of(model, "chat", "cuda-emu"), emuBf16);
        assertNotEquals(cpuBf16, emuBf16);
        assertNotEquals(ScoreCache.fileFor(Path.of("cache"), "teacher", cpuBf16),
                ScoreCache.fileFor(Path.of("cache"), "teacher", ModelFingerprint.of(model, "chat", "cpu")));
    }
}
