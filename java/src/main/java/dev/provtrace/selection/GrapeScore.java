package dev.provtrace.selection;

import dev.provtrace.trace.ScoredText;

/**
 * GRAPE's score of a response: its mean token log-prob under the student (the log of the inverse perplexity), so
 * higher = more likely under the student. The response's tokens are those whose first character lies in the
 * response, i.e. whose start offset in the context is ≥ the response's offset; a token that starts in the prompt
 * and runs into the response (" Answer: T" merged with the response's first letters) belongs to the prompt.
 * Tokens without a log-prob (the first of a sequence) and zero-width special tokens are left out.
 */
public final class GrapeScore {
    private GrapeScore() {}

    /** The mean over the response's tokens, or NaN when no token starts inside the response. */
    public static double of(ScoredText s) {
        double sum = 0;
        int n = 0;
        for (int t = 0; t < s.size(); t++) {
            if (s.starts()[t] < s.responseStart() || s.starts()[t] == s.ends()[t]) continue;
            float lp = s.logprobs()[t];
            if (Float.isNaN(lp)) continue;
            sum += lp;
            n++;
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
