package dev.provtrace.trace;

/**
 * One sentence of a traced response with its probability under each model: p = exp(mean token log-prob), NaN
 * when the model has no token in the sentence (reported, never dropped). Offsets are code points of the response.
 * <p>
 * With several teachers ({@code trace --teacher A --teacher B}), {@code pTeachers} holds each teacher's p and
 * {@code teacher} the one the sentence most likely came from: the largest Δ = p_Ti − p_S (the first on a tie; −1
 * when no teacher has a p); {@code pT} and {@code tokensT} are that teacher's, so the four-way rule reads as with
 * one. With one teacher {@code pTeachers} is null and {@code teacher} 0.
 */
public record TracedSentence(int index, int start, int end, String text, double pT, double pS, double pD,
                             int tokensT, int tokensS, int tokensD, double[] pTeachers, int teacher) {
    public TracedSentence(int index, int start, int end, String text, double pT, double pS, double pD,
                          int tokensT, int tokensS, int tokensD) {
        this(index, start, end, text, pT, pS, pD, tokensT, tokensS, tokensD, null, 0);
    }

    public boolean scored() { return !Double.isNaN(pT) && !Double.isNaN(pS) && !Double.isNaN(pD); }

    /** The teacher with the largest p_Ti − p_S (first on a tie), or −1 when none has a p or p_S is missing. */
    public static int closestTeacher(double[] pTeachers, double pS) {
        int best = -1;
        for (int i = 0; i < pTeachers.length; i++) {
            if (Double.isNaN(pTeachers[i]) || Double.isNaN(pS)) continue;
            if (best < 0 || pTeachers[i] - pS > pTeachers[best] - pS) best = i;
        }
        return best;
    }
}
