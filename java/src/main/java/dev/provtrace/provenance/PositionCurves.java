package dev.provtrace.provenance;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * How the mix of labels changes along a response, separately for responses with a correct and with an incorrect
 * final answer, and how far apart the two are: where in a reasoning trace teacher-like sentences sit, and whether
 * that differs when the answer is right.
 * <p>
 * Sentence i of a response of n sentences sits at relative position (i + 0.5)/n and falls in bin
 * ⌊position · bins⌋ of equal-width bins over [0, 1]. An unscored sentence ({@code null} label) keeps its place
 * (positions stay true to the text) but counts in no fraction. Responses with an UNKNOWN answer are left out
 * and counted.
 * <p>
 * A curve's value in a bin is the fraction of labelled sentences in that bin with the label, pooled in one of two
 * ways ({@link Weighting}). It is NaN where the group has no labelled sentence in the bin. The area between the
 * correct and incorrect curves of a label is Σ |correct − incorrect| × bin width over the bins where both are
 * defined; it is 0 for identical curves and at most 1.
 */
public final class PositionCurves {

    /** How sentences of different responses are pooled within a bin. */
    public enum Weighting {
        /** Every sentence counts once: long responses weigh more. */
        SENTENCE,
        /** Every response counts once: the mean over responses of each one's fraction in that bin. */
        RESPONSE
    }

    /**
     * @param correct      per label, the curve of the correct responses (one value per bin)
     * @param incorrect    per label, the curve of the incorrect responses
     * @param area         per label, the area between the two curves
     * @param binsCompared bins where both curves are defined (the area is summed over these)
     */
    public record Result<L extends Enum<L>>(int bins, Weighting weighting, Map<L, double[]> correct,
                                            Map<L, double[]> incorrect, Map<L, Double> area, int binsCompared,
                                            int correctResponses, int incorrectResponses, int unknownResponses,
                                            double[] correctWeight, double[] incorrectWeight) {
        public Result {
            correct = Collections.unmodifiableMap(correct);
            incorrect = Collections.unmodifiableMap(incorrect);
            area = Collections.unmodifiableMap(area);
        }
    }

    /**
     * Wilson's score interval for a proportion of {@code k} in {@code n} at the normal quantile {@code z} (1.96 for
     * 95%): centre (k + z²/2)/(n + z²), half-width z·√(k(n−k)/n + z²/4)/(n + z²); null for n = 0. Unlike the normal
     * approximation it stays inside [0, 1] and is not empty at 0 or n.
     */
    public static double[] wilson(double k, double n, double z) {
        if (!(n > 0)) return null;
        double z2 = z * z, centre = (k + z2 / 2) / (n + z2);
        double half = z * Math.sqrt(k * (n - k) / n + z2 / 4) / (n + z2);
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    public static final int DEFAULT_BINS = 20;

    private PositionCurves() {}

    public static <L extends Enum<L>> Result<L> compute(Class<L> labelType, List<LabelledResponse<L>> responses,
                                                        int bins, Weighting weighting) {
        Builder<L> b = new Builder<>(labelType, bins, weighting);
        for (LabelledResponse<L> r : responses) b.add(r);
        return b.result();
    }

    /** The same curves accumulated one response at a time (for inputs that are streamed, not held). */
    public static final class Builder<L extends Enum<L>> {
        private final Class<L> labelType;
        private final int bins;
        private final Weighting weighting;
        private final Accumulator right, wrong;
        private int correctCount, incorrectCount, unknownCount;

        public Builder(Class<L> labelType, int bins, Weighting weighting) {
            if (bins < 1) throw new IllegalArgumentException("bins must be >= 1, got " + bins);
            this.labelType = labelType;
            this.bins = bins;
            this.weighting = weighting;
            int labels = labelType.getEnumConstants().length;
            right = new Accumulator(labels, bins);
            wrong = new Accumulator(labels, bins);
        }

        public void add(LabelledResponse<L> r) {
            switch (r.correctness()) {
                case CORRECT -> { correctCount++; right.add(r.labels(), bins, weighting); }
                case INCORRECT -> { incorrectCount++; wrong.add(r.labels(), bins, weighting); }
                default -> unknownCount++;
            }
        }

        public Result<L> result() {
            Map<L, double[]> correctCurves = new EnumMap<>(labelType), incorrectCurves = new EnumMap<>(labelType);
            Map<L, Double> area = new EnumMap<>(labelType);
            int compared = 0;
            for (int b = 0; b < bins; b++) if (right.weight[b] > 0 && wrong.weight[b] > 0) compared++;
            for (L l : labelType.getEnumConstants()) {
                double[] c = right.curve(l.ordinal()), w = wrong.curve(l.ordinal());
                double sum = 0;
                for (int b = 0; b < bins; b++) {
                    if (!Double.isNaN(c[b]) && !Double.isNaN(w[b])) sum += Math.abs(c[b] - w[b]) / bins;
                }
                correctCurves.put(l, c);
                incorrectCurves.put(l, w);
                area.put(l, sum);
            }
            return new Result<>(bins, weighting, correctCurves, incorrectCurves, area, compared,
                    correctCount, incorrectCount, unknownCount, right.weight.clone(), wrong.weight.clone());
        }
    }

    /** Bin of sentence i of n: ⌊(i + 0.5)/n · bins⌋, computed in integers so that bin edges are exact. */
    static int binOf(int i, int n, int bins) {
        return (int) Math.min(bins - 1, ((2L * i + 1) * bins) / (2L * n));
    }

    /** Per label and bin, a weighted count of sentences with the label, and the total weight of the bin. */
    private static final class Accumulator {
        final double[][] mass;
        final double[] weight;

        Accumulator(int labels, int bins) {
            mass = new double[labels][bins];
            weight = new double[bins];
        }

        <L extends Enum<L>> void add(List<L> sequence, int bins, Weighting weighting) {
            int n = sequence.size();
            int[][] counts = new int[mass.length][bins];
            int[] labelled = new int[bins];
            for (int i = 0; i < n; i++) {
                L l = sequence.get(i);
                if (l == null) continue;
                int b = binOf(i, n, bins);
                counts[l.ordinal()][b]++;
                labelled[b]++;
            }
            for (int b = 0; b < bins; b++) {
                if (labelled[b] == 0) continue;
                double scale = weighting == Weighting.SENTENCE ? 1 : 1.0 / labelled[b];
                for (int k = 0; k < mass.length; k++) mass[k][b] += counts[k][b] * scale;
                weight[b] += labelled[b] * scale;
            }
        }

        double[] curve(int label) {
            double[] out = new double[weight.length];
            for (int b = 0; b < out.length; b++) out[b] = weight[b] > 0 ? mass[label][b] / weight[b] : Double.NaN;
            return out;
        }
    }
}
