// RMSNorm, alone and fused with the residual add that precedes it in every decoder layer.
#include "common.cuh"

/**
 * out[r, i] = w[i] · x[r, i] / sqrt(mean_j x[r, j]² + eps), for r < rows, i < dim. The add_ variants first do
 * x[r, :] += y[r, :] (written back: x is the fp32 residual stream, y the block output joining it) and normalise
 * the sum, so the residual add costs no pass of its own.
 *
 * Layouts: x [rows, dim] fp32 row-major; y [rows, dim] fp32 (add_ only); w [dim] in the weight's dtype;
 * out [rows, dim] fp32 or bf16 (the bf16 path feeds a bf16 GEMM). out may alias x when both are fp32: every
 * thread writes only elements it has itself read, after the block's reduction.
 * Launch: grid (rows), block (B) with B a multiple of 32, at most 1024 (256 suits hidden sizes of 896–8192);
 * no dynamic shared memory. The square sum is fp32, per thread over i ≡ tid (mod B), then block_sum.
 */
template <class W, class O>
__device__ void rmsnorm(float* x, const float* y, const W* w, O* out, int dim, float eps, const int* rows = nullptr) {
    long row = static_cast<long>(rows == nullptr ? blockIdx.x : rows[blockIdx.x]) * dim;
    long out_row = static_cast<long>(blockIdx.x) * dim;
    float squares = 0.0f;
    for (int i = threadIdx.x; i < dim; i += blockDim.x) {
        float v = x[row + i];
        if (y != nullptr) {
            v += y[row + i];
            x[row + i] = v;
        }
        squares += v * v;
    }
    float inv = rsqrtf(block_sum(squares) / static_cast<float>(dim) + eps);
    for (int i = threadIdx.x; i < dim; i += blockDim.x) store(out, out_row + i, widen(w[i]) * (x[row + i] * inv));
}

/**
 * The kernels, named by the weight's and the output's dtype: _f32 and _bf16 (both in that dtype), _bf16w_f32 (bf16
 * weight, fp32 out: the fp32 path over a bf16 checkpoint — the norm before an fp32 GEMM, the q/k norms), _f32w_bf16
 * (fp32 weight, bf16 out: the norm before a bf16 GEMM over an fp32 checkpoint in bf16 precision).
 */
#define PT_RMSNORM(NAME, W, O)                                                                                     \
    extern "C" __global__ void NAME(float* x, const W* w, O* out, int dim, float eps) {                            \
        rmsnorm(x, nullptr, w, out, dim, eps);                                                                     \
    }                                                                                                              \
    PT_REGISTER(NAME)

#define PT_ADD_RMSNORM(NAME, W, O)                                                                                 \
    extern "C" __global__ void NAME(float* x, const float* y, const W* w, O* out, int dim, float eps) {           \
        rmsnorm(x, y, w, out, dim, eps);                                                                           \
    }                                                                                                              \
    PT_REGISTER(NAME)

PT_RMSNORM(rmsnorm_f32, float, float)
PT_RMSNORM(rmsnorm_bf16, bf16, bf16)
PT_RMSNORM(rmsnorm_bf16w_f32, bf16, float)
PT_RMSNORM(rmsnorm_f32w_bf16, float, bf16)
PT_ADD_RMSNORM(add_rmsnorm_f32, float, float)
PT_ADD_RMSNORM(add_rmsnorm_bf16, bf16, bf16)
PT_ADD_RMSNORM(add_rmsnorm_bf16w_f32, bf16, float)
PT_ADD_RMSNORM(add_rmsnorm_f32w_bf16, float, bf16)

/**
 * out[i, :] = rmsnorm(x[rows[i], :]) · w, i < gridDim.x: the final norm of only the rows that are scored, gathered
 * and normed in one launch (the LM head then reads out as one contiguous [scored rows, dim] matrix, in the GEMM's
 * input dtype). Layouts: rows [n] int32 (indices into x's rows); x [*, dim] fp32 (read only); w [dim]; out [n, dim].
 * Launch: grid (n), block (B) as above; out must not alias x.
 */
#define PT_GATHER_RMSNORM(NAME, W, O)                                                                               \
    extern "C" __global__ void NAME(const int* rows, float* x, const W* w, O* out, int dim, float eps) {           \
        rmsnorm(x, nullptr, w, out, dim, eps, rows);                                                               \
    }                                                                                                              \
    PT_REGISTER(NAME)

PT_GATHER_RMSNORM(gather_rmsnorm_f32, float, float)
PT_GATHER_RMSNORM(gather_rmsnorm_bf16w_f32, bf16, float)
PT_GATHER_RMSNORM(gather_rmsnorm_f32w_bf16, float, bf16)
PT_GATHER_RMSNORM(gather_rmsnorm_bf16, bf16, bf16)
