// Rotary position embedding of the packed q|k|v rows, with Qwen3's per-head q/k RMSNorm fused in front of it.
#include "common.cuh"

/**
 * For every token t and every q or k head h of the packed row qkv[t] = [q (heads·hd) | k (kv_heads·hd) | v]:
 *   optional norm (norm_q/norm_k non-null): x ← w ⊙ x / sqrt(mean(x²) + eps) over the head's hd values;
 *   RoPE, rotate_half pairing as Hugging Face: for i < hd/2, with c = cos[pos·hd/2 + i], s = sin[pos·hd/2 + i],
 *     x'[i] = x[i]·c − x[i + hd/2]·s,   x'[i + hd/2] = x[i + hd/2]·c + x[i]·s,   pos = positions[t].
 * v is left as it is. The tables are built once per model on the host (any scaling rule, YaRN's attention factor
 * folded in) and uploaded once; they are never grown inside an op.
 * Layouts: qkv [tokens, (heads + 2·kv_heads)·hd] fp32, in place; positions [tokens] int32; cos, sin [max_pos, hd/2]
 * fp32; norm_q, norm_k [hd] in the weight's dtype or null.
 * Launch: grid (tokens, heads + kv_heads), block (round_up(hd/2, 32)): thread i owns the pair (i, i + hd/2).
 */
template <class W>
__device__ void qk_norm_rope(float* qkv, int heads, int kv_heads, int hd, const int* positions, const float* cos,
                             const float* sin, const W* norm_q, const W* norm_k, float eps) {
    int half = hd / 2, head = blockIdx.y;
    bool is_q = head < heads;
    float* x = qkv + static_cast<long>(blockIdx.x) * (heads + 2 * kv_heads) * hd + static_cast<long>(head) * hd;
    const W* w = is_q ? norm_q : norm_k;
    int i = threadIdx.x;
    bool mine = i < half;
    float a = mine ? x[i] : 0.0f, b = mine ? x[i + half] : 0.0f;
    if (w != nullptr) {
        float inv = rsqrtf(block_sum(a * a + b * b) / static_cast<float>(hd) + eps);
        if (mine) {
            a = widen(w[i]) * (a * inv);
            b = widen(w[i + half]) * (b * inv);
        }
    }
    if (!mine) return;
    long at = static_cast<long>(positions[blockIdx.x]) * half + i;
    float c = cos[at], s = sin[at];
    x[i] = a * c - b * s;
    x[i + half] = b * c + a * s;
}

extern "C" __global__ void rope_f32(float* qkv, int heads, int kv_heads, int hd, const int* positions, const float* cos,
                                    const float* sin) {
    qk_norm_rope<float>(qkv, heads, kv_heads, hd, positions, cos, sin, nullptr, nullptr, 0.0f);
}
PT_REGISTER(rope_f32)

extern "C" __global__ void qk_norm_rope_f32(float* qkv, int heads, int kv_heads, int hd, const int* positions,
                                            const float* cos, const float* sin, const float* norm_q,
                                            const float* norm_k, float eps) {
    qk_norm_rope(qkv, heads, kv_heads, hd, positions, cos, sin, norm_q, norm_k, eps);
}
PT_REGISTER(qk_norm_rope_f32)

extern "C" __global__ void qk_norm_rope_bf16(float* qkv, int heads, int kv_heads, int hd, const int* positions,
                                             const float* cos, const float* sin, const bf16* norm_q,
                                             const bf16* norm_k, float eps) {
    qk_norm_rope(qkv, heads, kv_heads, hd, positions, cos, sin, norm_q, norm_k, eps);
}
PT_REGISTER(qk_norm_rope_bf16)
