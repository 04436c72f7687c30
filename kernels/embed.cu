// Embedding gather: the first op of the pass.
#include "common.cuh"

/**
 * out[t, :] = table[ids[t], :] widened to fp32, for t < tokens (the residual stream starts in fp32).
 * Layouts: ids [tokens] int32 (checked against the vocabulary on the host before upload); table [vocab, cols] in the
 * file's dtype, row-major; out [tokens, cols] fp32.
 * Launch: grid (tokens), block (256); each thread strides over the columns of its row (coalesced).
 */
template <class W>
__device__ void embed(const int* ids, const W* table, float* out, int cols) {
    const W* row = table + static_cast<long>(ids[blockIdx.x]) * cols;
    float* dst = out + static_cast<long>(blockIdx.x) * cols;
    for (int i = threadIdx.x; i < cols; i += blockDim.x) dst[i] = widen(row[i]);
}

extern "C" __global__ void embed_f32(const int* ids, const float* table, float* out, int cols) { embed(ids, table, out, cols); }
PT_REGISTER(embed_f32)

extern "C" __global__ void embed_bf16(const int* ids, const bf16* table, float* out, int cols) { embed(ids, table, out, cols); }
PT_REGISTER(embed_bf16)

/**
 * dst[i, :] = src[rows[i], :] for i < n: gathers the rows that predict a scored token before the final norm and the
 * LM head, so neither runs over the prompt. Layouts: rows [n] int32; src [*, cols] fp32; dst [n, cols] fp32.
 * Launch: grid (n), block (256).
 */
extern "C" __global__ void gather_rows_f32(const int* rows, const float* src, float* dst, int cols) {
    const float* from = src + static_cast<long>(rows[blockIdx.x]) * cols;
    float* to = dst + static_cast<long>(blockIdx.x) * cols;
    for (int i = threadIdx.x; i < cols; i += blockDim.x) to[i] = from[i];
}
PT_REGISTER(gather_rows_f32)

/**
 * dst[i] = fp32 of the bf16 src[i], for i < n: a bf16 weight widened into device scratch before an fp32 GEMM
 * (cuBLAS has no fp32 × bf16 GEMM, so the fp32 precision over a bf16 checkpoint widens each weight as it is used;
 * widening is exact). Layouts: src [n] bf16, dst [n] fp32, contiguous.
 * Launch: grid (ceil(n / 256)), block (256); one element per thread.
 */
extern "C" __global__ void widen_bf16(const bf16* src, float* dst, long n) {
    long i = static_cast<long>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n) dst[i] = widen(src[i]);
}
PT_REGISTER(widen_bf16)
