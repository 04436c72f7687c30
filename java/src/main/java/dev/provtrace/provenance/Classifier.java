package dev.provtrace.provenance;

import java.util.ArrayList;
import java.util.List;

/**
 * Labels sentences from their probabilities (geometric mean of token probabilities, {@link SentenceScore}) under
 * the teacher T, original student S and distilled student D. The rules compare differences of probabilities,
 * not of log-probs: Δ_TS = p_T − p_S, Δ_TD = p_T − p_D, Δ_SD = p_S − p_D.
 * <ul>
 *   <li>four-way: {@link Label#SHARED} if |Δ_TS| ≤ α and |Δ_TD| ≤ α and |Δ_SD| ≤ α; else {@link Label#TEACHER}
 *       if Δ_TS &gt; β; else {@link Label#STUDENT} if −Δ_TS &gt; β; else {@link Label#BOOSTED};</li>
 *   <li>two-way (before training, T and S only): {@link TwoModelLabel#COMMON} if |Δ_TS| ≤ β; else
 *       {@link TwoModelLabel#TEACHER} if Δ_TS &gt; β; else {@link TwoModelLabel#STUDENT}.</li>
 * </ul>
 * Boundaries are inclusive for the "same" side: a difference of exactly α is shared, exactly β is not teacher.
 * A missing probability (NaN) in a model the rule needs gives no label ({@code null}).
 */
public final class Classifier {
    public static final double DEFAULT_ALPHA = 0.1, DEFAULT_BETA = 0.1;

    private final double alpha, beta;

    /** @throws IllegalArgumentException unless α and β are finite and ≥ 0 */
    public Classifier(double alpha, double beta) {
        this.alpha = checkThreshold("alpha", alpha);
        this.beta = checkThreshold("beta", beta);
    }

    public static Classifier withDefaults() { return new Classifier(DEFAULT_ALPHA, DEFAULT_BETA); }

    public double alpha() { return alpha; }

    public double beta() { return beta; }

    /** The four-way label, or null when any of the three probabilities is missing (NaN). */
    public Label label(double pT, double pS, double pD) {
        checkProbability("p_T", pT);
        checkProbability("p_S", pS);
        checkProbability("p_D", pD);
        if (Double.isNaN(pT) || Double.isNaN(pS) || Double.isNaN(pD)) return null;
        double ts = pT - pS, td = pT - pD, sd = pS - pD;
        if (Math.abs(ts) <= alpha && Math.abs(td) <= alpha && Math.abs(sd) <= alpha) return Label.SHARED;
        if (ts > beta) return Label.TEACHER;
        if (-ts > beta) return Label.STUDENT;
        return Label.BOOSTED;
    }

    /** The two-way label, or null when either probability is missing (NaN). α plays no part. */
    public TwoModelLabel twoModelLabel(double pT, double pS) {
        checkProbability("p_T", pT);
        checkProbability("p_S", pS);
        if (Double.isNaN(pT) || Double.isNaN(pS)) return null;
        double ts = pT - pS;
        if (Math.abs(ts) <= beta) return TwoModelLabel.COMMON;
        return ts > beta ? TwoModelLabel.TEACHER : TwoModelLabel.STUDENT;
    }

    /** Four-way labels of aligned sentences: index k of each array is the same sentence. */
    public Labelling<Label> classify(double[] pT, double[] pS, double[] pD) {
        checkSameLength(pT.length, pS.length, "p_S");
        checkSameLength(pT.length, pD.length, "p_D");
        List<Label> labels = new ArrayList<>(pT.length);
        for (int k = 0; k < pT.length; k++) labels.add(label(pT[k], pS[k], pD[k]));
        return Labelling.of(Label.class, labels);
    }

    /** Two-way labels of aligned sentences. */
    public Labelling<TwoModelLabel> classify(double[] pT, double[] pS) {
        checkSameLength(pT.length, pS.length, "p_S");
        List<TwoModelLabel> labels = new ArrayList<>(pT.length);
        for (int k = 0; k < pT.length; k++) labels.add(twoModelLabel(pT[k], pS[k]));
        return Labelling.of(TwoModelLabel.class, labels);
    }

    private static double checkThreshold(String name, double value) {
        if (!Double.isFinite(value) || value < 0) {
            throw new IllegalArgumentException(name + " must be finite and >= 0, got " + value);
        }
        return value;
    }

    private static void checkProbability(String name, double p) {
        if (p < 0 || p > 1 || Double.isInfinite(p)) {
            throw new IllegalArgumentException(name + " = " + p + " is not a probability (NaN for missing)");
        }
    }

    private static void checkSameLength(int expected, int actual, String name) {
        if (expected != actual) {
            throw new IllegalArgumentException(name + " has " + actual + " sentences, p_T has " + expected);
        }
    }
}
