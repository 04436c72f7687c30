package dev.provtrace.engine;

/**
 * Teacher-forced scores of one sequence of n tokens. Index t describes token t given tokens 0..t-1, so index 0
 * (no prefix) is empty: {@code logprobs[0]} is NaN, {@code topIds[0]}, {@code topLogprobs[0]} are null and
 * {@code entropy[0]} is NaN.
 *
 * @param logprobs    [n] log p(token_t | tokens_<t), natural log, fp32 log-softmax
 * @param topIds      [n][k] the k most likely tokens at position t (highest first), or null if not asked
 * @param topLogprobs [n][k] their log-probs
 * @param entropy     [n] entropy in nats of the distribution token t was drawn from, or null if not asked
 */
public record TokenScores(float[] logprobs, int[][] topIds, float[][] topLogprobs, float[] entropy) {
    public int length() { return logprobs.length; }
}
