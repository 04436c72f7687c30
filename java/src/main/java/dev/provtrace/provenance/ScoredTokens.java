package dev.provtrace.provenance;

/**
 * One model's tokens of a whole context (prompt + response): token i covers code points
 * [starts[i], ends[i]) of the context and has log-probability {@code logprobs[i]} given the tokens before it
 * (natural log, at most 0; -Infinity is allowed and gives the sentence probability 0). A NaN log-prob means "not scored" (the first token of a sequence has no prefix). Special tokens
 * the tokenizer added have the empty span [0, 0), as in transformers.
 */
public record ScoredTokens(int[] starts, int[] ends, double[] logprobs) {
    public ScoredTokens {
        if (starts.length != ends.length || starts.length != logprobs.length) {
            throw new IllegalArgumentException("starts, ends and logprobs differ in length: "
                    + starts.length + ", " + ends.length + ", " + logprobs.length);
        }
        for (int i = 0; i < starts.length; i++) {
            if (starts[i] < 0 || ends[i] < starts[i]) {
                throw new IllegalArgumentException("token " + i + " has a bad span [" + starts[i] + ", " + ends[i] + ")");
            }
            if (logprobs[i] > 0) {
                throw new IllegalArgumentException("token " + i + " has a positive log-prob " + logprobs[i]
                        + ": a log-probability is at most 0");
            }
        }
    }

    /** From the engine's fp32 log-probs (NaN at index 0). */
    public static ScoredTokens of(int[] starts, int[] ends, float[] logprobs) {
        double[] lp = new double[logprobs.length];
        for (int i = 0; i < lp.length; i++) lp[i] = logprobs[i];
        return new ScoredTokens(starts, ends, lp);
    }

    public int size() { return starts.length; }
}
