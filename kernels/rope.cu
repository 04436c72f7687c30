// Rotary position embedding of q or k rows, with Qwen3's per-head q/k RMSNorm fused in front of it.
#include "common.cuh"

/**
 * For every token t and head h < gridDim.y of the rows x[t] (row stride row_stride floats; head h at x[t] + h·hd):
 *   optional norm (norm non-null): x ← w ⊙ x / sqrt(mean(x²) + eps) over the head's hd values;
 *   RoPE, rotate_half pairing as Hugging Face: for i < hd/2, with c = cos[pos·hd/2 + i], s = sin[pos·hd/2 + i],
 *     x'[i] = x[i]·c − x[i + hd/2]·s,   x'[i + hd/2] = x[i + hd/2]·c + x[i]·s,   pos = positions[t].
 * Launched once for q (its heads, q_norm) and once for k (kv heads, k_norm); x may be a separate q or k buffer
 * (row_stride = heads·hd) or a view into the packed q|k|v projection (row_stride = (heads + 2·kv_heads)·hd). The
 * tables are built once per model on the host (any scaling rule, YaRN's attention factor folded in) and uploaded
 * once; they are never grown inside an op.
 * Layouts: x fp32, in place; positions [tokens] int32; cos, sin [max_pos, hd/2] fp32; norm [hd] in the weight's dtype.
 * Launch: grid (tokens, heads), block (round_up(hd/2, 32)): thread i owns the pair (i, i + hd/2).
 */
template <class W>
__device__ void norm_rope(float* x_rows, long row_stride, int hd, const int* positions, const float* cos,
                          const float* sin, const W* norm, float eps) {
    int half = hd / 2;
    float* x = x_rows + static_cast<long>(blockIdx.x) * row_stride + static_cast<long>(blockIdx.y) * hd;
    int i = threadIdx.x;
    bool mine = i < half;
    float a = mine ? x[i] : 0.0f, b = mine ? x[i + half] : 0.0f;
    if (norm != nullptr) {
        float inv = rsqrtf(block_sum(a * a + b * b) / static_cast<float>(hd) + eps);
        if (mine) {
            a = widen(norm[i]) * (a * inv);
            b = widen(norm[i + half]) * (b * inv);
        }
    }
    if (!mine) return;
    long at = static_cast<long>(positions[blockIdx.x]) * half + i;
    float c = cos[at], s = sin[at];
    x[i] = a * c - b * s;
    x[i + half] = b * c + a * s;
}

extern "C" __global__ void rope_f32(float* x, long row_stride, int hd, const int* positions, const float* cos, const float* sin) {
    norm_rope<float>(x, row_stride, hd, positions, cos, sin, nullptr, 0.0f);
}
PT_REGISTER(rope_f32)

extern "C" __global__ void qk_norm_rope_f32(float* x, long row_stride, int hd, const int* positions, const float* cos,
                                            const float* sin, const float* norm, float eps) {
    norm_rope(x, row_stride, hd, positions, cos, sin, norm, eps);
}
PT_REGISTER(qk_norm_rope_f32)

extern "C" __global__ void qk_norm_rope_bf16(float* x, long row_stride, int hd, const int* positions, const float* cos,
                                             const float* sin, const bf16* norm, float eps) {
    norm_rope(x, row_stride, hd, positions, cos, sin, norm, eps);
}
PT_REGISTER(qk_norm_rope_bf16)
