package dev.provtrace.engine;

/**
 * What to compute per position besides the log-prob of the actual token.
 *
 * @param topK    number of most likely alternatives per position (0 = none)
 * @param entropy whether to compute the entropy (nats) of each next-token distribution
 * @param rank    whether to compute the rank of the actual token: 1 + the number of vocabulary entries whose logit is
 *                strictly greater than its logit (vLLM's definition: tied tokens share the better rank). It costs a
 *                second sweep of the LM head over the same logits, since the target's logit must be known first.
 */
public record ScoreOptions(int topK, boolean entropy, boolean rank) {
    public static final ScoreOptions LOGPROBS_ONLY = new ScoreOptions(0, false);

    public ScoreOptions {
        if (topK < 0) throw new IllegalArgumentException("topK must be >= 0, got " + topK);
    }

    public ScoreOptions(int topK, boolean entropy) { this(topK, entropy, false); }
}
