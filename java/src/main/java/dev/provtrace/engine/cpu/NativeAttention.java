package dev.provtrace.engine.cpu;

/**
 * Fused causal attention in fp32 on AVX-512 (native/cpu/attention_f32.c): scores, the causal (sliding-window)
 * softmax and P·V in one pass over 64-key blocks per 6-row register tile, with no score matrix in memory. The CPU
 * backend uses it wherever it runs and the head dimension is at most {@value #MAX_HEAD_DIM}, in every precision;
 * {@code -Dprovtrace.cpu.attention=gemm} keeps the unfused path (two sgemm calls and {@link NativeSoftmax}), for
 * comparison.
 */
final class NativeAttention {
    /** Keys per packed block (ATTN_KEY_BLOCK). */
    static final int KEY_BLOCK = 64;
    /** Largest head dimension the kernel takes (ATTN_MAX_HEAD_DIM). */
    static final int MAX_HEAD_DIM = 256;
    /** Most query rows of one call (ATTN_TASK_ROWS). */
    static final int TASK_ROWS = 48;

    private static Boolean usable;

    private NativeAttention() {}

    /** Whether this build and CPU run it (AVX-512F/DQ, as the softmax) and it was not turned off (checked once). */
    static synchronized boolean usable() {
        if (usable == null) {
            usable = !"gemm".equals(System.getProperty("provtrace.cpu.attention")) && CpuNative.whyNotLoaded() == null
                    && NativeSoftmax.cpuSupported();
        }
        return usable;
    }

    /** Blocks of {@link #KEY_BLOCK} keys that {@code keys} keys fill. */
    static int blocks(int keys) {
        return (keys + KEY_BLOCK - 1) / KEY_BLOCK;
    }

    /**
     * Packs key blocks [block0, block1) of one kv head (key j: {@code headDim} floats at k + 4·j·ldk bytes) into kt,
     * block b at float b·headDim·64, its column c as 64 contiguous floats, zero past the last key.
     */
    static void packKeys(long k, long ldk, int keys, int headDim, long kt, int block0, int block1) {
        packKeys0(k, ldk, keys, headDim, kt, block0, block1);
    }

    /**
     * out = softmax(scale · q·Kᵀ, causal, windowed) · V for rows [row0, row1) (at most {@link #TASK_ROWS}) of one
     * sequence and kv head: row i is head i % group of the group at position past + i / group, its q at
     * q + 4·((i / group)·ldq + (i % group)·headDim) bytes and its output likewise in out; keys packed by
     * {@link #packKeys}, values at v + 4·j·ldv.
     */
    static void rows(long q, long ldq, long kt, long v, long ldv, long out, long ldo, int headDim, int group, int past,
                     float scale, int window, int row0, int row1) {
        rows0(q, ldq, kt, v, ldv, out, ldo, headDim, group, past, scale, window, row0, row1);
    }

    private static native void packKeys0(long k, long ldk, int keys, int headDim, long kt, int block0, int block1);

    private static native void rows0(long q, long ldq, long kt, long v, long ldv, long out, long ldo, int headDim, int group,
                                     int past, float scale, int window, int row0, int row1);
}
