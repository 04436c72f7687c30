// fp16_gemm: C[m, n] = A[m, k] · W[n, k]ᵀ with the products on AVX512-FP16 (vfmadd231ph: 32 multiply-adds per
// instruction, twice fp32 FMA's rate and four times vdpbf16ps's on the CPUs without AMX that have it).
//
// Numerics (why no value can overflow fp16, and what is rounded):
//   * each row i of A is scaled by a power of two s_i so that max_t |a_it · s_i| ∈ [16, 32), each row j of W by
//     t_j so that max_t |w_jt · t_j| ∈ [4, 8); both scalings are exact and are undone on the fp32 result;
//   * the scaled values are rounded to fp16 (11 significant bits, 3 more than bf16);
//   * a product is ≤ 32 · 8 = 2^8 and each fp16 lane sums KIL = 128 of them, so |partial| ≤ 2^15 < 65504; every
//     128 k-pairs the lanes are widened and added in fp32, where the rest of the sum runs.
// Measured against a double reference on the pass's shapes: NMSE ≈ 3e-6 (test/fp16_gemm_test.c checks it).
//
// Layouts. k is taken in pairs (k-pair p = columns 2p, 2p+1; an odd k is padded with a zero):
//   * packed W, panels of NC = 64 rows of W: panel q is [kp][64][2] fp16, so one 64-byte load holds 16 rows × one
//     k-pair; rows beyond n are zero;
//   * packed A: fp16 rows of kp pairs (row-major, rows padded with zero rows to a multiple of MR = 6), then one
//     float per row, 1/s_i;
//   * a micro-tile is 6 rows × 64 columns: 24 zmm accumulators; per k-pair it loads 4 vectors of W and broadcasts
//     6 pairs of A as 32-bit values (vpbroadcastd, a plain load: a 16-bit broadcast costs a shuffle on the FMA
//     ports, which had held an earlier version to half the FMA rate). Lane 2c + h of a vector holds the sum for
//     column c over k-pairs' half h; the two halves are added after the last k-pair.
// Blocking: per panel of 64 columns, k in blocks of 128 pairs (32 KiB of W, kept in L1) over all row blocks of the
// tile; the caller keeps tiles to a few hundred rows so the tile's A stays in L2.
#include "fp16_gemm.h"
#include "exp_avx512.h"

#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MR FP16_MR
#define NC FP16_NC
#define NV (NC / 16)   // zmm vectors across a panel: 16 columns × 2 halves each
#define KIL 128        // k-pairs summed in fp16 before the fp32 flush (the overflow bound above)
#define A_EXP 5        // max |scaled a| < 2^5
#define W_EXP 3        // max |scaled w| < 2^3

struct fp16_weight {
    int n, k, kp, panels;
    _Float16 *packed;   // panels × kp × NC × 2
    float *unscale;     // panels × NC: 1 / t_j (1 for padding rows)
};

static inline size_t round64(size_t bytes) { return (bytes + 63) & ~(size_t) 63; }

// 2^(top - e) with e = floor(log2 max) + 1, so max · 2^(top - e) ∈ [2^(top-1), 2^top); 1 for 0, inf or NaN.
static float power_of_two_scale(float max, int top) {
    if (!(max > 0) || !isfinite(max)) return 1.0f;
    int e;
    frexpf(max, &e);   // max = f · 2^e, f ∈ [0.5, 1)
    int shift = top - e;
    if (shift > 126) shift = 126;
    if (shift < -126) shift = -126;
    return ldexpf(1.0f, shift);
}

// max |x[t]|, or NaN when any x[t] is NaN (so the scale is 1 and the NaN reaches C, as in fp32)
static float max_abs(const float *x, int n) {
    __m512 m = _mm512_setzero_ps();
    __mmask16 nan = 0;
    int t = 0;
    for (; t + 16 <= n; t += 16) {
        __m512 v = _mm512_loadu_ps(x + t);
        nan |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
        m = _mm512_max_ps(m, _mm512_abs_ps(v));
    }
    float r = _mm512_reduce_max_ps(m);
    for (; t < n; t++) {
        float v = fabsf(x[t]);
        if (v != v) return NAN;
        if (v > r) r = v;
    }
    return nan ? NAN : r;
}

