// What the CPU kernels' tests share: a fixed-seed xorshift in [−1, 1) and CHECK, which counts a failure and says why.
#ifndef PROVTRACE_CPU_TEST_CHECK_H
#define PROVTRACE_CPU_TEST_CHECK_H
#include <stdio.h>

static unsigned long long rng = 0x9E3779B97F4A7C15ull;
static float uniform(void) {
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (float) ((rng >> 11) * (1.0 / 9007199254740992.0)) * 2.0f - 1.0f;
}

static int failures;
#define CHECK(cond, ...) do { if (!(cond)) { failures++; printf("FAIL: "); printf(__VA_ARGS__); printf("\n"); } } while (0)

#endif
