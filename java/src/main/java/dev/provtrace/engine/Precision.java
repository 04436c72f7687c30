package dev.provtrace.engine;

import java.util.Locale;

/**
 * What the GEMMs compute in. The residual stream, norms' statistics, softmax and log-softmax are fp32 in both.
 * <ul>
 *   <li>FP32: every GEMM input and weight is fp32 (bf16 weights widened to fp32 as they are used).</li>
 *   <li>BF16: GEMM inputs (normed activations, attention output, SwiGLU output) are rounded to bf16, weights stay
 *       in their file dtype, GEMMs accumulate in fp32. This is what a GPU runs fast; it moves log-probs by about
 *       0.01 on average against fp32.</li>
 *   <li>FP16 (the CPU only, on AVX512-FP16): weights and GEMM inputs rounded to fp16 after each row is scaled by a
 *       power of two, products and the first 128 k-pairs of every sum in fp16, the rest of the sum in fp32
 *       (native/cpu). Not bf16: on CPUs without AMX, fp16 multiply-adds run at twice fp32's rate and bf16's
 *       at half of it, so this is the reduced precision that is faster than fp32 there.</li>
 * </ul>
 */
public enum Precision {
    FP32, BF16, FP16;

    /** The name on the command line and in caches and manifests: "fp32", "bf16" or "fp16". */
    public String cliName() { return name().toLowerCase(Locale.ROOT); }

    /**
     * What the device line says on a backend without bf16 GEMMs (the CPU, the emulated device): "fp32", or for
     * bf16 that it is emulated by rounding the GEMM inputs, so nobody expects a bf16 speed-up there.
     */
    public String describeEmulated() {
        return switch (this) {
            case FP32 -> "fp32";
            case BF16 -> "bf16 (GEMM inputs rounded to bf16, fp32 GEMMs)";
            case FP16 -> FP16_GEMMS;
        };
    }

    /** What the device line says of {@link #FP16}, the one backend that runs it being the CPU. */
    private static final String FP16_GEMMS = "fp16 (AVX512-FP16 GEMMs: weights and GEMM inputs in fp16, sums in fp16 for 128"
            + " k-pairs, then fp32)";

    /**
     * What the device line says on a backend with bf16 buffers (the CUDA backend, real or emulated, and the
     * reference): "fp32", or for bf16 where the bf16 values live and how the GEMMs take them.
     */
    public String describeNative(String gemms) {
        return switch (this) {
            case FP32 -> "fp32";
            case BF16 -> "bf16 (GEMM inputs in bf16 buffers; " + gemms + ")";
            case FP16 -> FP16_GEMMS;
        };
    }

    /** Parses {@code --precision fp32|bf16|fp16} (case-insensitive); anything else is refused, naming the choices. */
    public static Precision parse(String text) {
        if (text != null) {
            for (Precision p : values()) if (p.cliName().equalsIgnoreCase(text.trim())) return p;
        }
        throw new IllegalArgumentException("--precision must be fp32, bf16 or fp16, got '" + text + "'");
    }

    /**
     * The default for a device: bf16 on a real CUDA device (what it is fast at), fp32 on the CPU and on the emulated
     * device (they exist for exact numbers and for tests of the fp32 path).
     */
    public static Precision defaultFor(String device) {
        if (device == null) return FP32;
        String d = device.toLowerCase(Locale.ROOT);
        return d.equals("cuda") || d.startsWith("cuda:") ? BF16 : FP32;
    }
}
