// attention_f32_rows: fused causal attention in fp32 (flash-style online softmax) on AVX-512F/DQ.
//
// Why: the unfused path writes a score block of (query rows × keys) floats, reads it back for the softmax and again
// for P·V. At 2048 tokens a block of Qwen2.5-0.5B's is 7 MiB, far outside L2, and attention took 22% of the fp16
// pass (32% at 4096). Here the scores of a 6-row tile and a 64-key block live in 24 zmm registers.
//
// Math, per query row (one head at one position pos; visible keys V(pos) = [max(0, pos − window + 1), pos]):
//   s_j = scale · q · k_j,   out = Σ_{j ∈ V} e^{s_j − M} v_j / Σ_{j ∈ V} e^{s_j − M},   M = max s_j,
// computed over key blocks b of 64 in order (online softmax): m' = max(m, max_b s), α = e^{m − m'},
// l ← α·l + Σ_b e^{s − m'}, o ← α·o + Σ_b e^{s − m'} v, m ← m'; finally out = o / l.
// A block where a row sees no key leaves that row exactly as it was (α = 1 is not even applied: p = 0 and the
// FMA adds +0), so a row's bits depend on its own keys only, whatever tile or call it was computed in.
//
// Layout and loop order, for one call (≤ 48 rows of one kv head and one sequence):
//   for each key block b the rows need (its 64 keys' packed Kᵀ: head_dim × 64 floats, and their V rows — 32 KiB at
//   head_dim 64, in L1 for all 8 tiles):
//     for each 6-row tile that sees a key of b:
//       S[6][64] = Q_tile · Kᵀ_b  (24 accumulators; each step broadcasts q[r][c] and loads 4 vectors of Kᵀ row c)
//       mask (causal, window), scale, online-softmax update, P[6][64] to a 1.5 KiB buffer
//       O[6][c:c+64] = α·O + P · V_b for each 64-column chunk c (24 accumulators; O stays in the call's buffer)
//   O rows scaled by 1 / l into out.
// The GQA group's heads share K and V: rows i and i+1 are usually two heads at one position, so one key block
// serves the whole group from L1.
#include "attention_f32.h"
#include "exp_avx512.h"

#include <immintrin.h>
#include <math.h>

#define KB ATTN_KEY_BLOCK
#define TR ATTN_TILE_ROWS

size_t attention_packed_floats(int keys, int head_dim) {
    return (size_t) ((keys + KB - 1) / KB) * (size_t) head_dim * KB;
}

void attention_pack_keys(const float *k, long ldk, int keys, int head_dim, float *kt, int block0, int block1) {
    for (int b = block0; b < block1; b++) {
        float *dst = kt + (size_t) b * head_dim * KB;
        int j0 = b * KB, n = keys - j0 < KB ? keys - j0 : KB;
        for (int j = 0; j < n; j++) {
            const float *row = k + (long) (j0 + j) * ldk;
            for (int c = 0; c < head_dim; c++) dst[c * KB + j] = row[c];
        }
        for (int c = 0; c < head_dim; c++)
            for (int j = n; j < KB; j++) dst[c * KB + j] = 0.0f;
    }
}

