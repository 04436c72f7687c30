// bf16 → fp32 widening on AVX-512F for the CPU backend's bf16 weights (java/.../cpu/NativeWiden.java): exact (a bf16
// is the top half of an fp32), straight from the file's memory map into native fp32 scratch. Needs what
// softmax_cpu_supported reports (AVX-512F): check first.
#ifndef PROVTRACE_WIDEN_BF16_H
#define PROVTRACE_WIDEN_BF16_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

// dst[i] = the fp32 whose top 16 bits are src[i] and whose low 16 bits are 0, i < n (src little-endian, any alignment).
void widen_bf16(const uint16_t *src, float *dst, size_t n);

#ifdef __cplusplus
}
#endif
#endif
