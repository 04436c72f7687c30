// attention_f32_rows against a naive double reference (scores, masked softmax, P·V): head dims 8 to 256 (multiples
// of 16 and not), GQA groups of 1, 2 and 7, the causal triangle, chunked prefill (past > 0), sliding windows of 1 to
// 100, sequences that end mid-block, and scores spread up to ±60. Also: the other kv head's columns and a guard row
// after the output stay untouched, and rows split over calls at odd places give the same bits as the 48-row split.
#include "../attention_f32.h"
#include "../softmax_rows.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const float GUARD = -777.0f;

// A sequence of `queries` new tokens after `past` cached ones, 2 kv heads of `group` query heads each; kv head 1 is
// computed, head 0's columns must stay GUARD. q rows have 3 floats of padding (ldq = qDim + 3), as do v and out.
static void check(int head_dim, int group, int queries, int past, int window, float spread) {
    int kv_heads = 2, g = 1, keys = past + queries;
    long q_dim = (long) kv_heads * group * head_dim, ldq = q_dim + 3, ldkv = (long) kv_heads * head_dim + 5, ldo = q_dim + 3;
    float *q = malloc(sizeof(float) * queries * ldq), *k = malloc(sizeof(float) * keys * ldkv),
          *v = malloc(sizeof(float) * keys * ldkv), *out = malloc(sizeof(float) * (queries + 1) * ldo),
          *again = malloc(sizeof(float) * (queries + 1) * ldo);
    for (long i = 0; i < queries * ldq; i++) q[i] = uniform() * spread;
    for (long i = 0; i < keys * ldkv; i++) k[i] = uniform(), v[i] = uniform();
    for (long i = 0; i < (queries + 1) * ldo; i++) out[i] = again[i] = GUARD;
    float scale = 1.0f / sqrtf((float) head_dim);

    const float *kg = k + g * head_dim, *vg = v + g * head_dim;
    const float *qg = q + (long) g * group * head_dim;
    float *kt = malloc(sizeof(float) * attention_packed_floats(keys, head_dim));
    int blocks = (keys + ATTN_KEY_BLOCK - 1) / ATTN_KEY_BLOCK;
    attention_pack_keys(kg, ldkv, keys, head_dim, kt, 0, blocks / 2);   // two packing calls, as two threads make
    attention_pack_keys(kg, ldkv, keys, head_dim, kt, blocks / 2, blocks);
    int rows = queries * group;
    for (int r0 = 0; r0 < rows; r0 += ATTN_TASK_ROWS) {
        int r1 = r0 + ATTN_TASK_ROWS < rows ? r0 + ATTN_TASK_ROWS : rows;
        attention_f32_rows(qg, ldq, kt, vg, ldkv, out + (long) g * group * head_dim, ldo, head_dim, group, past, scale,
                           window, r0, r1);
    }
    for (int r0 = 0, step = 1; r0 < rows; r0 += step, step = step % 13 + 5) {   // calls of 1, 6, 11, 16, ... rows
        int r1 = r0 + step < rows ? r0 + step : rows;
        attention_f32_rows(qg, ldq, kt, vg, ldkv, again + (long) g * group * head_dim, ldo, head_dim, group, past, scale,
                           window, r0, r1);
    }

    double worst = 0, *s = malloc(sizeof(double) * keys);
    for (int i = 0; i < rows; i++) {
        int t = i / group, head = g * group + i % group, pos = past + t;
        int first = window > 0 && pos - window + 1 > 0 ? pos - window + 1 : 0;
        double mx = -INFINITY, sum = 0;
        for (int j = first; j <= pos; j++) {
            double dot = 0;
            for (int c = 0; c < head_dim; c++) dot += (double) q[t * ldq + head * head_dim + c] * k[j * ldkv + g * head_dim + c];
            s[j] = dot * scale;
            mx = fmax(mx, s[j]);
        }
        for (int j = first; j <= pos; j++) sum += (s[j] = exp(s[j] - mx));
        for (int c = 0; c < head_dim; c++) {
            double want = 0;
            for (int j = first; j <= pos; j++) want += s[j] / sum * v[j * ldkv + g * head_dim + c];
            double err = fabs(out[t * ldo + head * head_dim + c] - want);
            if (!(err <= worst)) worst = err;   // a NaN makes worst NaN
        }
    }
    int guards = 0, differ = 0;
    for (long t = 0; t <= queries; t++)
        for (long c = 0; c < ldo; c++) {
            int computed = t < queries && c >= g * group * head_dim && c < (g + 1) * group * head_dim;
            if (!computed) guards += out[t * ldo + c] != GUARD;
            differ += memcmp(&out[t * ldo + c], &again[t * ldo + c], sizeof(float)) != 0;
        }
    // outputs are convex combinations of values in [−1, 1): fp32 rounding of the dot products (a few ulp of scores up
    // to ±60, turned into relative errors of the weights by exp) bounds the error
    double bound = 2e-6 * (1 + spread / 4);
    CHECK(worst <= bound, "head_dim=%d group=%d queries=%d past=%d window=%d spread=%.0f: max error %.3g > %.3g", head_dim,
          group, queries, past, window, spread, worst, bound);
    CHECK(guards == 0, "head_dim=%d group=%d queries=%d: %d values outside the output written", head_dim, group, queries, guards);
    CHECK(differ == 0, "head_dim=%d group=%d queries=%d: %d values differ between two splits of the rows", head_dim, group,
          queries, differ);
    printf("head_dim %3d group %d queries %4d past %4d window %3d spread %4.0f: max error %.2e\n", head_dim, group, queries,
           past, window, spread, worst);
    free(q), free(k), free(v), free(out), free(again), free(kt), free(s);
}

int main(void) {
    if (!softmax_cpu_supported()) {
        printf("SKIP: this CPU has no AVX-512F/DQ (softmax_cpu_supported() == 0)\n");
        return 77;
    }
    check(64, 7, 130, 0, 0, 4);     // Qwen2.5-0.5B's heads: the causal triangle over 3 key blocks, a partial last one
    check(64, 7, 1, 0, 0, 4);       // one token
    check(64, 1, 200, 0, 0, 4);     // no GQA
    check(64, 2, 65, 100, 0, 4);    // chunked prefill: 65 new tokens after 100 cached
    check(64, 7, 9, 300, 0, 4);     // a short chunk after many cached keys
    check(128, 4, 70, 0, 0, 4);     // two 64-column chunks of the head
    check(8, 2, 40, 0, 0, 2);       // tiny heads (the fixtures'): one masked vector
    check(16, 3, 33, 5, 0, 2);
    check(24, 1, 77, 0, 0, 2);      // a head dim that is not a multiple of 16
    check(80, 5, 50, 0, 0, 4);      // 80 = 64 + 16
    check(256, 2, 20, 0, 0, 4);     // the largest head
    check(64, 1, 150, 0, 1, 4);     // a window of 1: each row its own key
    check(64, 7, 150, 0, 17, 4);    // a window inside one block
    check(64, 2, 200, 0, 64, 4);    // a window of exactly one block
    check(32, 7, 90, 120, 100, 4);  // a window across blocks, after cached keys
    check(64, 7, 100, 0, 0, 60);    // scores spread to ±60
    if (failures) {
        printf("%d failures\n", failures);
        return 1;
    }
    printf("all passed\n");
    return 0;
}
