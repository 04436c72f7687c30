// fp16_cpu_supported: compiled without AVX-512 flags, so it runs on any x86-64 before anything that needs them.
#include "fp16_gemm.h"

#include <cpuid.h>
#include <stdint.h>

int fp16_cpu_supported(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) return 0;   // OSXSAVE: XCR0 is readable
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0xe6) != 0xe6) return 0;   // the OS saves SSE, AVX and the three AVX-512 states
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int avx512f = (b >> 16) & 1, avx512bw = (b >> 30) & 1, avx512vl = (b >> 31) & 1, avx512fp16 = (d >> 23) & 1;
    return avx512f && avx512bw && avx512vl && avx512fp16;
}
