package dev.provtrace.engine.cuda;

import dev.provtrace.io.DType;

/**
 * Row-major GEMMs on cuBLAS for the CUDA backend: out[rows, n] = x[rows, k] · w[n, k]ᵀ + beta · out[rows, n], with w
 * as Hugging Face stores a Linear's weight ([out_features, in_features]) and beta = 1 accumulating into the residual.
 * <p>
 * cuBLAS is column-major, and a row-major [r, c] matrix is the column-major [c, r] one with the same bytes. So the
 * row-major out = x · wᵀ is, column-major, outᵀ[n, rows] = w · xᵀ, where w's bytes read column-major are wᵀ [k, n]
 * (hence OP_T, lda = k) and x's bytes are xᵀ [k, rows] (OP_N, ldb = k); ldc = n. No copy, no transpose kernel.
 * <p>
 * Precision: bf16 × bf16 accumulates in fp32 (CUBLAS_COMPUTE_32F) into an fp32 or bf16 out; fp32 × fp32 uses
 * CUBLAS_COMPUTE_32F_PEDANTIC, so TF32 is never used (not even under NVIDIA_TF32_OVERRIDE) and the fp32 path keeps the
 * CPU's numbers to fp32 rounding.
 */
public final class CublasGemm implements Gemm {
    private final CublasLibrary cublas;
    private final long handle;
    private boolean closed;

    /** A handle on the current CUDA context; throws IllegalStateException when there is no usable GPU or driver. */
    public CublasGemm(CublasLibrary cublas) {
        this.cublas = cublas;
        this.handle = cublas.createHandle();
    }

    /** The stream every GEMM is enqueued on (a CUstream; 0 = the legacy default stream). */
    public void setStream(long stream) { cublas.setStream(handle, stream); }

    /**
     * out[rows, n] = x[rows, k] · w[n, k]ᵀ + beta · out: row-major, contiguous, device addresses; x and w both
     * {@code in} (F32 or BF16), out {@code outType} (F32, or BF16 for bf16 inputs). Enqueued, returns at once.
     */
    public void matmul(long x, long w, DType in, long out, DType outType, int rows, int n, int k, float beta) {
        if (rows <= 0 || n <= 0 || k <= 0) throw new IllegalArgumentException("GEMM of " + rows + "×" + k + " by " + n + "×" + k + ": every size must be positive");
        int compute;
        if (in == DType.F32 && outType == DType.F32) compute = CublasLibrary.COMPUTE_32F_PEDANTIC;
        else if (in == DType.BF16 && (outType == DType.F32 || outType == DType.BF16)) compute = CublasLibrary.COMPUTE_32F;
        else throw new IllegalArgumentException("cuBLAS GEMM: inputs " + in + " with output " + outType + " are not supported (F32→F32, BF16→F32 or BF16)");
        int inType = cudaType(in);
        cublas.gemmEx(handle, CublasLibrary.OP_T, CublasLibrary.OP_N, n, rows, k, 1f, w, inType, k, x, inType, k, beta,
                out, cudaType(outType), n, compute);
    }

    /** {@link Gemm}'s form: x and w in {@code type} (F32 or BF16), fp32 out. */
    @Override
    public void matmul(long x, long w, DType type, long out, int rows, int n, int k, float beta) {
        matmul(x, w, type, out, DType.F32, rows, n, k, beta);
    }

    @Override
    public String describe() { return cublas.describe(); }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        cublas.destroyHandle(handle);
    }

    private static int cudaType(DType type) {
        return switch (type) {
            case F32 -> CublasLibrary.CUDA_R_32F;
            case BF16 -> CublasLibrary.CUDA_R_16BF;
            default -> throw new IllegalArgumentException("cuBLAS GEMM: no CUDA type for " + type);
        };
    }
}
