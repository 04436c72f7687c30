// Causal grouped-query attention over packed variable-length sequences on the tensor cores, for bf16 precision:
// Q·Kᵀ and P·V as bf16 mma.sync with fp32 accumulation (as every other GEMM of a bf16 pass), the online softmax
// in fp32 registers as FlashAttention-2 keeps it. Same arguments and semantics as attention.cu's kernels (whose
// fp32 math serves fp32 precision); the scores of a 64-query block never leave the chip.
#include "varlen.cuh"

namespace {

constexpr int kMmaWarps = 4;                        // per block
constexpr int kMmaRowsPerWarp = 16;                 // query rows of a warp: the M of its mma
constexpr int kMmaQueries = kMmaWarps * kMmaRowsPerWarp;   // BQ = 64
constexpr int kPad = 8;                             // bf16 per shared row against bank conflicts (keeps 4-byte pairs aligned)

/** BK: keys per tile; 32 at HD = 256 so the O accumulators (HD/2 floats a lane) leave room for the rest. */
__host__ __device__ constexpr int mma_keys(int hd) { return hd <= 128 ? 64 : 32; }

/** Dynamic shared memory in bf16: Q [BQ][HD + pad], K [BK][HD + pad], Vᵀ [HD][BK + pad]. */
__host__ __device__ constexpr int mma_shared_halves(int hd) {
    return kMmaQueries * (hd + kPad) + mma_keys(hd) * (hd + kPad) + hd * (mma_keys(hd) + kPad);
}

}  // namespace

/**
 * out[t, h, :] = Σ_j softmax_j(scale · q[t, h] · k[j, g]) · v[j, g], g = h / (heads / kv_heads), over keys j of t's
 * own sequence with j ≤ pos(t) and, when window > 0, pos(t) − j < window; pos(t) = t's index among the sequence's
 * queries + len_k − len_q (causality aligned bottom-right: chunked prefill's cached keys come first). q, k and v are
 * rounded to bf16 in shared memory (the bf16 inputs of the two products, as every bf16 route rounds them); p enters
 * P·V as two bf16, hi + lo (16 bits of it: one bf16 would add a rounding no other route has, about as large as that
 * of q, k and v together); m, l and o are fp32.
 * Layouts: as attention.cu (q [tokens, heads·HD] stride q_stride; k, v [key rows, kv_heads·HD] stride kv_stride, fp32;
 * cu_seqlens_q / cu_seqlens_k [sequences + 1] int32); out [tokens, heads·HD] bf16 (the bf16 output projection's input).
 * Launch: grid (ceil(max_seqlen_q / 64), heads, sequences), block (128), dynamic shared memory
 * attention_mma_shared_bytes(HD) = 2·(64·(HD+8) + BK·(HD+8) + HD·(BK+8)) bytes, BK = 64 (32 at HD = 256): 52 KB at
 * HD = 128, 70 KB at 256 (above 48 KB the launcher raises the kernel's limit first).
 * Per block: 64 query rows of one head, 16 per warp (one mma row block). For each tile of BK keys (from the window's
 * first key, rounded down to a multiple of BK, to the last query's own), K goes to shared memory as is and V
 * transposed, both as bf16; each warp computes its 16 × BK scores with HD/16 · BK/8 mma (A: Q rows, B: K rows), masks
 * them, updates m and l per row with shuffles inside the lane quad that holds the row, rescales o, and multiplies
 * P (its score fragments repacked as A fragments: FlashAttention-2's register reuse) by V in 2 · BK/16 · HD/8 mma. A
 * tile no row of a warp sees is skipped by that warp: it would change nothing, so the result is the same bits in any
 * block and chunk (chunked prefill and whole passes agree bitwise). HD is a multiple of 16: 16, 32, 64, 96, 128, 256.
 */
