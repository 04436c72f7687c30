package dev.provtrace.engine;

/**
 * Everything one forward pass needs from the host, uploaded once when the pass is made
 * ({@link Backend#upload}): the packed ids and positions, the sequence boundaries (cu_seqlens), the longest
 * sequence, the rows to score and their target ids. Ops take the pass instead of int[] arrays, so a device
 * backend copies these to the device once per pass, not once per op and layer.
 * <p>
 * The scores land in device buffers as the ops run; {@link #results()} copies them back, once, after all the
 * pass's work was issued (it waits for that work), and returns the same object when called again.
 */
public interface Pass extends AutoCloseable {
    PackedBatch batch();

    /** Packed rows whose next-token prediction is scored, ascending. */
    int[] scoreRows();

    /** targets[r] = the id of the token after scoreRows[r]. */
    int[] targets();

    ScoreOptions options();

    /** Offsets of the sequences' queries in the packed batch: cu[0] = 0, cu[s + 1] = end of sequence s. */
    default int[] cuSeqlens() { return batch().cuSeqlensQ(); }

    /** Offsets of the sequences' keys (cached ones first) in the attention's k and v ({@link PackedBatch#cuSeqlensK}). */
    default int[] cuSeqlensK() { return batch().cuSeqlensK(); }

    default int maxSeqlen() { return batch().maxLength(); }

    default int rows() { return scoreRows().length; }

    /** The scores of {@link #scoreRows()}, copied back to the host once. */
    RowScores results();

    @Override
    default void close() {}

    /**
     * The pass of a backend whose memory is the host's (the CPU backend and the default of {@link Backend#upload}):
     * the arrays are the pass, and the scores are written into {@link #scores} by the op that makes them.
     */
    final class Host implements Pass {
        private final PackedBatch batch;
        private final int[] scoreRows;
        private final int[] targets;
        private final ScoreOptions options;
        final RowScores scores;

        public Host(PackedBatch batch, int[] scoreRows, int[] targets, ScoreOptions options) {
            this.batch = batch;
            this.scoreRows = scoreRows;
            this.targets = targets;
            this.options = options;
            this.scores = new RowScores(scoreRows.length, options);
        }

        @Override public PackedBatch batch() { return batch; }

        @Override public int[] scoreRows() { return scoreRows; }

        @Override public int[] targets() { return targets; }

        @Override public ScoreOptions options() { return options; }

        /** Where the host ops write the scores. */
        public RowScores scores() { return scores; }

        @Override public RowScores results() { return scores; }
    }
}
