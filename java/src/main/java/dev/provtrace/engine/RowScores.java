package dev.provtrace.engine;

/** Per-row output of {@link Backend#nextTokenScores}: filled by the backend. */
public final class RowScores {
    public final float[] logprob;
    public final float[] entropy;       // null unless asked
    public final int[][] topIds;        // null unless topK > 0
    public final float[][] topLogprobs;

    public RowScores(int rows, ScoreOptions options) {
        logprob = new float[rows];
        entropy = options.entropy() ? new float[rows] : null;
        topIds = options.topK() > 0 ? new int[rows][] : null;
        topLogprobs = options.topK() > 0 ? new float[rows][] : null;
    }
}
