package dev.provtrace.engine.cuda;

import dev.provtrace.io.DType;

/**
 * The GEMMs of the CUDA backend, on device addresses: cuBLAS on a real device, OpenBLAS on the emulated one
 * (whose device memory is host memory; {@link HostGemm}). Kept small so that either binding fits behind it.
 */
public interface Gemm extends AutoCloseable {
    /**
     * out[rows, n] = x[rows, k] · w[n, k]ᵀ + beta · out[rows, n]: all row-major and contiguous (out's row stride is
     * n); x and out fp32; w in {@code wType} (F32 or BF16: weights as stored by Hugging Face), accumulated in fp32.
     */
    void matmul(long x, long w, DType wType, long out, int rows, int n, int k, float beta);

    /** What the first line on stderr says about it. */
    String describe();

    @Override
    void close();
}
