package dev.provtrace.engine;

/** Rounding fp32 to bf16 as torch and CUDA's __float2bfloat16 do: to nearest, ties to even; NaN stays NaN. */
public final class Bf16 {
    private Bf16() {}

    /** The bf16 bits of {@code f}. */
    public static short bits(float f) {
        int b = Float.floatToRawIntBits(f);
        if ((b & 0x7fffffff) > 0x7f800000) return (short) ((b >>> 16) | 0x40);   // quiet NaN
        int lsb = (b >>> 16) & 1;
        return (short) ((b + 0x7fff + lsb) >>> 16);
    }

    /** The fp32 value of bf16 bits (exact). */
    public static float widen(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** f rounded to the nearest bf16, as fp32. */
    public static float round(float f) {
        return Float.intBitsToFloat((bits(f) & 0xffff) << 16);
    }
}
