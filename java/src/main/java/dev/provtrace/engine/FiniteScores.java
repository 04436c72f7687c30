package dev.provtrace.engine;

/**
 * Catches scores that are not numbers before they are written: with NaN/Inf weights (or --skip-weight-scan) the
 * engine yields NaN log-probs, which would otherwise become "NaN" strings or null labels in the outputs.
 */
public final class FiniteScores {
    private FiniteScores() {}

    /**
     * Null when every log-prob (and entropy and top-k log-prob, when present) from token 1 on is finite; else
     * e.g. {@code "a non-finite log-prob at token 17 (NaN)"}.
     */
    public static String problem(TokenScores s) {
        return problem(s, 1);
    }

    /** As {@link #problem(TokenScores)} over the tokens from {@code from} on (those scored, see Engine.score). */
    public static String problem(TokenScores s, int from) {
        for (int t = Math.max(1, from); t < s.length(); t++) {
            if (!Float.isFinite(s.logprobs()[t])) return at("log-prob", t, s.logprobs()[t]);
            if (s.entropy() != null && !Float.isFinite(s.entropy()[t])) return at("entropy", t, s.entropy()[t]);
            if (s.topLogprobs() != null) {
                for (float v : s.topLogprobs()[t]) if (!Float.isFinite(v)) return at("top-k log-prob", t, v);
            }
        }
        return null;
    }

    private static String at(String what, int token, float value) {
        return "a non-finite " + what + " at token " + token + " (" + value + ")";
    }
}
