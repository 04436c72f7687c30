// A batch-invariant GEMM for --batch-invariant: every output element is summed in one fixed order whatever the
// number of rows, so a sequence's numbers do not depend on what it is batched with. cuBLAS picks its algorithm,
// tiles and split-K from the problem's shape, so the same row can be summed differently in a pass of 64 tokens and
// in one of 4096; this kernel cannot. It is slower than cuBLAS (CUDA cores, no tensor cores): the price of the mode.
#include "common.cuh"

/**
 * out[r, c] = Σ_k x[r, k] · w[c, k]  (+ beta · out[r, c] when beta ≠ 0), for r < rows, c < n: x · wᵀ with w as a
 * Linear's weight [n, k]. The sum is one fp32 accumulator per output, over k in ascending order, one product at a
 * time (a bf16 × bf16 product is exact in fp32): the order depends on k only, never on rows, n or the launch.
 * beta = 0 never reads out (it may hold NaN).
 * Layouts: x [rows, k], w [n, k] in T (fp32 or bf16), row-major; out [rows, n] fp32.
 * Launch: grid (ceil(n / 32), ceil(rows / 32)), block (16, 16): a block computes a 32 × 32 tile of out, each
 * thread 2 × 2 of it; x and w come through shared memory 32 values of k at a time, widened to fp32.
 */
template <class T>
__device__ void gemm_tile(const T* x, const T* w, float* out, int rows, int n, int k, float beta) {
    constexpr int TILE = 32, STEP = 32;
    __shared__ float xs[TILE][STEP + 1];   // +1: no bank conflicts on the column reads
    __shared__ float ws[TILE][STEP + 1];
    int tx = threadIdx.x, ty = threadIdx.y, tid = ty * 16 + tx;
    int r0 = blockIdx.y * TILE, c0 = blockIdx.x * TILE;
    float acc[2][2] = {{0.0f, 0.0f}, {0.0f, 0.0f}};
    for (int k0 = 0; k0 < k; k0 += STEP) {
        for (int i = tid; i < TILE * STEP; i += 256) {   // 4 loads per thread of each tile, coalesced along k
            int row = i / STEP, kk = i % STEP;
            long gr = r0 + row, gc = c0 + row;
            int gk = k0 + kk;
            xs[row][kk] = gr < rows && gk < k ? widen(x[gr * k + gk]) : 0.0f;
            ws[row][kk] = gc < n && gk < k ? widen(w[gc * k + gk]) : 0.0f;
        }
        __syncthreads();
        int steps = k - k0 < STEP ? k - k0 : STEP;
        for (int kk = 0; kk < steps; kk++) {
#pragma unroll
            for (int i = 0; i < 2; i++)
#pragma unroll
                for (int j = 0; j < 2; j++) acc[i][j] += xs[ty + 16 * i][kk] * ws[tx + 16 * j][kk];
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 2; i++)
#pragma unroll
        for (int j = 0; j < 2; j++) {
            long r = r0 + ty + 16 * i;
            int c = c0 + tx + 16 * j;
            if (r < rows && c < n) {
                float* o = out + r * n + c;
                *o = beta != 0.0f ? acc[i][j] + beta * *o : acc[i][j];
            }
        }
}

extern "C" __global__ void gemm_f32(const float* x, const float* w, float* out, int rows, int n, int k, float beta) {
    gemm_tile(x, w, out, rows, n, k, beta);
}
PT_REGISTER(gemm_f32)

extern "C" __global__ void gemm_bf16(const bf16* x, const bf16* w, float* out, int rows, int n, int k, float beta) {
    gemm_tile(x, w, out, rows, n, k, beta);
}
PT_REGISTER(gemm_bf16)
