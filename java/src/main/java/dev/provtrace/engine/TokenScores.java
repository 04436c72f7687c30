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
 * @param rank        [n] rank of token t in that distribution (1 = most likely; ties share the better rank), 0 at
 *                    index 0 and before the first scored token, or null if not asked
 */
public record TokenScores(float[] logprobs, int[][] topIds, float[][] topLogprobs, float[] entropy, int[] rank) {
    public TokenScores(float[] logprobs, int[][] topIds, float[][] topLogprobs, float[] entropy) {
        this(logprobs, topIds, topLogprobs, entropy, null);
    }

    public int length() { return logprobs.length; }
}
