package dev.provtrace.engine.cuda;

import dev.provtrace.io.DType;

/**
 * The GEMMs of the CUDA backend, on device addresses: cuBLAS on a real device, OpenBLAS on the emulated one
 * (whose device memory is host memory; {@link HostGemm}). Kept small so that either binding fits behind it.
 */
public interface Gemm extends AutoCloseable {
    /**
     * out[rows, n] = x[rows, k] · w[n, k]ᵀ + beta · out[rows, n]: all row-major and contiguous (out's row stride is
     * n); x and w both in {@code type}, out fp32, accumulated in fp32 — F32 × F32 without TF32, or BF16 × BF16 (each
     * product exact in fp32). These are the two combinations cuBLAS has; the backend widens to make the others.
     */
    void matmul(long x, long w, DType type, long out, int rows, int n, int k, float beta);

    /** What the first line on stderr says about it. */
    String describe();

    @Override
    void close();
}