// x[0 .. n) · s to fp16, round to nearest even; the tail beyond n (up to an even count) is zero.
static void to_fp16_scaled(const float *x, int n, float s, _Float16 *out) {
    __m512 sv = _mm512_set1_ps(s);
    int t = 0;
    for (; t + 16 <= n; t += 16) {
        __m256i h = _mm512_cvtps_ph(_mm512_mul_ps(_mm512_loadu_ps(x + t), sv), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        _mm256_storeu_si256((__m256i *) (out + t), h);
    }
    for (; t < n; t++) out[t] = (_Float16) (x[t] * s);
    if (n & 1) out[n] = (_Float16) 0.0f;
}

// Row x[0 .. k) scaled by the power of two that puts its largest |value| in [2^(top−1), 2^top), to fp16 in out;
// returns 1 / that scale, which undoes it on the result.
static float scaled_row_to_fp16(const float *x, int k, int top, _Float16 *out) {
    float s = power_of_two_scale(max_abs(x, k), top);
    to_fp16_scaled(x, k, s, out);
    return 1.0f / s;
}

fp16_weight *fp16_weight_new(int n, int k) {
    fp16_weight *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->n = n;
    w->k = k;
    w->kp = (k + 1) / 2;
    w->panels = (n + NC - 1) / NC;
    size_t halves = (size_t) w->panels * w->kp * NC * 2;
    w->packed = aligned_alloc(64, round64(halves * sizeof(_Float16)));
    w->unscale = malloc(sizeof(float) * (size_t) w->panels * NC);
    if (!w->packed || !w->unscale) {
        fp16_weight_free(w);
        return NULL;
    }
    // padding rows (beyond n) stay zero with unscale 1; real rows are overwritten when packed
    for (size_t j = (size_t) n; j < (size_t) w->panels * NC; j++) {
        w->unscale[j] = 1.0f;
        _Float16 *p = w->packed + (j / NC) * (size_t) w->kp * NC * 2 + (j % NC) * 2;
        for (int q = 0; q < w->kp; q++) p[(size_t) q * NC * 2] = p[(size_t) q * NC * 2 + 1] = (_Float16) 0.0f;
    }
    return w;
}

void fp16_weight_pack_rows(fp16_weight *w, const float *src, int row0, int rows) {
    _Float16 *row = malloc(sizeof(_Float16) * (size_t) w->kp * 2);
    if (!row) abort();   // a few KiB: nothing sensible is left to do
    for (int r = 0; r < rows; r++) {
        int j = row0 + r;
        w->unscale[j] = scaled_row_to_fp16(src + (size_t) r * w->k, w->k, W_EXP, row);
        uint32_t *dst = (uint32_t *) (w->packed + (size_t) (j / NC) * w->kp * NC * 2) + (j % NC);
        const uint32_t *pairs = (const uint32_t *) row;
        for (int q = 0; q < w->kp; q++) dst[(size_t) q * NC] = pairs[q];
    }
    free(row);
}

void fp16_weight_free(fp16_weight *w) {
    if (!w) return;
    free(w->packed);
    free(w->unscale);
    free(w);
}

static size_t activation_halves_bytes(int m, int k) {
    size_t blocks = (size_t) (m + MR - 1) / MR;
    return round64(blocks * MR * (size_t) ((k + 1) / 2) * 2 * sizeof(_Float16));
}

size_t fp16_activations_bytes(int m, int k) {
    return activation_halves_bytes(m, k) + sizeof(float) * (size_t) ((m + MR - 1) / MR) * MR;
}

void fp16_pack_activations(const float *a, long lda, int m, int k, int row0, int rows, void *dst) {
    int kp = (k + 1) / 2;
    _Float16 *halves = dst;
    float *unscale = (float *) ((char *) dst + activation_halves_bytes(m, k));
    int end = row0 + rows;
    if (end == m) end = (m + MR - 1) / MR * MR;   // the last block's missing rows are zero
    for (int i = row0; i < end; i++) {
        _Float16 *out = halves + (size_t) i * kp * 2;
        if (i >= m) {
            unscale[i] = 1.0f;
            memset(out, 0, sizeof(_Float16) * kp * 2);
            continue;
        }
        unscale[i] = scaled_row_to_fp16(a + (size_t) i * lda, k, A_EXP, out);
    }
}

// acc[6 × 64 columns] over k-pairs [0, nkp ≤ KIL) of one A block and one W panel block, added into the fp32 pair
// sums cp [MR][NV][32] (lane 2c + h: column c, k-pair half h).
static inline void micro_tile(const _Float16 *a, size_t row_pairs, const _Float16 *b, int nkp, float *cp) {
    __m512h acc[MR][NV];
    for (int i = 0; i < MR; i++)
        for (int v = 0; v < NV; v++) acc[i][v] = _mm512_setzero_ph();
    const int32_t *ap = (const int32_t *) a;   // row i's k-pair q at ap[i · row_pairs + q]
    for (int q = 0; q < nkp; q++, ap++, b += NC * 2) {
        __m512h bv[NV];
        for (int v = 0; v < NV; v++) bv[v] = _mm512_load_ph(b + v * 32);
        for (int i = 0; i < MR; i++) {
            __m512h x = _mm512_castsi512_ph(_mm512_set1_epi32(ap[i * row_pairs]));
            for (int v = 0; v < NV; v++) acc[i][v] = _mm512_fmadd_ph(x, bv[v], acc[i][v]);
        }
    }
    for (int i = 0; i < MR; i++)
        for (int v = 0; v < NV; v++) {
            __m512i h = _mm512_castph_si512(acc[i][v]);
            float *c = cp + (i * NV + v) * 32;
            _mm512_store_ps(c, _mm512_add_ps(_mm512_load_ps(c), _mm512_cvtph_ps(_mm512_castsi512_si256(h))));
            _mm512_store_ps(c + 16, _mm512_add_ps(_mm512_load_ps(c + 16), _mm512_cvtph_ps(_mm512_extracti64x4_epi64(h, 1))));
        }
}

// One panel's pair sums for the tile's row blocks: cp [blocks][MR][NV][32] (zeroed here), k in blocks of KIL pairs
// over every row block, so the panel's 32 KiB of W for those pairs stays in L1 while the rows stream past. Meanwhile
// the next 32 KiB of W (this panel's next k block, or the next panel's first: packed panels are contiguous) is
// prefetched into L2, a few lines per row block: a weight comes cold from memory once per pass, and this was
// 12% faster on such weights (one core, 512 × 4864 × 896 and 512 × 896 × 4864). Prefetches never fault, so the
// lines past the last panel are harmless.
static void panel_sums(const _Float16 *ah, int block0, int blocks, int kp, const fp16_weight *w, int p, float *cp) {
    memset(cp, 0, sizeof(float) * (size_t) blocks * MR * NV * 32);
    const _Float16 *wp = w->packed + (size_t) p * kp * NC * 2;
    for (int q0 = 0; q0 < kp; q0 += KIL) {
        int nkp = kp - q0 < KIL ? kp - q0 : KIL;
        const char *next = (const char *) (wp + (size_t) (q0 + nkp) * NC * 2);
        size_t lines = (size_t) KIL * NC * 4 / 64, per = (lines + blocks - 1) / blocks;
        for (int b = 0; b < blocks; b++) {
            for (size_t l = b * per; l < (b + 1) * per && l < lines; l++) _mm_prefetch(next + l * 64, _MM_HINT_T1);
            micro_tile(ah + ((size_t) (block0 + b) * MR * kp + q0) * 2, kp, wp + (size_t) q0 * NC * 2, nkp,
                       cp + (size_t) b * MR * NV * 32);
        }
    }
}

// Row r's columns [j0, j0 + 16) of a panel's pair sums (pr: the row's [NV][32]), scalings undone, + bias[j0 ..].
static inline __m512 column_sums(const float *pr, int v, const fp16_weight *w, int j0, __m512 row_unscale,
                                 const float *bias, __mmask16 mask) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    __m512 lo = _mm512_load_ps(pr + v * 32), hi = _mm512_load_ps(pr + v * 32 + 16);
    __m512 sum = _mm512_add_ps(_mm512_permutex2var_ps(lo, even, hi), _mm512_permutex2var_ps(lo, odd, hi));
    sum = _mm512_mul_ps(_mm512_mul_ps(sum, _mm512_loadu_ps(w->unscale + j0)), row_unscale);   // exact: powers of two
    if (bias) sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(mask, bias + j0));
    return sum;
}

