package dev.provtrace.engine;

import java.util.List;

/**
 * Several sequences laid end to end as one [tokens, ·] batch: no padding, so the numbers of each sequence do not
 * depend on its neighbours. Positions restart at 0 for every sequence.
 */
public final class PackedBatch {
    public final int[] ids;         // [tokens]
    public final int[] positions;   // [tokens] position of each token inside its own sequence
    public final int[] starts;      // [sequences] first token of each sequence
    public final int[] lengths;     // [sequences]

    public PackedBatch(List<int[]> sequences) {
        int total = 0;
        for (int[] s : sequences) total = Math.addExact(total, s.length);
        ids = new int[total];
        positions = new int[total];
        starts = new int[sequences.size()];
        lengths = new int[sequences.size()];
        int at = 0;
        for (int i = 0; i < sequences.size(); i++) {
            int[] s = sequences.get(i);
            starts[i] = at;
            lengths[i] = s.length;
            System.arraycopy(s, 0, ids, at, s.length);
            for (int p = 0; p < s.length; p++) positions[at + p] = p;
            at += s.length;
        }
    }

    public int tokens() { return ids.length; }

    public int sequences() { return starts.length; }

    public int maxLength() {
        int m = 0;
        for (int l : lengths) m = Math.max(m, l);
        return m;
    }
}
