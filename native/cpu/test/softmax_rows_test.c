// softmax_causal_rows against a double reference: causal and sliding-window masks, GQA groups (rows per position),
// a block whose keys start past 0, one visible key, rows of 1 to 2100 keys (tails of every length mod 16), large and
// −inf-free extreme scores; masked columns must be exactly 0, a guard after the block untouched.
#include "../softmax_rows.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

static const float GUARD = -777.0f;

// rows = queries · group; queries at positions p0 .. p0 + queries − 1; keys at k0 .. k0 + keys − 1
static void check(int queries, int group, int keys, int p0, int k0, int window, float spread) {
    int rows = queries * group;
    float *s = malloc(sizeof(float) * ((size_t) rows * keys + 16)), *x = malloc(sizeof(float) * (size_t) rows * keys);
    for (size_t i = 0; i < (size_t) rows * keys; i++) s[i] = x[i] = uniform() * spread;
    for (int g = 0; g < 16; g++) s[(size_t) rows * keys + g] = GUARD;
    int split = rows / 3;   // two calls, as two threads would make
    softmax_causal_rows(s, keys, group, p0, k0, window, 0, split);
    softmax_causal_rows(s, keys, group, p0, k0, window, split, rows);
    double worst = 0;
    int masked_bad = 0;
    for (int i = 0; i < rows; i++) {
        int pos = p0 + i / group;
        int first = window > 0 ? pos - window + 1 - k0 : 0;
        if (first < 0) first = 0;
        int last = pos - k0;
        double m = -INFINITY, sum = 0;
        for (int j = first; j <= last; j++) m = fmax(m, x[(size_t) i * keys + j]);
        for (int j = first; j <= last; j++) sum += exp((double) x[(size_t) i * keys + j] - m);
        for (int j = 0; j < keys; j++) {
            float got = s[(size_t) i * keys + j];
            if (j < first || j > last) { masked_bad += got != 0.0f; continue; }
            double want = exp((double) x[(size_t) i * keys + j] - m) / sum;
            // below fp32's smallest normal a probability has few or no bits left (e^−160 underflows): there the
            // error may be a few subnormal steps (1.4e-45 each)
            double rel = want >= 1.2e-38 ? fabs(got - want) / want : (fabs(got - want) <= 1e-44 ? 0 : 1);
            if (!(rel <= worst)) worst = rel;   // a NaN makes worst NaN
        }
    }
    int guards = 0;
    for (int g = 0; g < 16; g++) guards += s[(size_t) rows * keys + g] != GUARD;
    // x − max is rounded to fp32 as the kernel computes it (an ulp at 160 is 1.5e-5), and exp turns that absolute
    // error into a relative one: the bound is that rounding's, for scores within ±80
    CHECK(worst <= 2e-5, "queries=%d group=%d keys=%d p0=%d k0=%d window=%d: max relative error %.3g", queries, group, keys,
          p0, k0, window, worst);
    CHECK(masked_bad == 0, "queries=%d keys=%d window=%d: %d masked columns not 0", queries, keys, window, masked_bad);
    CHECK(guards == 0, "queries=%d keys=%d: %d guard values written", queries, keys, guards);
    printf("queries %4d group %d keys %4d p0 %4d k0 %4d window %3d spread %6.1f: max rel error %.2e\n", queries, group,
           keys, p0, k0, window, spread, worst);
    free(s);
    free(x);
}

int main(void) {
    if (!softmax_cpu_supported()) {
        printf("SKIP: this CPU has no AVX-512F/DQ (softmax_cpu_supported() == 0)\n");
        return 77;
    }
    check(1, 1, 1, 0, 0, 0, 1);            // one key
    check(17, 1, 17, 0, 0, 0, 3);          // the causal triangle, tails 1 .. 17
    check(40, 7, 40, 0, 0, 0, 8);          // a GQA group of 7
    check(33, 2, 33 + 100, 100, 0, 0, 5);  // a block after 100 earlier keys (chunked prefill)
    check(128, 7, 2100, 1972, 0, 0, 10);   // the last block of a 2100-token sequence
    check(64, 1, 64, 0, 0, 8, 4);          // a sliding window of 8
    check(30, 3, 30 + 9, 200, 191, 10, 4); // a window whose keys start at k0 = 191
    check(50, 1, 50, 0, 0, 1, 4);          // a window of 1: each row its own key
    check(20, 1, 20, 0, 0, 0, 80);         // scores spread over ±80 (exp near fp32's limits)
    if (failures) {
        printf("%d failures\n", failures);
        return 1;
    }
    printf("all passed\n");
    return 0;
}
