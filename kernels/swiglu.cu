// The MLP's activation (over the packed gate|up GEMM output, or separate gate and up buffers), the bias add of the
// linear layers that have one, the split of the packed q|k|v GEMM output, and the plain element-wise residual add.
#include "common.cuh"

/**
 * out[r, i] = silu(g) · u with g = gate_up[r, i], u = gate_up[r, inter + i], silu(g) = g / (1 + e^−g),
 * for r < rows, i < inter. The gate and up projections are one GEMM with the weights packed [gate; up] at load,
 * so each output row reads one contiguous input row.
 * Layouts: gate_up [rows, 2·inter] fp32; out [rows, inter] fp32, or bf16 to feed the bf16 down projection.
 * Launch: grid (ceil(rows·inter / 256)), block (256): one element per thread.
 */
template <class O>
__device__ void swiglu(const float* gate_up, O* out, long rows, int inter) {
    long i = static_cast<long>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= rows * inter) return;
    long r = i / inter, c = i - r * inter;
    float g = gate_up[r * 2 * inter + c], u = gate_up[r * 2 * inter + inter + c];
    store(out, i, g / (1.0f + expf(-g)) * u);
}

extern "C" __global__ void swiglu_f32(const float* gate_up, float* out, long rows, int inter) { swiglu(gate_up, out, rows, inter); }
PT_REGISTER(swiglu_f32)

extern "C" __global__ void swiglu_bf16(const float* gate_up, bf16* out, long rows, int inter) { swiglu(gate_up, out, rows, inter); }
PT_REGISTER(swiglu_bf16)

/**
 * x[r, c] += bias[c] for r < rows, c < cols (q/k/v biases of Qwen2, every bias of a biased Llama), bias in its file
 * dtype. Layouts: x [rows, cols] fp32; bias [cols]. Launch: grid (ceil(rows·cols / 256)), block (256).
 */
template <class W>
__device__ void add_bias(float* x, const W* bias, long rows, int cols) {
    long i = static_cast<long>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < rows * cols) x[i] += widen(bias[i % cols]);
}

extern "C" __global__ void add_bias_f32(float* x, const float* bias, long rows, int cols) { add_bias(x, bias, rows, cols); }
PT_REGISTER(add_bias_f32)

extern "C" __global__ void add_bias_bf16(float* x, const bf16* bias, long rows, int cols) { add_bias(x, bias, rows, cols); }
PT_REGISTER(add_bias_bf16)

/**
 * Splits the packed q|k|v GEMM output into the q, k and v buffers the rest of the layer reads, adding the packed
 * bias on the way (Qwen2's q/k/v biases; bias may be null): for r < rows, c < qdim + 2·kvdim,
 *   (q | k | v)[r, c'] = qkv[r, c] + bias[c],  c' = c, c − qdim, c − qdim − kvdim.
 * Layouts: qkv [rows, qdim + 2·kvdim] fp32 (the weights packed [Wq; Wk; Wv] at load); bias [qdim + 2·kvdim] in its
 * file dtype or null; q [rows, qdim], k, v [rows, kvdim] fp32. Launch: grid (ceil(rows·(qdim + 2·kvdim) / 256)),
 * block (256): one element per thread, reads and writes coalesced within each of the three ranges.
 */
template <class W>
__device__ void split_qkv(const float* qkv, const W* bias, float* q, float* k, float* v, long rows, int qdim, int kvdim) {
    long width = qdim + 2L * kvdim;
    long i = static_cast<long>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= rows * width) return;
    long r = i / width;
    int c = static_cast<int>(i - r * width);
    float value = qkv[i] + (bias != nullptr ? widen(bias[c]) : 0.0f);
    if (c < qdim) q[r * qdim + c] = value;
    else if (c < qdim + kvdim) k[r * kvdim + c - qdim] = value;
    else v[r * kvdim + c - qdim - kvdim] = value;
}

extern "C" __global__ void split_qkv_f32(const float* qkv, const float* bias, float* q, float* k, float* v, long rows, int qdim, int kvdim) {
    split_qkv(qkv, bias, q, k, v, rows, qdim, kvdim);
}
PT_REGISTER(split_qkv_f32)

extern "C" __global__ void split_qkv_bf16(const float* qkv, const bf16* bias, float* q, float* k, float* v, long rows, int qdim, int kvdim) {
    split_qkv(qkv, bias, q, k, v, rows, qdim, kvdim);
}
PT_REGISTER(split_qkv_bf16)

/**
 * gate[i] = silu(gate[i]) · up[i] for i < n, in place: SwiGLU over separate gate and up projections (the fp32 engine
 * interface, whose GEMMs write gate and up into buffers of their own). Layouts: gate, up [n] fp32.
 * Launch: grid (ceil(n / 256)), block (256): one element per thread.
 */
extern "C" __global__ void swiglu_split_f32(float* gate, const float* up, long n) {
    long i = static_cast<long>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= n) return;
    float g = gate[i];
    gate[i] = g / (1.0f + expf(-g)) * up[i];
}
PT_REGISTER(swiglu_split_f32)

/**
 * x[i] += y[i] for i < n: the residual add where it is not fused into the next RMSNorm.
 * Layouts: x, y [n] fp32. Launch: grid (ceil(n / 256)), block (256).
 */
extern "C" __global__ void add_f32(float* x, const float* y, long n) {
    long i = static_cast<long>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < n) x[i] += y[i];
}
PT_REGISTER(add_f32)
