package dev.provtrace.demo;

import java.util.List;

/**
 * log P(next | previous) of one demo model, estimated from sentences:
 * <ul>
 *   <li>a token seen inside the model's corpus: (1 − λ)·c(prev, next)/c(prev) + λ/V (counts within sentences);</li>
 *   <li>a boundary token (sentence end, BOS, think tags, end of the chat prompt): (1 − λ)·share of {@code next}
 *       among the first tokens of all planted sentences + λ/V — the same row in every model, so a sentence's
 *       first token costs the same whichever model scores it and whatever came before;</li>
 *   <li>any other token (never seen as a predecessor, or padding): uniform 1/V.</li>
 * </ul>
 * Each row is stored as fp32 log-probs renormalised in fp32 (what the LM head holds), so log-softmax over a row
 * returns the row within fp32 rounding.
 */
final class BigramTable {
    final float[][] logProb;     // [previous][next]

    private BigramTable(float[][] logProb) {
        this.logProb = logProb;
    }

    int size() { return logProb.length; }

    float logProb(int previous, int next) { return logProb[previous][next]; }

    /**
     * @param v the model's vocabulary size, ≥ the tokenizer's; ids the tokenizer never produces (padding) get the
     *     smoothing mass like any unseen token, and their rows are uniform
     */
    static BigramTable estimate(WordTokenizer tok, List<String> corpus, List<String> allSentences, double lambda, int v) {
        long[][] counts = new long[v][v];
        long[] rowTotals = new long[v];
        for (String sentence : corpus) {
            int[] ids = tok.ids(sentence);
            for (int t = 0; t + 1 < ids.length; t++) {
                counts[ids[t]][ids[t + 1]]++;
                rowTotals[ids[t]]++;
            }
        }
        long[] openers = new long[v];
        for (String sentence : allSentences) openers[tok.ids(sentence)[0]]++;
        long openerTotal = allSentences.size();

        float[][] lp = new float[v][v];
        double[] p = new double[v];
        for (int i = 0; i < v; i++) {
            if (i < tok.size() && tok.isBoundary(i)) {
                if (rowTotals[i] != 0) throw new IllegalStateException("boundary token \"" + tok.token(i) + "\" inside a sentence");
                for (int j = 0; j < v; j++) p[j] = (1 - lambda) * openers[j] / openerTotal + lambda / v;
            } else if (rowTotals[i] > 0) {
                for (int j = 0; j < v; j++) p[j] = (1 - lambda) * counts[i][j] / rowTotals[i] + lambda / v;
            } else {
                for (int j = 0; j < v; j++) p[j] = 1.0 / v;
            }
            float[] row = lp[i];
            for (int j = 0; j < v; j++) row[j] = (float) StrictMath.log(p[j]);
            double z = 0;
            for (int j = 0; j < v; j++) z += StrictMath.exp(row[j]);
            double shift = StrictMath.log(z);
            for (int j = 0; j < v; j++) row[j] = (float) (row[j] - shift);
        }
        return new BigramTable(lp);
    }

    /**
     * Sentence probability by construction: exp of the mean log-prob of its tokens, the first conditioned on a
     * boundary token (all boundary rows are equal).
     */
    double sentenceProbability(WordTokenizer tok, String sentence, int boundaryId) {
        int[] ids = tok.ids(sentence);
        double sum = 0;
        int prev = boundaryId;
        for (int id : ids) {
            sum += logProb[prev][id];
            prev = id;
        }
        return StrictMath.exp(sum / ids.length);
    }
}
