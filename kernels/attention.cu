// Causal grouped-query attention over packed variable-length sequences (FlashAttention-2's varlen interface:
// cu_seqlens, max_seqlen), tiled through shared memory with an online softmax, so no [L × L] matrix ever exists.
#include "varlen.cuh"

namespace {

constexpr int kWarps = 4;                  // per block
constexpr int kRowsPerWarp = 4;            // query rows each warp owns
constexpr int kQueries = kWarps * kRowsPerWarp;   // BQ: query rows per block
constexpr int kKeys = 32;                  // BK: keys per tile, one per lane when scoring

/** Dynamic shared memory of one block, in floats: K tile (rows padded by one against bank conflicts), V tile, Q, P. */
__host__ __device__ constexpr int shared_floats(int hd) { return kKeys * (hd + 1) + kKeys * hd + kQueries * hd + kQueries * kKeys; }

}  // namespace

/**
 * out[t, h, :] = Σ_j softmax_j(scale · q[t, h] · k[j, g]) · v[j, g],   g = h / (heads / kv_heads),
 * over keys j of t's own sequence with j ≤ pos(t) and, when window > 0, pos(t) − j < window (Mistral's sliding
 * window), where pos(t) = t's index in the sequence's queries + len_k − len_q: causality aligned bottom-right, as
 * FlashAttention-2 with cu_seqlens_q ≠ cu_seqlens_k. A sequence whose earlier chunks ran in earlier passes (chunked
 * prefill) has len_k − len_q cached keys before its own; without a cache both offsets are the same.
 *
 * Layouts (as FlashAttention-2's varlen interface): q [tokens, heads·HD] with row stride q_stride, k and v
 * [key rows, kv_heads·HD] with row stride kv_stride, all fp32 and each pointing at head 0 of token 0 — separate
 * buffers (strides heads·HD and kv_heads·HD) or views into one packed q|k|v projection (q = qkv, k = qkv + heads·HD,
 * v = k + kv_heads·HD, both strides (heads + 2·kv_heads)·HD); cu_seqlens_q [sequences + 1] int32: sequence s's
 * queries are rows [cu_seqlens_q[s], cu_seqlens_q[s+1]) of q and out; cu_seqlens_k [sequences + 1]: its keys and
 * values are rows [cu_seqlens_k[s], cu_seqlens_k[s+1]) of k and v (len_k ≥ len_q); out [tokens, heads·HD] fp32, or
 * bf16 to feed the bf16 output projection.
 * Launch: grid (ceil(max_seqlen_q / 16), heads, sequences), block (128), dynamic shared memory
 * attention_shared_bytes(HD) = 4·(32·(HD+1) + 32·HD + 16·HD + 16·32) bytes (84 KB at HD = 256: above 48 KB the
 * launcher raises the kernel's limit first).
 * Per block: 16 query rows of one head, 4 per warp. For each tile of 32 keys (from the window's first key to the last
 * query's own; tiles start at multiples of 32 keys, so a row sums the same tiles in the same order whichever block
 * and chunk it is in: chunked prefill and whole passes give the same bits), K and V go to shared memory; lane j
 * scores key j against each of its warp's rows; the running max m, sum l and the output (lane owns dims lane,
 * lane + 32, ...) are rescaled as in FlashAttention-2; p goes through shared memory to the lanes that own the output
 * dims. fp32 throughout; the sum of each row is normalised once at the end.
 * HD is 4, 8, 16, 32, 64, 96, 128 or 256; with HD < 32 (tiny test models) lanes HD..31 score keys but own no output dim.
 */
