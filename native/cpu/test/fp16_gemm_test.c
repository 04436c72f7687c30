// fp16_gemm against a double reference on random and edge-case shapes (llama.cpp test-backend-ops style): NMSE,
// a per-element bound, guard columns and rows around every tile that must stay untouched, tiles that must agree
// bitwise with one whole call, and the values fp16 cannot hold (outliers, 1e30, 1e-30, a NaN row).
#include "../fp16_gemm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const float GUARD = -12345.0f;

// What a case computes: A · Wᵀ; A · Wᵀ + bias added to what C holds; silu(A · Gᵀ + bg) · (A · Uᵀ + bu).
enum mode { PLAIN, BIAS_ACCUMULATE, SWIGLU };
static const char *MODE_NAMES[] = {"", " +bias+=", " swiglu"};

typedef struct {
    const float *a, *w, *w2, *bias, *bias2;   // w2, bias2: the up projection (SWIGLU)
    int m, n, k;
    enum mode mode;
} gemm_case;

static float initial(int i, int j) { return (float) ((i * 31 + j * 7) % 13) - 6.0f; }   // C before an accumulate

static fp16_weight *pack(const float *src, int n, int k) {
    fp16_weight *w = fp16_weight_new(n, k);
    CHECK(w != NULL, "fp16_weight_new(%d, %d)", n, k);
    int half = n / 2 / FP16_MR * FP16_MR;   // packed in two parts, as threads would
    fp16_weight_pack_rows(w, src, 0, half);
    fp16_weight_pack_rows(w, src + (size_t) half * k, half, n - half);
    return w;
}

// The case in tiles of tile_rows × tile_cols (0: whole), into a C with a guard row above and below and guard
// columns to the right; returns that C ((m + 2) × ldc)
static float *run(const gemm_case *g, int tile_rows, int tile_cols, int ldc) {
    int m = g->m, n = g->n, k = g->k;
    fp16_weight *w = pack(g->w, n, k), *w2 = g->mode == SWIGLU ? pack(g->w2, n, k) : NULL;
    void *pa = aligned_alloc(64, (fp16_activations_bytes(m, k) + 63) / 64 * 64);
    int split = m / 2 / FP16_MR * FP16_MR;
    fp16_pack_activations(g->a, k, m, k, 0, split, pa);
    fp16_pack_activations(g->a, k, m, k, split, m - split, pa);
    size_t cfloats = (size_t) (m + 2) * ldc;
    float *c = malloc(sizeof(float) * cfloats);
    for (size_t i = 0; i < cfloats; i++) c[i] = GUARD;
    float *cm = c + ldc;
    if (g->mode == BIAS_ACCUMULATE)
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) cm[(size_t) i * ldc + j] = initial(i, j);
    int tr = tile_rows ? tile_rows : m, tc = tile_cols ? tile_cols : n;
    for (int r0 = 0; r0 < m; r0 += tr)
        for (int c0 = 0; c0 < n; c0 += tc) {
            int rows = m - r0 < tr ? m - r0 : tr, cols = n - c0 < tc ? n - c0 : tc;
            float *tile = cm + (size_t) r0 * ldc + c0;
            int rc = g->mode == SWIGLU ? fp16_gemm_swiglu(pa, m, k, w, g->bias, w2, g->bias2, r0, rows, c0, cols, tile, ldc)
                                       : fp16_gemm(pa, m, k, w, g->mode == PLAIN ? NULL : g->bias, g->mode == BIAS_ACCUMULATE,
                                                   r0, rows, c0, cols, tile, ldc);
            CHECK(rc == 0, "fp16_gemm returned an error");
        }
    free(pa);
    fp16_weight_free(w);
    fp16_weight_free(w2);
    return c;
}

// Σ_t a[i, t] · w[j, t] and Σ_t |a[i, t] · w[j, t]|, in double
static void dot(const gemm_case *g, const float *w, int i, int j, double *sum, double *mag) {
    *sum = *mag = 0;
    for (int t = 0; t < g->k; t++) {
        double p = (double) g->a[(size_t) i * g->k + t] * w[(size_t) j * g->k + t];
        *sum += p;
        *mag += fabs(p);
    }
}

