package dev.provtrace.io;

/**
 * Exact widening of 16-bit floats to fp32. Every half and bfloat16 value is representable in fp32, so no
 * rounding happens. Java 17 has no {@code Float.float16ToFloat} (added in Java 20), hence our own.
 */
public final class FloatConversions {
    private FloatConversions() {}

    /** bfloat16 is the top half of an fp32, so widening is a shift. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** IEEE 754 binary16 to binary32, including signed zeros, subnormals, infinities and NaN payloads. */
    public static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            // Keep the NaN payload (shifted into fp32's mantissa) like Float.float16ToFloat does.
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // Zero or subnormal: mantissa × 2^-24. Both factors are exact in fp32, so the product is exact.
            float magnitude = mantissa * 0x1p-24f;
            return sign != 0 ? -magnitude : magnitude;
        }
        // Normal: rebias the exponent from 15 to 127.
        return Float.intBitsToFloat(sign | ((exponent + (127 - 15)) << 23) | (mantissa << 13));
    }

    /** Widens n elements of a little-endian F32/BF16/F16 buffer (from its position 0) into dst[dstOff..]. */
    public static void widen(java.nio.ByteBuffer src, DType dtype, float[] dst, int dstOff, int n) {
        switch (dtype) {
            case F32 -> src.asFloatBuffer().get(dst, dstOff, n);
            case BF16 -> {
                for (int i = 0; i < n; i++) dst[dstOff + i] = bf16ToFloat(src.getShort(2 * i));
            }
            case F16 -> {
                for (int i = 0; i < n; i++) dst[dstOff + i] = halfToFloat(src.getShort(2 * i));
            }
            default -> throw new IllegalArgumentException("cannot widen " + dtype + " to fp32");
        }
    }
}
