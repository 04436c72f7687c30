package dev.provtrace.provenance;

/**
 * One model's score of one sentence: the geometric mean of its tokens' probabilities,
 * {@code probability = exp(meanLogprob)}. A sentence that got no tokens, or only tokens without a log-prob, is kept
 * (never dropped, so sentence indexes stay the same across models) with NaN mean and probability.
 *
 * @param index            position of the sentence in the response (0-based)
 * @param tokenCount       tokens assigned to the sentence
 * @param scoredTokenCount of these, the tokens that have a log-prob (the mean is over these)
 * @param logprobSum       sum of their log-probs (0 when there are none)
 */
public record SentenceScore(int index, SentenceSpan span, int tokenCount, int scoredTokenCount,
                            double logprobSum, double meanLogprob, double probability) {

    public boolean hasTokens() { return tokenCount > 0; }

    /** True when the sentence has a probability; false for "no tokens" or "no scored tokens". */
    public boolean isScored() { return scoredTokenCount > 0; }
}
