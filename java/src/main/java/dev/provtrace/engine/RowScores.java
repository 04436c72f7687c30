package dev.provtrace.engine;

/** Per-row output of {@link Backend#nextTokenScores}: filled by the backend. */
public final class RowScores {
    public final float[] logprob;
    public final float[] entropy;       // null unless asked
    public final int[][] topIds;        // null unless topK > 0
    public final float[][] topLogprobs;
    public final int[] rank;            // null unless asked: 1 + #{v : logit_v > logit_target}

    public RowScores(int rows, ScoreOptions options) {
        logprob = new float[rows];
        entropy = options.entropy() ? new float[rows] : null;
        topIds = options.topK() > 0 ? new int[rows][] : null;
        topLogprobs = options.topK() > 0 ? new float[rows][] : null;
        rank = options.rank() ? new int[rows] : null;
    }
}
