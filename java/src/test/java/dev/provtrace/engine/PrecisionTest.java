package dev.provtrace.engine;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --precision parsing, the per-device defaults, and bf16 rounding against hand-worked bit patterns. */
class PrecisionTest {
    @Test
    void parsesBothNamesInAnyCase() {
        assertEquals(Precision.FP32, Precision.parse("fp32"));
        assertEquals(Precision.BF16, Precision.parse("BF16"));
        assertEquals(Precision.BF16, Precision.parse(" bf16 "));
        assertEquals("bf16", Precision.BF16.cliName());
        assertEquals(Precision.FP16, Precision.parse("Fp16"));
        assertEquals("fp16", Precision.FP16.cliName());
    }

    @Test
    void refusesOtherNamesNamingTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Precision.parse("int8"));
        assertEquals("--precision must be fp32, bf16 or fp16, got 'int8'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Precision.parse(null));
    }

    @Test
    void fp16IsRefusedOffTheCpuNamingWhere() {
        for (String device : List.of("cuda-emu", "reference")) {
            if (!TestDevices.inThisBuild().contains(device)) continue;
            EngineOptions o = new EngineOptions(1, 8, false).withDevice(device).withPrecision(Precision.FP16);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.open(o));
            assertEquals("--precision fp16 runs on --device cpu only (AVX512-FP16 GEMMs); --device " + device + " has fp32 and bf16",
                    e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Backends.deviceLine(o));
        }
    }

    @Test
    void bf16OnARealCudaDeviceFp32Elsewhere() {
        assertEquals(Precision.BF16, Precision.defaultFor("cuda"));
        assertEquals(Precision.BF16, Precision.defaultFor("cuda:1"));
        assertEquals(Precision.FP32, Precision.defaultFor("cpu"));
        assertEquals(Precision.FP32, Precision.defaultFor("cuda-emu"));
        assertEquals(Precision.FP32, new EngineOptions(1, 8, false).precision());
        assertEquals(Precision.BF16, new EngineOptions(1, 8, false).withDevice("cuda").precision());
        assertEquals(Precision.BF16, new EngineOptions(1, 8, false).withPrecision(Precision.BF16).precision());
    }

    @Test
    void roundsToNearestEvenBf16() {
        // 1 + 2^-8 is half way between bf16 1.0 and 1 + 2^-7: ties to the even mantissa, 1.0
        assertEquals(1.0f, Bf16.round(1f + 0x1p-8f));
        // just above half way rounds up
        assertEquals(1f + 0x1p-7f, Bf16.round(1f + 0x1p-8f + 0x1p-20f));
        // 1 + 3·2^-8 is half way between 1 + 2^-7 (odd) and 1 + 2^-6 (even): up to the even one
        assertEquals(1f + 0x1p-6f, Bf16.round(1f + 3 * 0x1p-8f));
        assertEquals(-2.5f, Bf16.round(-2.5f));
        assertEquals((short) 0x3f80, Bf16.bits(1f));
        assertTrue(Float.isNaN(Bf16.round(Float.NaN)));
        assertEquals(Float.POSITIVE_INFINITY, Bf16.round(Float.POSITIVE_INFINITY));
    }
}