static void check_case(const char *what, const gemm_case *g, double nmse_max) {
    int m = g->m, n = g->n, ldc = n + 5;
    float *c = run(g, 0, 0, ldc);
    double e2 = 0, r2 = 0;
    int bad = 0, nan_mismatch = 0;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double ref, mag;
            dot(g, g->w, i, j, &ref, &mag);
            double bound = 0.01 * mag;   // fp16 inputs and partial sums: well inside 1% of Σ|a·w|
            if (g->mode == BIAS_ACCUMULATE) ref = initial(i, j) + (ref + g->bias[j]);
            if (g->mode == SWIGLU) {
                double u, umag;
                dot(g, g->w2, i, j, &u, &umag);
                double gate = ref + g->bias[j];
                u += g->bias2[j];
                double silu = gate / (1 + exp(-gate));
                ref = silu * u;
                bound = 1.1 * fabs(u) * 0.01 * mag + fabs(silu) * 0.01 * umag;   // |silu'| ≤ 1.1
            }
            double got = c[(size_t) (i + 1) * ldc + j];
            if (isnan(ref) != isnan(got)) { nan_mismatch++; continue; }
            if (isnan(ref)) continue;
            double e = got - ref;
            e2 += e * e;
            r2 += ref * ref;
            if (fabs(e) > bound + 1e-6 * fabs(ref) + 1e-30) bad++;
        }
    double nmse = r2 > 0 ? e2 / r2 : e2;
    const char *mode = MODE_NAMES[g->mode];
    CHECK(nmse <= nmse_max, "%s%s %dx%dx%d: nmse %.3g > %.3g", what, mode, m, n, g->k, nmse, nmse_max);
    CHECK(bad == 0, "%s%s %dx%dx%d: %d elements off by more than 1%% of sum |a·w|", what, mode, m, n, g->k, bad);
    CHECK(nan_mismatch == 0, "%s%s %dx%dx%d: %d elements NaN in one and not the other", what, mode, m, n, g->k, nan_mismatch);
    int guards = 0;
    for (int j = 0; j < ldc; j++) guards += (c[j] != GUARD) + (c[(size_t) (m + 1) * ldc + j] != GUARD);
    for (int i = 1; i <= m; i++)
        for (int j = n; j < ldc; j++) guards += c[(size_t) i * ldc + j] != GUARD;
    CHECK(guards == 0, "%s%s %dx%dx%d: %d guard values written", what, mode, m, n, g->k, guards);
    // tiles (rows in multiples of FP16_MR, columns in multiples of FP16_NC) give the very same bits
    int tiles[][2] = {{FP16_MR, FP16_NC}, {2 * FP16_MR, 3 * FP16_NC}, {5 * FP16_MR, 0}};
    for (int t = 0; t < 3; t++) {
        float *ct = run(g, tiles[t][0], tiles[t][1], ldc);
        CHECK(memcmp(c, ct, sizeof(float) * (size_t) (m + 2) * ldc) == 0, "%s%s %dx%dx%d: tiles %dx%d differ from one call",
              what, mode, m, n, g->k, tiles[t][0], tiles[t][1]);
        free(ct);
    }
    printf("%-10s%-9s %4dx%5dx%5d  nmse %.2e\n", what, mode, m, n, g->k, nmse);
    free(c);
}

static float *gaussianish(size_t n, float scale) {
    float *x = malloc(sizeof(float) * n);
    for (size_t i = 0; i < n; i++) x[i] = uniform() * scale;
    return x;
}

static void random_case(const char *what, int m, int n, int k, float ascale, float wscale, double nmse_max) {
    float *a = gaussianish((size_t) m * k, ascale), *w = gaussianish((size_t) n * k, wscale);
    float *w2 = gaussianish((size_t) n * k, wscale), *bias = gaussianish(n, 1), *bias2 = gaussianish(n, 1);
    if (!strcmp(what, "outliers")) {   // LLM activations: a few channels far above the rest
        for (int i = 0; i < m; i++) a[(size_t) i * k + (i * 7) % k] = 300.0f * ascale;
        for (int j = 0; j < n; j += 3) w[(size_t) j * k + j % k] = 40.0f * wscale;
    }
    if (!strcmp(what, "zero-rows")) {
        memset(a, 0, sizeof(float) * k);
        memset(w + (size_t) (n - 1) * k, 0, sizeof(float) * k);
    }
    if (!strcmp(what, "nan-row")) a[(size_t) (m / 2) * k + k / 3] = NAN;
    int extreme = !strcmp(what, "huge") || !strcmp(what, "tiny");   // SwiGLU of 1e37 has no float answer: plain only
    for (int mode = PLAIN; mode <= (extreme ? PLAIN : SWIGLU); mode++) {
        gemm_case g = {a, w, w2, bias, bias2, m, n, k, (enum mode) mode};
        check_case(what, &g, nmse_max);
    }
    free(a);
    free(w);
    free(w2);
    free(bias);
    free(bias2);
}

int main(void) {
    if (!fp16_cpu_supported()) {
        printf("SKIP: this CPU has no AVX512-FP16 (fp16_cpu_supported() == 0)\n");
        return 77;   // ctest's skip code (SKIP_RETURN_CODE)
    }
    int shapes[][3] = {{1, 1, 1}, {1, 64, 2}, {5, 63, 7}, {6, 64, 256}, {7, 65, 257}, {13, 130, 300},
                       {31, 200, 1000}, {12, 128, 4864}, {64, 896, 896}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        random_case("random", shapes[s][0], shapes[s][1], shapes[s][2], 2.0f, 0.05f, 2e-5);
    random_case("outliers", 19, 150, 896, 1.0f, 0.05f, 2e-5);
    random_case("huge", 7, 70, 300, 1e30f, 1e5f, 2e-5);     // products beyond fp16 (and near fp32's top)
    random_case("tiny", 7, 70, 300, 1e-20f, 1e-15f, 2e-5);  // values below fp16's smallest subnormal
    random_case("zero-rows", 13, 70, 129, 1.0f, 1.0f, 2e-5);
    random_case("nan-row", 13, 70, 129, 1.0f, 1.0f, 2e-5);
    if (failures) {
        printf("%d failures\n", failures);
        return 1;
    }
    printf("all passed\n");
    return 0;
}