template <int HD>
__device__ void attention_mma(const float* q, const float* k, const float* v, bf16* out, const int* cu_seqlens_q,
                              const int* cu_seqlens_k, long q_stride, long kv_stride, int heads, int kv_heads,
                              float scale, int window) {
    constexpr int BK = mma_keys(HD), QS = HD + kPad, VS = BK + kPad;
    constexpr int kSteps = HD / 16, kScoreBlocks = BK / 8, kKeySteps = BK / 16, kDimBlocks = HD / 8;
    PT_DYNAMIC_SHARED(bf16, shared);
    bf16* qs = shared;              // [BQ][QS]
    bf16* ks = qs + kMmaQueries * QS;   // [BK][QS]
    bf16* vt = ks + BK * QS;        // [HD][VS]: V transposed, so a B fragment of P·V is two adjacent keys

    VarlenBlock blk;
    if (!varlen_block<HD>(blk, q, k, v, cu_seqlens_q, cu_seqlens_k, q_stride, kv_stride, heads, kv_heads, kMmaQueries)) return;
    const int seq_start = blk.seq_start, len = blk.len, past = blk.past, q_first = blk.q_first, key_last = blk.key_last;
    const int head = blk.head;
    const float *q_base = blk.q_base, *k_base = blk.k_base, *v_base = blk.v_base;

    for (int i = threadIdx.x; i < kMmaQueries * HD; i += blockDim.x) {
        int r = i / HD, d = i % HD;
        qs[r * QS + d] = __float2bfloat16(q_first + r < len ? q_base[static_cast<long>(q_first + r) * q_stride + d] : 0.0f);
    }
    int warp = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane / 4, c = lane % 4;
    int w0 = warp * kMmaRowsPerWarp;                 // the warp's first row in the block
    int warp_first = past + q_first + w0;            // position of the warp's first row
    // this lane's two rows (g and g + 8 of the warp's 16): index among the queries, position, present
    int t_row[2] = {q_first + w0 + g, q_first + w0 + g + 8};
    float o[kDimBlocks][4];
#pragma unroll
    for (int nd = 0; nd < kDimBlocks; nd++)
#pragma unroll
        for (int e = 0; e < 4; e++) o[nd][e] = 0.0f;
    float m[2] = {-INFINITY, -INFINITY}, l[2] = {0.0f, 0.0f};

    int k_first = window > 0 ? max(0, past + q_first - window + 1) / BK * BK : 0;
    for (int tile = k_first; tile <= key_last; tile += BK) {
        __syncthreads();   // the previous tile is no longer read (and, the first time, Q is written)
        for (int i = threadIdx.x; i < BK * HD; i += blockDim.x) {
            int j = i / HD, d = i % HD;
            bool in = tile + j <= key_last;
            long at = static_cast<long>(tile + j) * kv_stride + d;
            ks[j * QS + d] = __float2bfloat16(in ? k_base[at] : 0.0f);
            vt[d * VS + j] = __float2bfloat16(in ? v_base[at] : 0.0f);
        }
        __syncthreads();
        // warp-uniform: a tile after the warp's last row or before its first row's window changes none of its rows
        if (tile > warp_first + kMmaRowsPerWarp - 1) continue;
        if (window > 0 && tile + BK - 1 < warp_first - window + 1) continue;

        float s[kScoreBlocks][4];
#pragma unroll
        for (int nb = 0; nb < kScoreBlocks; nb++)
#pragma unroll
            for (int e = 0; e < 4; e++) s[nb][e] = 0.0f;
#pragma unroll
        for (int kk = 0; kk < kSteps; kk++) {   // S[16, BK] = Q[16, HD] · Kᵀ, 16 dims at a time
            const bf16* qa = qs + (w0 + g) * QS + kk * 16 + 2 * c;
            unsigned a[4] = {bf16_pair(qa), bf16_pair(qa + 8 * QS), bf16_pair(qa + 8), bf16_pair(qa + 8 * QS + 8)};
#pragma unroll
            for (int nb = 0; nb < kScoreBlocks; nb++) {
                const bf16* kb = ks + (nb * 8 + g) * QS + kk * 16 + 2 * c;
                unsigned b[2] = {bf16_pair(kb), bf16_pair(kb + 8)};
                mma_bf16_16816(s[nb], a, b);
            }
        }
        float corr[2];
#pragma unroll
        for (int h = 0; h < 2; h++) {   // row g + 8h of the warp: elements 2h, 2h + 1 of each score block
            int t = t_row[h], pos = past + t;
            float row_max = -INFINITY;
#pragma unroll
            for (int nb = 0; nb < kScoreBlocks; nb++)
#pragma unroll
                for (int e = 0; e < 2; e++) {
                    int key = tile + nb * 8 + 2 * c + e;
                    bool visible = t < len && key <= pos && (window <= 0 || pos - key < window);
                    float x = visible ? s[nb][2 * h + e] * scale : -INFINITY;
                    s[nb][2 * h + e] = x;
                    row_max = fmaxf(row_max, x);
                }
            row_max = fmaxf(row_max, __shfl_xor_sync(0xffffffffu, row_max, 1));   // the quad holding the row
            row_max = fmaxf(row_max, __shfl_xor_sync(0xffffffffu, row_max, 2));
            float m_new = fmaxf(m[h], row_max);
            float row_sum = 0.0f;
#pragma unroll
            for (int nb = 0; nb < kScoreBlocks; nb++)
#pragma unroll
                for (int e = 0; e < 2; e++) {
                    float x = s[nb][2 * h + e];
                    float p = x == -INFINITY ? 0.0f : expf(x - m_new);
                    s[nb][2 * h + e] = p;
                    row_sum += p;
                }
            row_sum += __shfl_xor_sync(0xffffffffu, row_sum, 1);
            row_sum += __shfl_xor_sync(0xffffffffu, row_sum, 2);
            corr[h] = m[h] == -INFINITY ? 0.0f : expf(m[h] - m_new);   // nothing kept yet: nothing to rescale
            if (m_new == -INFINITY) corr[h] = 1.0f;                      // no visible key so far: the row stays empty
            l[h] = l[h] * corr[h] + row_sum;
            m[h] = m_new;
        }
#pragma unroll
        for (int nd = 0; nd < kDimBlocks; nd++) {
            o[nd][0] *= corr[0];
            o[nd][1] *= corr[0];
            o[nd][2] *= corr[1];
            o[nd][3] *= corr[1];
        }
#pragma unroll
        for (int kj = 0; kj < kKeySteps; kj++) {   // O[16, HD] += P[16, 16 keys] · V[16 keys, HD]
            // score blocks 2kj and 2kj+1 (keys 16kj .. +7, +8 .. +15) are exactly the A fragment of P's 16 keys
            // (FlashAttention-2's register reuse); p = hi + lo, two bf16, so P·V keeps 16 bits of p (a single bf16
            // would add a rounding of its own that the other backends' bf16 routes do not have)
            float* p[4] = {&s[2 * kj][0], &s[2 * kj][2], &s[2 * kj + 1][0], &s[2 * kj + 1][2]};
            unsigned hi[4], lo[4];
#pragma unroll
            for (int i = 0; i < 4; i++) {
                float h0 = __bfloat162float(__float2bfloat16(p[i][0])), h1 = __bfloat162float(__float2bfloat16(p[i][1]));
                hi[i] = bf16_pair(h0, h1);
                lo[i] = bf16_pair(p[i][0] - h0, p[i][1] - h1);
            }
#pragma unroll
            for (int nd = 0; nd < kDimBlocks; nd++) {
                const bf16* vb = vt + (nd * 8 + g) * VS + kj * 16 + 2 * c;
                unsigned b[2] = {bf16_pair(vb), bf16_pair(vb + 8)};
                mma_bf16_16816(o[nd], hi, b);
                mma_bf16_16816(o[nd], lo, b);
            }
        }
    }
#pragma unroll
    for (int h = 0; h < 2; h++) {
        int t = t_row[h];
        if (t >= len) continue;
        bf16* dst = out + (static_cast<long>(seq_start) + t) * heads * HD + static_cast<long>(head) * HD;
        float inv = 1.0f / l[h];
#pragma unroll
        for (int nd = 0; nd < kDimBlocks; nd++) {
            dst[nd * 8 + 2 * c] = __float2bfloat16(o[nd][2 * h] * inv);
            dst[nd * 8 + 2 * c + 1] = __float2bfloat16(o[nd][2 * h + 1] * inv);
        }
    }
}

#define PT_ATTENTION_MMA(HD)                                                                                          \
    extern "C" __global__ void attention_mma_hd##HD##_bf16(                                                            \
        const float* q, const float* k, const float* v, bf16* out, const int* cu_seqlens_q, const int* cu_seqlens_k,   \
        long q_stride, long kv_stride, int heads, int kv_heads, float scale, int window) {                            \
        attention_mma<HD>(q, k, v, out, cu_seqlens_q, cu_seqlens_k, q_stride, kv_stride, heads, kv_heads, scale,        \
                          window);                                                                                    \
    }                                                                                                                 \
    PT_REGISTER(attention_mma_hd##HD##_bf16)

PT_ATTENTION_MMA(16)
PT_ATTENTION_MMA(32)
PT_ATTENTION_MMA(64)
PT_ATTENTION_MMA(96)
PT_ATTENTION_MMA(128)
PT_ATTENTION_MMA(256)

/** Bytes of dynamic shared memory attention_mma_hd<HD>_bf16 needs (host side; the Java launcher computes the same). */
extern "C" int attention_mma_shared_bytes(int hd) { return static_cast<int>(sizeof(bf16)) * mma_shared_halves(hd); }
