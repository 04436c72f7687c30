package dev.provtrace.engine;

/**
 * What to compute per position besides the log-prob of the actual token.
 *
 * @param topK    number of most likely alternatives per position (0 = none)
 * @param entropy whether to compute the entropy (nats) of each next-token distribution
 */
public record ScoreOptions(int topK, boolean entropy) {
    public static final ScoreOptions LOGPROBS_ONLY = new ScoreOptions(0, false);

    public ScoreOptions {
        if (topK < 0) throw new IllegalArgumentException("topK must be >= 0, got " + topK);
    }
}
