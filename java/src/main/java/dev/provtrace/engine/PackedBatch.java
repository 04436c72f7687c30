package dev.provtrace.engine;

import java.util.List;

/**
 * Several sequences laid end to end as one [tokens, ·] batch: no padding, so the numbers of each sequence do not
 * depend on its neighbours.
 * <p>
 * A sequence may be a later chunk of a longer one (chunked prefill): {@code cached[s]} of its tokens came in earlier
 * passes, their keys and values are kept on the backend, and this batch holds its tokens from position
 * {@code cached[s]} on. Its queries then see the cached keys too, as FlashAttention-2's varlen interface with
 * cu_seqlens_q ≠ cu_seqlens_k and causality aligned bottom-right: query i of the chunk is at position cached + i and
 * sees keys 0 … cached + i. Keys and values of sequence s are the rows [cuSeqlensK[s], cuSeqlensK[s+1]) of the
 * attention's k and v: its cached rows, then the batch's own.
 */
public final class PackedBatch {
    public final int[] ids;         // [tokens]
    public final int[] positions;   // [tokens] position of each token inside its own sequence (cached + index)
    public final int[] starts;      // [sequences] first token of each sequence in the batch
    public final int[] lengths;     // [sequences] tokens of each sequence in the batch
    public final int[] cached;      // [sequences] tokens of each sequence before this batch, kept as keys/values

    public PackedBatch(List<int[]> sequences) {
        this(sequences, new int[sequences.size()]);
    }

    /** @param cached per sequence, the tokens before it whose keys and values earlier passes left on the backend */
    public PackedBatch(List<int[]> sequences, int[] cached) {
        if (cached.length != sequences.size()) {
            throw new IllegalArgumentException(cached.length + " cached lengths for " + sequences.size() + " sequences");
        }
        int total = 0;
        for (int[] s : sequences) total = Math.addExact(total, s.length);
        ids = new int[total];
        positions = new int[total];
        starts = new int[sequences.size()];
        lengths = new int[sequences.size()];
        this.cached = cached.clone();
        int at = 0;
        for (int i = 0; i < sequences.size(); i++) {
            int[] s = sequences.get(i);
            if (cached[i] < 0) throw new IllegalArgumentException("sequence " + i + ": " + cached[i] + " cached tokens");
            Math.addExact(cached[i], s.length);   // positions stay ints
            starts[i] = at;
            lengths[i] = s.length;
            System.arraycopy(s, 0, ids, at, s.length);
            for (int p = 0; p < s.length; p++) positions[at + p] = cached[i] + p;
            at += s.length;
        }
    }

    public int tokens() { return ids.length; }

    public int sequences() { return starts.length; }

    /** The longest sequence's tokens in this batch (max_seqlen_q). */
    public int maxLength() {
        int m = 0;
        for (int l : lengths) m = Math.max(m, l);
        return m;
    }

    /** The longest sequence's keys, cached ones included (max_seqlen_k). */
    public int maxKeys() {
        int m = 0;
        for (int s = 0; s < lengths.length; s++) m = Math.max(m, cached[s] + lengths[s]);
        return m;
    }

    /** Positions of this batch are below this (RoPE tables must cover it). */
    public int positionsEnd() { return maxKeys(); }

    /** True when some sequence continues one of an earlier pass (its attention reads kept keys and values). */
    public boolean hasCached() {
        for (int c : cached) if (c > 0) return true;
        return false;
    }

    /** Query offsets: cu[0] = 0, cu[s + 1] = end of sequence s in the batch. */
    public int[] cuSeqlensQ() {
        int[] cu = new int[sequences() + 1];
        for (int s = 0; s < sequences(); s++) cu[s + 1] = starts[s] + lengths[s];
        return cu;
    }

    /** Key offsets: sequence s's keys (cached, then its own) are rows [cu[s], cu[s + 1]) of k and v. */
    public int[] cuSeqlensK() {
        int[] cu = new int[sequences() + 1];
        for (int s = 0; s < sequences(); s++) cu[s + 1] = cu[s] + cached[s] + lengths[s];
        return cu;
    }

    /** Rows k and v must hold: every sequence's cached and own keys. */
    public int keyRows() {
        int[] cu = cuSeqlensK();
        return cu[cu.length - 1];
    }
}
