// fp16_gemm against a double reference on random and edge-case shapes (llama.cpp test-backend-ops style): NMSE,
// a per-element bound, guard columns and rows around every tile that must stay untouched, tiles that must agree
// bitwise with one whole call, and the values fp16 cannot hold (outliers, 1e30, 1e-30, a NaN row).
#include "../fp16_gemm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long rng = 88172645463325252ull;
static float uniform(void) {   // [-1, 1)
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (float) ((rng >> 11) * (1.0 / 9007199254740992.0)) * 2.0f - 1.0f;
}

static int failures;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; printf("FAIL: "); printf(__VA_ARGS__); printf("\n"); } } while (0)

static const float GUARD = -12345.0f;

// C = A · Wᵀ in tiles of tile_rows × tile_cols (0: whole), into a C with guard columns and rows; returns C
static float *run(const float *a, const float *wsrc, int m, int n, int k, int tile_rows, int tile_cols, int ldc) {
    fp16_weight *w = fp16_weight_new(n, k);
    CHECK(w != NULL, "fp16_weight_new(%d, %d)", n, k);
    int half = n / 2 / FP16_MR * FP16_MR;   // packed in two parts, as threads would
    fp16_weight_pack_rows(w, wsrc, 0, half);
    fp16_weight_pack_rows(w, wsrc + (size_t) half * k, half, n - half);
    void *pa = aligned_alloc(64, (fp16_activations_bytes(m, k) + 63) / 64 * 64);
    int split = m / 2 / FP16_MR * FP16_MR;
    fp16_pack_activations(a, k, m, k, 0, split, pa);
    fp16_pack_activations(a, k, m, k, split, m - split, pa);
    size_t cfloats = (size_t) (m + 2) * ldc;
    float *c = malloc(sizeof(float) * cfloats);
    for (size_t i = 0; i < cfloats; i++) c[i] = GUARD;
    float *cm = c + ldc;   // one guard row above
    int tr = tile_rows ? tile_rows : m, tc = tile_cols ? tile_cols : n;
    for (int r0 = 0; r0 < m; r0 += tr)
        for (int c0 = 0; c0 < n; c0 += tc) {
            int rows = m - r0 < tr ? m - r0 : tr, cols = n - c0 < tc ? n - c0 : tc;
            CHECK(fp16_gemm(pa, m, k, w, r0, rows, c0, cols, cm + (size_t) r0 * ldc + c0, ldc) == 0, "fp16_gemm returned an error");
        }
    free(pa);
    fp16_weight_free(w);
    return c;
}

static void check_shape(const char *what, const float *a, const float *w, int m, int n, int k, double nmse_max) {
    int ldc = n + 5;
    float *c = run(a, w, m, n, k, 0, 0, ldc);
    double e2 = 0, r2 = 0;
    int bad = 0, nan_mismatch = 0;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double ref = 0, mag = 0;
            for (int t = 0; t < k; t++) {
                ref += (double) a[(size_t) i * k + t] * w[(size_t) j * k + t];
                mag += fabs((double) a[(size_t) i * k + t] * w[(size_t) j * k + t]);
            }
            double got = c[(size_t) (i + 1) * ldc + j];
            if (isnan(ref) != isnan(got)) { nan_mismatch++; continue; }
            if (isnan(ref)) continue;
            double e = got - ref;
            e2 += e * e;
            r2 += ref * ref;
            if (fabs(e) > 0.01 * mag + 1e-30 * (mag == 0)) bad++;
        }
    double nmse = r2 > 0 ? e2 / r2 : e2;
    CHECK(nmse <= nmse_max, "%s %dx%dx%d: nmse %.3g > %.3g", what, m, n, k, nmse, nmse_max);
    CHECK(bad == 0, "%s %dx%dx%d: %d elements off by more than 1%% of sum |a·w|", what, m, n, k, bad);
    CHECK(nan_mismatch == 0, "%s %dx%dx%d: %d elements NaN in one and not the other", what, m, n, k, nan_mismatch);
    int guards = 0;
    for (int j = 0; j < ldc; j++) guards += (c[j] != GUARD) + (c[(size_t) (m + 1) * ldc + j] != GUARD);
    for (int i = 1; i <= m; i++)
        for (int j = n; j < ldc; j++) guards += c[(size_t) i * ldc + j] != GUARD;
    CHECK(guards == 0, "%s %dx%dx%d: %d guard values written", what, m, n, k, guards);
    // tiles (rows in multiples of FP16_MR, columns in multiples of FP16_NC) give the very same bits
    int tiles[][2] = {{FP16_MR, FP16_NC}, {2 * FP16_MR, 3 * FP16_NC}, {5 * FP16_MR, 0}};
    for (int t = 0; t < 3; t++) {
        float *ct = run(a, w, m, n, k, tiles[t][0], tiles[t][1], ldc);
        CHECK(memcmp(c, ct, sizeof(float) * (size_t) (m + 2) * ldc) == 0, "%s %dx%dx%d: tiles %dx%d differ from one call",
              what, m, n, k, tiles[t][0], tiles[t][1]);
        free(ct);
    }
    printf("%-10s %4dx%5dx%5d  nmse %.2e\n", what, m, n, k, nmse);
    free(c);
}

static void random_case(const char *what, int m, int n, int k, float ascale, float wscale, double nmse_max) {
    float *a = malloc(sizeof(float) * (size_t) m * k), *w = malloc(sizeof(float) * (size_t) n * k);
    for (size_t i = 0; i < (size_t) m * k; i++) a[i] = uniform() * ascale;
    for (size_t i = 0; i < (size_t) n * k; i++) w[i] = uniform() * wscale;
    if (!strcmp(what, "outliers")) {   // LLM activations: a few channels far above the rest
        for (int i = 0; i < m; i++) a[(size_t) i * k + (i * 7) % k] = 300.0f * ascale;
        for (int j = 0; j < n; j += 3) w[(size_t) j * k + j % k] = 40.0f * wscale;
    }
    if (!strcmp(what, "zero-rows")) {
        memset(a, 0, sizeof(float) * k);
        memset(w + (size_t) (n - 1) * k, 0, sizeof(float) * k);
    }
    if (!strcmp(what, "nan-row")) a[(size_t) (m / 2) * k + k / 3] = NAN;
    check_shape(what, a, w, m, n, k, nmse_max);
    free(a);
    free(w);
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
