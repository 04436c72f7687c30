// The CPU backend's fused causal attention in fp32 on AVX-512F/DQ (java/.../cpu/NativeAttention.java): scores,
// the (sliding-window) causal softmax and P·V in one pass over the keys, in blocks that stay in L1, with no score
// matrix in memory. See attention_f32.c for the algorithm. softmax_cpu_supported (softmax_rows.h) says whether this
// CPU runs it: check first.
#ifndef PROVTRACE_ATTENTION_F32_H
#define PROVTRACE_ATTENTION_F32_H
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

enum {
    ATTN_KEY_BLOCK = 64,      // keys per block of the packed keys (and of the online softmax)
    ATTN_MAX_HEAD_DIM = 256,  // largest head dimension the kernel takes
    ATTN_TILE_ROWS = 6,       // query rows per register tile
    ATTN_TASK_ROWS = 48       // query rows one call keeps in flight: each key block is loaded once for all of them
};

// Floats of the packed keys of one kv head with `keys` keys: ceil(keys / 64) blocks of head_dim × 64.
size_t attention_packed_floats(int keys, int head_dim);

// Packs key blocks [block0, block1) of one kv head: key j (row j of k, stride ldk, head_dim floats) goes to
// kt[(j / 64) · head_dim · 64 + c · 64 + j % 64] for c < head_dim, so a block's column c is 64 contiguous floats.
// Slots past the last key (`keys`) are 0. Threads may pack disjoint block ranges.
void attention_pack_keys(const float *k, long ldk, int keys, int head_dim, float *kt, int block0, int block1);

// out = softmax(scale · q · Kᵀ, causal and windowed) · V for query rows [row0, row1) of one (sequence, kv head),
// row1 − row0 ≤ ATTN_TASK_ROWS, head_dim ≤ ATTN_MAX_HEAD_DIM. Row i is head i % group of that kv head's group at
// query position pos = past + i / group: its q at q + (i / group) · ldq + (i % group) · head_dim, its output at
// out + (i / group) · ldo + (i % group) · head_dim. It sees keys max(0, pos − window + 1) (window > 0; else 0) to
// pos: packed in kt (attention_pack_keys), values at v + j · ldv. Each row's result depends on that row alone (not
// on row0, row1 or the other rows), so any split over calls gives the same bits.
void attention_f32_rows(const float *q, long ldq, const float *kt, const float *v, long ldv, float *out, long ldo,
                        int head_dim, int group, int past, float scale, int window, int row0, int row1);

#ifdef __cplusplus
}
#endif
#endif