// O[6][64] = α · O + P[6][0 : nk] · V[0 : nk][64] for one 64-column chunk (o, v at its first column); dm0..dm3:
// the chunk's columns inside the head. Inlined twice, with all-ones masks for whole chunks: a mask kept in a
// general register would cost a kmov on an FMA port per key.
static inline __attribute__((always_inline)) void pv_chunk(const float *p, const float *alpha, float *o, int dpad,
                                                           const float *v, long ldv, int nk, __mmask16 dm0, __mmask16 dm1,
                                                           __mmask16 dm2, __mmask16 dm3) {
    __m512 acc[TR][4];
#pragma GCC unroll 6
    for (int r = 0; r < TR; r++) {
        __m512 al = _mm512_set1_ps(alpha[r]);
#pragma GCC unroll 4
        for (int x = 0; x < 4; x++) acc[r][x] = _mm512_mul_ps(_mm512_load_ps(o + r * dpad + 16 * x), al);
    }
    for (int j = 0; j < nk; j++) {
        const float *vr = v + (long) j * ldv;
        __m512 v0 = _mm512_maskz_loadu_ps(dm0, vr), v1 = _mm512_maskz_loadu_ps(dm1, vr + 16),
               v2 = _mm512_maskz_loadu_ps(dm2, vr + 32), v3 = _mm512_maskz_loadu_ps(dm3, vr + 48);
#pragma GCC unroll 6
        for (int r = 0; r < TR; r++) {
            __m512 pv = _mm512_set1_ps(p[r * KB + j]);
            acc[r][0] = _mm512_fmadd_ps(pv, v0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(pv, v1, acc[r][1]);
            acc[r][2] = _mm512_fmadd_ps(pv, v2, acc[r][2]);
            acc[r][3] = _mm512_fmadd_ps(pv, v3, acc[r][3]);
        }
    }
#pragma GCC unroll 6
    for (int r = 0; r < TR; r++)
#pragma GCC unroll 4
        for (int x = 0; x < 4; x++) _mm512_store_ps(o + r * dpad + 16 * x, acc[r][x]);
}

// One 6-row tile against key block j0 .. j0 + 63. qr: the rows' q; first/last: their visible keys; m, l: their
// softmax state; o: their accumulators (row stride dpad); kb: the block's packed Kᵀ; v: value row j0; p: scratch.
static void tile_block(const float *const *qr, const int *first, const int *last, float *m, __m512 *l, float *o, int dpad,
                       const float *kb, const float *v, long ldv, int head_dim, int j0, float scale, float *p) {
    __m512 s[TR][4];
#pragma GCC unroll 6
    for (int r = 0; r < TR; r++)
#pragma GCC unroll 4
        for (int x = 0; x < 4; x++) s[r][x] = _mm512_setzero_ps();
    for (int c = 0; c < head_dim; c++) {
        const float *kc = kb + c * KB;
        __m512 k0 = _mm512_loadu_ps(kc), k1 = _mm512_loadu_ps(kc + 16), k2 = _mm512_loadu_ps(kc + 32), k3 = _mm512_loadu_ps(kc + 48);
#pragma GCC unroll 6
        for (int r = 0; r < TR; r++) {
            __m512 qv = _mm512_set1_ps(qr[r][c]);
            s[r][0] = _mm512_fmadd_ps(qv, k0, s[r][0]);
            s[r][1] = _mm512_fmadd_ps(qv, k1, s[r][1]);
            s[r][2] = _mm512_fmadd_ps(qv, k2, s[r][2]);
            s[r][3] = _mm512_fmadd_ps(qv, k3, s[r][3]);
        }
    }

    // masks, scale and the online softmax; nk: the block's columns that any row sees end before nk. No libm call
    // here: a call would spill the other rows' score registers.
    int nk = 0;
    unsigned long long bits[TR];
    _Alignas(64) float mold[16] = {0}, mnew[16] = {0}, alpha[16];
    const __m512 vscale = _mm512_set1_ps(scale);
#pragma GCC unroll 6
    for (int r = 0; r < TR; r++) {
        int a = first[r] - j0, z = last[r] - j0;
        if (a < 0) a = 0;
        if (z > KB - 1) z = KB - 1;
        bits[r] = z < a ? 0 : (~0ull >> (63 - z)) & (~0ull << a);
        if (!bits[r]) continue;   // no key of this block for this row: it stays as it was
        if (z + 1 > nk) nk = z + 1;
        __m512 mx = _mm512_set1_ps(-INFINITY);
#pragma GCC unroll 4
        for (int x = 0; x < 4; x++) {
            s[r][x] = _mm512_mul_ps(s[r][x], vscale);
            mx = _mm512_mask_max_ps(mx, (__mmask16) (bits[r] >> (16 * x)), mx, s[r][x]);
        }
        float bm = _mm512_reduce_max_ps(mx);
        mold[r] = m[r];
        mnew[r] = m[r] > bm ? m[r] : bm;
    }
    // α = e^{m − m'}: 0 on a row's first block (m = −inf; exp_ps clamps it), exactly 1 where the row sees no key
    _mm512_store_ps(alpha, exp_ps(_mm512_sub_ps(_mm512_load_ps(mold), _mm512_load_ps(mnew))));
#pragma GCC unroll 6
    for (int r = 0; r < TR; r++) {
        if (!bits[r]) {
#pragma GCC unroll 4
            for (int x = 0; x < 4; x++) _mm512_store_ps(p + r * KB + 16 * x, _mm512_setzero_ps());
            continue;
        }
        __m512 shift = _mm512_set1_ps(mnew[r]), sum = _mm512_setzero_ps();
#pragma GCC unroll 4
        for (int x = 0; x < 4; x++) {
            __m512 e = _mm512_maskz_mov_ps((__mmask16) (bits[r] >> (16 * x)), exp_ps(_mm512_sub_ps(s[r][x], shift)));
            _mm512_store_ps(p + r * KB + 16 * x, e);
            sum = _mm512_add_ps(sum, e);
        }
        l[r] = _mm512_fmadd_ps(l[r], _mm512_set1_ps(alpha[r]), sum);   // summed across lanes once, at the end
        m[r] = mnew[r];
    }

    // O = α·O + P · V over 64-column chunks of the head
    for (int cc = 0; cc < head_dim; cc += 64) {
        if (head_dim - cc >= 64) pv_chunk(p, alpha, o + cc, dpad, v + cc, ldv, nk, 0xffff, 0xffff, 0xffff, 0xffff);
        else pv_chunk(p, alpha, o + cc, dpad, v + cc, ldv, nk, lanes(head_dim - cc), lanes(head_dim - cc - 16),
                      lanes(head_dim - cc - 32), lanes(head_dim - cc - 48));
    }
}

void attention_f32_rows(const float *q, long ldq, const float *kt, const float *v, long ldv, float *out, long ldo,
                        int head_dim, int group, int past, float scale, int window, int row0, int row1) {
    int n = row1 - row0, tiles = (n + TR - 1) / TR, dpad = (head_dim + 63) & ~63;
    _Alignas(64) float o[ATTN_TASK_ROWS * ATTN_MAX_HEAD_DIM];
    _Alignas(64) float p[TR * KB];
    float m[ATTN_TASK_ROWS];
    __m512 l[ATTN_TASK_ROWS];   // the rows' softmax denominators, in 16 lanes each
    const float *qr[ATTN_TASK_ROWS];
    int first[ATTN_TASK_ROWS], last[ATTN_TASK_ROWS];
    int tile_lo[ATTN_TASK_ROWS / TR], tile_hi[ATTN_TASK_ROWS / TR];   // the keys each tile's rows see, together
    int lo = 1 << 30, hi = -1;
    for (int r = 0; r < tiles * TR; r++) {
        int i = row0 + (r < n ? r : n - 1);   // a partial last tile repeats its last row (never written out)
        int pos = past + i / group;
        qr[r] = q + (long) (i / group) * ldq + (long) (i % group) * head_dim;
        first[r] = window > 0 && pos - window + 1 > 0 ? pos - window + 1 : 0;
        last[r] = pos;
        m[r] = -INFINITY;
        l[r] = _mm512_setzero_ps();
        for (int c = 0; c < dpad; c++) o[r * dpad + c] = 0.0f;
        if (first[r] < lo) lo = first[r];
        if (last[r] > hi) hi = last[r];
        if (r % TR == 0 || first[r] < tile_lo[r / TR]) tile_lo[r / TR] = first[r];
        if (r % TR == 0 || last[r] > tile_hi[r / TR]) tile_hi[r / TR] = last[r];
    }
    for (int b = lo / KB; b <= hi / KB; b++) {
        int j0 = b * KB;
        const float *kb = kt + (size_t) b * head_dim * KB, *vb = v + (long) j0 * ldv;
        for (int t = 0; t < tiles; t++) {
            int r0 = t * TR;
            if (tile_hi[t] < j0 || tile_lo[t] > j0 + KB - 1) continue;
            tile_block(qr + r0, first + r0, last + r0, m + r0, l + r0, o + (long) r0 * dpad, dpad, kb, vb, ldv, head_dim,
                       j0, scale, p);
        }
    }
    for (int r = 0; r < n; r++) {
        int i = row0 + r;
        float *dst = out + (long) (i / group) * ldo + (long) (i % group) * head_dim;
        __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(l[r]));
        for (int c = 0; c < head_dim; c += 16)
            _mm512_mask_storeu_ps(dst + c, lanes(head_dim - c), _mm512_mul_ps(_mm512_load_ps(o + r * dpad + c), inv));
    }
}
