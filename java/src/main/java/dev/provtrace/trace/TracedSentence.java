package dev.provtrace.trace;

/**
 * One sentence of a traced response with its probability under each model: p = exp(mean token log-prob), NaN
 * when the model has no token in the sentence (reported, never dropped). Offsets are code points of the response.
 */
public record TracedSentence(int index, int start, int end, String text, double pT, double pS, double pD,
                             int tokensT, int tokensS, int tokensD) {
    public boolean scored() { return !Double.isNaN(pT) && !Double.isNaN(pS) && !Double.isNaN(pD); }
}
