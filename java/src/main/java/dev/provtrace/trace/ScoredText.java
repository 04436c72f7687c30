package dev.provtrace.trace;

/**
 * One model's teacher-forced scores of one context (prompt + response): its tokens with code-point offsets into
 * the context string, and log p(token | prefix) (NaN for the first token). The response occupies
 * [responseStart, responseEnd) of the context.
 */
public record ScoredText(int[] ids, int[] starts, int[] ends, float[] logprobs, int responseStart, int responseEnd) {
    public ScoredText {
        int n = ids.length;
        if (starts.length != n || ends.length != n || logprobs.length != n) {
            throw new IllegalArgumentException("ids, offsets and log-probs differ in length");
        }
    }

    public int size() { return ids.length; }
}