static inline __mmask16 tail_mask(int count) { return count >= 16 ? (__mmask16) 0xffff : (__mmask16) ((1u << count) - 1u); }

// The tile's C = A · Wᵀ + bias, plus C when accumulate; or, with an up weight, silu(A · Wᵀ + bias) · (A · Uᵀ +
// up_bias) (W the gate), each panel of W and U summed back to back so the products never leave the tile's buffers.
static int tile(const void *packed_a, int m, int k, const fp16_weight *w, const float *bias, const fp16_weight *up,
                const float *up_bias, int accumulate, int row0, int rows, int col0, int cols, float *c, long ldc) {
    int block0 = row0 / MR, blocks = (rows + MR - 1) / MR;
    const float *row_unscale = (const float *) ((const char *) packed_a + activation_halves_bytes(m, k));
    size_t cp_floats = (size_t) blocks * MR * NV * 32;
    float *cp = aligned_alloc(64, round64(sizeof(float) * cp_floats * (up ? 2 : 1)));
    if (!cp) return -1;
    float *cu = cp + cp_floats;   // the up projection's sums (SwiGLU only)
    for (int p = col0 / NC; p * NC < col0 + cols; p++) {
        panel_sums(packed_a, block0, blocks, w->kp, w, p, cp);
        if (up) panel_sums(packed_a, block0, blocks, up->kp, up, p, cu);
        int first = p * NC, last = first + NC < col0 + cols ? first + NC : col0 + cols;   // columns beyond: not written
        for (int r = 0; r < rows; r++) {
            size_t at = ((size_t) (r / MR) * MR * NV + (r % MR) * NV) * 32;
            __m512 ru = _mm512_set1_ps(row_unscale[row0 + r]);
            float *out = c + (size_t) r * ldc;   // the tile's row r, from column col0
            for (int v = 0; v < NV && first + v * 16 < last; v++) {
                int j0 = first + v * 16;
                __mmask16 mask = tail_mask(last - j0);
                __m512 sum = column_sums(cp + at, v, w, j0, ru, bias, mask);
                if (up) {   // silu(g) · u = g / (1 + e^−g) · u
                    __m512 u = column_sums(cu + at, v, up, j0, ru, up_bias, mask);
                    __m512 silu = _mm512_div_ps(sum, _mm512_add_ps(_mm512_set1_ps(1.0f), exp_ps(_mm512_sub_ps(_mm512_setzero_ps(), sum))));
                    sum = _mm512_mul_ps(silu, u);
                } else if (accumulate) {
                    sum = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, out + (j0 - col0)), sum);
                }
                _mm512_mask_storeu_ps(out + (j0 - col0), mask, sum);
            }
        }
    }
    free(cp);
    return 0;
}

int fp16_gemm(const void *packed_a, int m, int k, const fp16_weight *w, const float *bias, int accumulate, int row0,
              int rows, int col0, int cols, float *c, long ldc) {
    return tile(packed_a, m, k, w, bias, NULL, NULL, accumulate, row0, rows, col0, cols, c, ldc);
}

int fp16_gemm_swiglu(const void *packed_a, int m, int k, const fp16_weight *gate, const float *gate_bias,
                     const fp16_weight *up, const float *up_bias, int row0, int rows, int col0, int cols, float *c, long ldc) {
    return tile(packed_a, m, k, gate, gate_bias, up, up_bias, 0, row0, rows, col0, cols, c, ldc);
}
