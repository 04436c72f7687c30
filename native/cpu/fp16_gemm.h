// A CPU GEMM whose products run on AVX512-FP16: C[m, n] = A[m, k] · W[n, k]ᵀ with fp32 A, C and weights packed
// once to fp16. Used by the CPU backend's --precision fp16 (java/.../cpu/Fp16Gemm.java); see fp16_gemm.c for the
// numerics and layouts. Every function but fp16_cpu_supported (cpu_features.c) needs a CPU with AVX512-FP16: check
// that first.
#ifndef PROVTRACE_FP16_GEMM_H
#define PROVTRACE_FP16_GEMM_H
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

enum { FP16_MR = 6, FP16_NC = 64 };   // rows of A per micro-tile, columns of W per packed panel

typedef struct fp16_weight fp16_weight;

// 1 when this CPU and OS run AVX512-FP16 (CPUID and the OS's zmm state in XCR0); 0 otherwise.
int fp16_cpu_supported(void);

// A packed weight of n rows (output columns) × k; rows are filled by fp16_weight_pack_rows. NULL: out of memory.
fp16_weight *fp16_weight_new(int n, int k);
// Packs W rows [row0, row0 + rows) from fp32 src (row-major, stride k). Threads may pack disjoint row ranges.
void fp16_weight_pack_rows(fp16_weight *w, const float *src, int row0, int rows);
void fp16_weight_free(fp16_weight *w);

// Bytes of a packed A of m rows × k (its fp16 pairs and its row scales).
size_t fp16_activations_bytes(int m, int k);
// Packs A rows [row0, row0 + rows) (row0 a multiple of FP16_MR; rows a multiple of it unless they end at m) from
// fp32 a (stride lda) into dst, a buffer of fp16_activations_bytes(m, k). Threads may pack disjoint row blocks.
void fp16_pack_activations(const float *a, long lda, int m, int k, int row0, int rows, void *dst);
// The tile C[row0 : row0 + rows, col0 : col0 + cols] = A · Wᵀ + bias (bias: n floats, or NULL), added to what C
// holds when accumulate is set, for a packed A of m rows; written at c (the tile's first element, C[row0][col0])
// with row stride ldc; row0 a multiple of FP16_MR, col0 a multiple of FP16_NC. Single-threaded; threads may compute
// disjoint tiles. 0, or -1 when out of memory.
int fp16_gemm(const void *packed_a, int m, int k, const fp16_weight *w, const float *bias, int accumulate, int row0,
              int rows, int col0, int cols, float *c, long ldc);
// The same tile of silu(A · Gᵀ + gate_bias) · (A · Uᵀ + up_bias) (SwiGLU; G and U of the same shape, biases NULL
// or n floats), each panel of G and of U summed back to back so the products never leave the tile's buffers.
int fp16_gemm_swiglu(const void *packed_a, int m, int k, const fp16_weight *gate, const float *gate_bias,
                     const fp16_weight *up, const float *up_bias, int row0, int rows, int col0, int cols, float *c, long ldc);

#ifdef __cplusplus
}
#endif
#endif
