// What this CPU and OS run, for Java to ask before it calls anything built with AVX-512 flags: this file is compiled
// without them, so it runs on any x86-64.
#include "fp16_gemm.h"
#include "softmax_rows.h"

#include <cpuid.h>
#include <stdint.h>

// CPUID leaf 7's EBX and EDX when the OS saves the AVX-512 state (XCR0: SSE, AVX, opmask, zmm 0–15 high halves,
// zmm 16–31); 0 otherwise, so no AVX-512 feature is reported where the OS would not preserve the registers.
static int avx512_leaf7(unsigned *ebx, unsigned *edx) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) return 0;   // OSXSAVE: XCR0 is readable
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0xe6) != 0xe6) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    *ebx = b;
    *edx = d;
    return 1;
}

int fp16_cpu_supported(void) {
    unsigned b, d;
    if (!avx512_leaf7(&b, &d)) return 0;
    int avx512f = (b >> 16) & 1, avx512bw = (b >> 30) & 1, avx512vl = (b >> 31) & 1, avx512fp16 = (d >> 23) & 1;
    return avx512f && avx512bw && avx512vl && avx512fp16;
}

int softmax_cpu_supported(void) {
    unsigned b, d;
    return avx512_leaf7(&b, &d) && ((b >> 16) & 1) && ((b >> 17) & 1);   // AVX-512F and DQ
}
