// The CPU backend's causal softmax of attention scores on AVX-512F and DQ (java/.../cpu/NativeSoftmax.java): a row
// per (query, head of its GQA group), the masked columns set to 0. softmax_cpu_supported (cpu_features.c) runs on any
// x86-64; softmax_causal_rows needs what it reports: check first.
#ifndef PROVTRACE_SOFTMAX_ROWS_H
#define PROVTRACE_SOFTMAX_ROWS_H
#ifdef __cplusplus
extern "C" {
#endif

// 1 when this CPU and OS run AVX-512F and AVX-512DQ (CPUID and the OS's zmm state in XCR0); 0 otherwise.
int softmax_cpu_supported(void);

// Rows [row0, row1) of scores [rows][keys] (row stride keys): row i is query position pos = p0 + i / group; column
// j is key position k0 + j. The visible columns, first = max(0, pos − window + 1 − k0) (window > 0; else 0) to
// last = pos − k0, become softmax over them (exp(x − max) / Σ); every other column becomes 0.
void softmax_causal_rows(float *scores, int keys, int group, int p0, int k0, int window, int row0, int row1);

#ifdef __cplusplus
}
#endif
#endif
