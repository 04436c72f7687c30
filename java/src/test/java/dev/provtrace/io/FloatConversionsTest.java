package dev.provtrace.io;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FloatConversionsTest {
    private static float half(int bits) { return FloatConversions.halfToFloat((short) bits); }

    @Test
    void halfSpecialValues() {
        assertEquals(1.0f, half(0x3C00));
        assertEquals(-2.0f, half(0xC000));
        assertEquals(65504.0f, half(0x7BFF));                       // largest finite half
        assertEquals(0x1p-14f, half(0x0400));                       // smallest normal
        assertEquals(0x1p-24f, half(0x0001));                       // smallest subnormal
        assertEquals(1023 * 0x1p-24f, half(0x03FF));                // largest subnormal
        assertEquals(-3 * 0x1p-24f, half(0x8003));
        assertEquals(0.33325195f, half(0x3555));
        assertEquals(Float.POSITIVE_INFINITY, half(0x7C00));
        assertEquals(Float.NEGATIVE_INFINITY, half(0xFC00));
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(half(0x8000)));
        assertEquals(Float.floatToRawIntBits(0.0f), Float.floatToRawIntBits(half(0x0000)));
        assertTrue(Float.isNaN(half(0x7E00)));
        assertTrue(Float.isNaN(half(0xFC01)));
        // NaN payload and sign survive, like Float.float16ToFloat in Java 20+.
        assertEquals(0xFFC02000, Float.floatToRawIntBits(half(0xFE01)));
    }

    /** Every one of the 65536 halves against the textbook formula evaluated in double. */
    @Test
    void halfAllPatternsMatchFormula() {
        for (int bits = 0; bits < 0x10000; bits++) {
            int exponent = (bits >>> 10) & 0x1f, mantissa = bits & 0x3ff;
            double sign = (bits & 0x8000) != 0 ? -1 : 1;
            float got = half(bits);
            if (exponent == 0x1f) {
                assertEquals(mantissa == 0, Float.isInfinite(got), "bits " + Integer.toHexString(bits));
                assertEquals(mantissa != 0, Float.isNaN(got), "bits " + Integer.toHexString(bits));
                continue;
            }
            double expected = exponent == 0
                    ? sign * mantissa * Math.pow(2, -24)
                    : sign * (1 + mantissa / 1024.0) * Math.pow(2, exponent - 15);
            assertEquals(expected, got, 0.0, "bits " + Integer.toHexString(bits));
            assertEquals((bits & 0x8000) != 0, (Float.floatToRawIntBits(got) & 0x80000000) != 0);
        }
    }

    @Test
    void bf16IsTheTopHalfOfFloat() {
        assertEquals(1.0f, FloatConversions.bf16ToFloat((short) 0x3F80));
        assertEquals(1.5f, FloatConversions.bf16ToFloat((short) 0x3FC0));
        assertEquals(-2.0f, FloatConversions.bf16ToFloat((short) 0xC000));
        assertEquals(0x1p-133f, FloatConversions.bf16ToFloat((short) 0x0001));   // smallest bf16 subnormal
        assertEquals(Float.NEGATIVE_INFINITY, FloatConversions.bf16ToFloat((short) 0xFF80));
        assertTrue(Float.isNaN(FloatConversions.bf16ToFloat((short) 0x7FC0)));
    }
}
