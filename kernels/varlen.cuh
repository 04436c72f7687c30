// The varlen (FlashAttention-2) block decode both attention kernels start with: which sequence, rows and keys a
// block of the grid (ceil(max_seqlen_q / queries), heads, sequences) works on, and its head's q/k/v rows.
#pragma once

#include "common.cuh"

/**
 * Block (x, head, sequence) of a packed varlen batch: the sequence's queries are rows [seq_start, seq_start + len)
 * of q, its keys rows [key_start, key_start + past + len) of k and v (past: keys cached by earlier chunks, before
 * its own); the block holds query rows [q_first, q_last] of the sequence, which see keys up to key_last.
 */
struct VarlenBlock {
    int seq_start, len, key_start, past, q_first, q_last, key_last, head, group;
    const float *q_base, *k_base, *v_base;   // head 0 of row 0 of this sequence's q, and of its kv group's k and v
};

/** Fills {@code b} for this block; false when the block is past the end of its sequence (it has no rows). */
template <int HD>
__device__ __forceinline__ bool varlen_block(VarlenBlock& b, const float* q, const float* k, const float* v,
                                             const int* cu_seqlens_q, const int* cu_seqlens_k, long q_stride,
                                             long kv_stride, int heads, int kv_heads, int queries) {
    b.seq_start = cu_seqlens_q[blockIdx.z];
    b.len = cu_seqlens_q[blockIdx.z + 1] - b.seq_start;
    b.key_start = cu_seqlens_k[blockIdx.z];
    b.past = cu_seqlens_k[blockIdx.z + 1] - b.key_start - b.len;   // cached keys
    b.q_first = blockIdx.x * queries;
    if (b.q_first >= b.len) return false;   // the whole block: this sequence is shorter than max_seqlen_q
    b.q_last = min(b.len - 1, b.q_first + queries - 1);
    b.key_last = b.past + b.q_last;          // the last query's own key: no row of the block sees past it
    b.head = blockIdx.y;
    b.group = b.head / (heads / kv_heads);
    b.q_base = q + static_cast<long>(b.seq_start) * q_stride + static_cast<long>(b.head) * HD;
    b.k_base = k + static_cast<long>(b.key_start) * kv_stride + static_cast<long>(b.group) * HD;
    b.v_base = v + static_cast<long>(b.key_start) * kv_stride + static_cast<long>(b.group) * HD;
    return true;
}