template <int HD, class O>
__device__ void attention(const float* q, const float* k, const float* v, O* out, const int* cu_seqlens_q,
                          const int* cu_seqlens_k, long q_stride, long kv_stride, int heads, int kv_heads, float scale,
                          int window) {
    constexpr int kDims = (HD + 31) / 32;   // output dims per lane (HD < 32: lanes ≥ HD own none)
    PT_DYNAMIC_SHARED(float, shared);
    float* ks = shared;                        // [kKeys][HD + 1]
    float* vs = ks + kKeys * (HD + 1);         // [kKeys][HD]
    float* qs = vs + kKeys * HD;               // [kQueries][HD]
    float* ps = qs + kQueries * HD;            // [kQueries][kKeys]

    VarlenBlock blk;
    if (!varlen_block<HD>(blk, q, k, v, cu_seqlens_q, cu_seqlens_k, q_stride, kv_stride, heads, kv_heads, kQueries)) return;
    const int seq_start = blk.seq_start, len = blk.len, past = blk.past, q_first = blk.q_first;
    const int key_last = blk.key_last, head = blk.head;
    const float *q_base = blk.q_base, *k_base = blk.k_base, *v_base = blk.v_base;

    for (int i = threadIdx.x; i < kQueries * HD; i += blockDim.x) {
        int r = i / HD, d = i % HD;
        qs[i] = q_first + r < len ? q_base[(q_first + r) * q_stride + d] * scale : 0.0f;
    }

    int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    float m[kRowsPerWarp], l[kRowsPerWarp], o[kRowsPerWarp][kDims];
#pragma unroll
    for (int r = 0; r < kRowsPerWarp; r++) {
        m[r] = -INFINITY;
        l[r] = 0.0f;
#pragma unroll
        for (int u = 0; u < kDims; u++) o[r][u] = 0.0f;
    }
    // the window's first key for the block's first row, rounded down to a tile boundary: a tile wholly outside a
    // row's keys leaves its m, l and o as they were (p = 0, correction 1), so rows see the same tiles everywhere
    int k_first = window > 0 ? max(0, past + q_first - window + 1) / kKeys * kKeys : 0;
    for (int tile = k_first; tile <= key_last; tile += kKeys) {
        __syncthreads();   // the previous tile is no longer read (and, the first time, Q is written)
        for (int i = threadIdx.x; i < kKeys * HD; i += blockDim.x) {
            int j = i / HD, d = i % HD;
            bool in = tile + j <= key_last;
            ks[j * (HD + 1) + d] = in ? k_base[(tile + j) * kv_stride + d] : 0.0f;
            vs[j * HD + d] = in ? v_base[(tile + j) * kv_stride + d] : 0.0f;
        }
        __syncthreads();
    #pragma unroll
    for (int r = 0; r < kRowsPerWarp; r++) {
            int row = warp * kRowsPerWarp + r, t = q_first + row, pos = past + t, key = tile + lane;
            bool visible = t < len && key <= pos && (window <= 0 || pos - key < window);
            float s = -INFINITY;
            if (visible) {
                s = 0.0f;
                const float* qr = qs + row * HD;
                const float* kr = ks + lane * (HD + 1);
                for (int d = 0; d < HD; d++) s += qr[d] * kr[d];
            }
            float m_new = fmaxf(m[r], warp_max(s));
            float p = visible ? expf(s - m_new) : 0.0f;
            float correction = m[r] == -INFINITY ? 0.0f : expf(m[r] - m_new);   // nothing kept yet: nothing to rescale
            if (m_new == -INFINITY) correction = 1.0f;   // no visible key so far: the row stays empty
            l[r] = l[r] * correction + warp_sum(p);
            m[r] = m_new;
            ps[row * kKeys + lane] = p;
            __syncwarp();
#pragma unroll
            for (int u = 0; u < kDims; u++) {
                int d = lane + 32 * u;
                if (HD % 32 != 0 && d >= HD) continue;   // compiled away for HD a multiple of 32
                float acc = o[r][u] * correction;
                for (int j = 0; j < kKeys; j++) acc += ps[row * kKeys + j] * vs[j * HD + d];
                o[r][u] = acc;
            }
            __syncwarp();   // ps of this row is rewritten by the next tile
        }
    }
#pragma unroll
    for (int r = 0; r < kRowsPerWarp; r++) {
        int t = q_first + warp * kRowsPerWarp + r;
        if (t >= len) continue;
        O* dst = out + (static_cast<long>(seq_start) + t) * heads * HD + static_cast<long>(head) * HD;
        float inv = 1.0f / l[r];
#pragma unroll
        for (int u = 0; u < kDims; u++)
            if (HD % 32 == 0 || lane + 32 * u < HD) store(dst, lane + 32 * u, o[r][u] * inv);
    }
}

#define PT_ATTENTION(HD, SUFFIX, O)                                                                                   \
    extern "C" __global__ void attention_hd##HD##_##SUFFIX(                                    \
        const float* q, const float* k, const float* v, O* out, const int* cu_seqlens_q, const int* cu_seqlens_k,      \
        long q_stride, long kv_stride, int heads, int kv_heads, float scale, int window) {                            \
        attention<HD>(q, k, v, out, cu_seqlens_q, cu_seqlens_k, q_stride, kv_stride, heads, kv_heads, scale, window);  \
    }                                                                                                                 \
    PT_REGISTER(attention_hd##HD##_##SUFFIX)

// Small heads (4, 8, 16, 32: the demo's and the tests' tiny models); lanes past HD idle in the output update.
PT_ATTENTION(4, f32, float)
PT_ATTENTION(8, f32, float)
PT_ATTENTION(16, f32, float)
PT_ATTENTION(32, f32, float)
PT_ATTENTION(64, f32, float)
PT_ATTENTION(96, f32, float)
PT_ATTENTION(128, f32, float)
PT_ATTENTION(256, f32, float)
PT_ATTENTION(4, bf16, bf16)
PT_ATTENTION(8, bf16, bf16)
PT_ATTENTION(16, bf16, bf16)
PT_ATTENTION(32, bf16, bf16)
PT_ATTENTION(64, bf16, bf16)
PT_ATTENTION(96, bf16, bf16)
PT_ATTENTION(128, bf16, bf16)
PT_ATTENTION(256, bf16, bf16)

/** Bytes of dynamic shared memory attention_hd<HD>_* needs (host side; the Java launcher computes the same). */
extern "C" int attention_shared_bytes(int hd) { return static_cast<int>(sizeof(float)) * shared_floats(hd); }
