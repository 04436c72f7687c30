// widen_bf16 against the definition (bits << 16) for every 16-bit pattern, at every tail length and misalignment;
// the words past n must stay untouched.
#include "../widen_bf16.h"
#include "../softmax_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    if (!softmax_cpu_supported()) {
        printf("widen_bf16_test: no AVX-512F here, skipped\n");
        return 77;
    }
    enum { N = 65536 + 40 };
    uint16_t *src = malloc(sizeof(uint16_t) * (N + 1));
    float *dst = malloc(sizeof(float) * (N + 8));
    int failures = 0;
    for (size_t i = 0; i < N + 1; i++) src[i] = (uint16_t) (i * 40503u);   // every pattern once in the first 65536
    for (size_t offset = 0; offset < 2; offset++) {                          // src misaligned by one word
        for (size_t n = 0; n <= 40 || n == N; n = n == 40 ? N : n + 1) {
            for (size_t g = 0; g < 8; g++) memcpy(&dst[n + g], &(uint32_t) {0xdeadbeefu}, 4);
            widen_bf16(src + offset, dst, n);
            for (size_t i = 0; i < n; i++) {
                uint32_t got;
                memcpy(&got, &dst[i], 4);
                uint32_t want = (uint32_t) src[offset + i] << 16;
                if (got != want && failures++ < 5) printf("n %zu offset %zu: dst[%zu] = %08x, want %08x\n", n, offset, i, got, want);
            }
            for (size_t g = 0; g < 8; g++) {
                uint32_t guard;
                memcpy(&guard, &dst[n + g], 4);
                if (guard != 0xdeadbeefu && failures++ < 5) printf("n %zu: the word %zu past the end was written\n", n, g);
            }
        }
    }
    free(src);
    free(dst);
    printf("widen_bf16_test: %s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
