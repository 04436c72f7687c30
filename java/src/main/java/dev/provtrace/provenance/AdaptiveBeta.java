package dev.provtrace.provenance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Chooses β from the empirical distribution of Δ_TS = p_T − p_S. The paper's algorithm is not public; this is our
 * reconstruction: a threshold that separates a central component of sentences T and S agree on from the tails
 * where they disagree, chosen by Otsu's criterion.
 *
 * <h2>Algorithm</h2>
 * <ol>
 *   <li>Take a = |Δ_TS| of every sentence (NaN = unscored sentence, skipped and counted). The magnitude, not the
 *       signed value, because the labels use one β for both signs (Δ_TS &gt; β teacher, −Δ_TS &gt; β student).</li>
 *   <li>Histogram with a fixed bin width w (default {@value #DEFAULT_BIN_WIDTH}; Δ of probabilities lies in
 *       [−1, 1], so at most 1/w bins): edges e_k = k·w for k = 1..K, K the smallest with e_K ≥ max a. Bins are
 *       closed on the right, (e_{k−1}, e_k], the first is [0, e_1], so the central class of β = e_k is exactly
 *       the values in bins 1..k. A fixed width, rather than a rule on n, puts β on a round grid that does not move
 *       when sentences are added.</li>
 *   <li>Every edge e_k is a candidate β. For each, the central class is {a ≤ β} and the tails {a &gt; β}; the
 *       criterion is Otsu's between-class variance σ_B² = w₀·w₁·(μ₀ − μ₁)² (w = class shares, μ = class means,
 *       computed from the values themselves, not from bin centres). It is 0 when a class is empty.</li>
 *   <li>β is the candidate with the largest σ_B². Ties happen over a run of empty bins (every edge of the run makes
 *       the same split); β is then the middle edge of that run, so it lands mid-gap between the central component
 *       and the tails rather than on the edge of either.</li>
 * </ol>
 * When no candidate has σ_B² &gt; 0 (a single value, all values equal, or all values inside one bin: no edge
 * splits them) there is nothing to separate: the result says so, with β = NaN, and the caller keeps its
 * default. No finite value at all is an error. The result carries the whole table so a report can plot σ_B² and the central share against β, and Otsu's
 * separability η = σ_B²/σ_T² ∈ [0, 1] of the choice (near 1: two well-separated groups).
 */
public final class AdaptiveBeta {
    public static final double DEFAULT_BIN_WIDTH = 0.005;
    private static final double MIN_BIN_WIDTH = 1e-6;

    /**
     * @param beta         the chosen threshold, NaN when not {@code separated}
     * @param separated    false when no bin edge splits the values (e.g. a single value or all values equal)
     * @param separability η = σ_B²/σ_T² at the chosen β (0 when not separated)
     * @param binWidth     the histogram's bin width
     * @param values       finite Δ values used
     * @param skipped      NaN values skipped (unscored sentences)
     * @param candidates   one row per bin edge, ascending β
     */
    public record Result(double beta, boolean separated, double separability, double binWidth, int values,
                         int skipped, List<BetaCandidate> candidates) {
        public Result {
            candidates = List.copyOf(candidates);
        }
    }

    private AdaptiveBeta() {}

    public static Result choose(double[] deltaTS) {
        return choose(deltaTS, DEFAULT_BIN_WIDTH);
    }

    /**
     * @param deltaTS  Δ_TS = p_T − p_S per sentence (NaN for unscored sentences)
     * @param binWidth histogram bin width, also the spacing of candidate β values
     * @throws IllegalArgumentException when there is no finite value, a value is outside [−1, 1] or infinite, or
     *                                  the bin width is not a finite number ≥ 1e-6
     */
    public static Result choose(double[] deltaTS, double binWidth) {
        if (!(binWidth >= MIN_BIN_WIDTH) || !Double.isFinite(binWidth)) {
            throw new IllegalArgumentException("bin width must be finite and >= " + MIN_BIN_WIDTH + ", got " + binWidth);
        }
        double[] a = magnitudes(deltaTS);
        int skipped = deltaTS.length - a.length;
        if (a.length == 0) {
            throw new IllegalArgumentException("no Δ_TS to choose β from (" + skipped + " NaN values)");
        }
        Arrays.sort(a);
        int n = a.length;
        double max = a[n - 1];
        double[] prefix = new double[n + 1];
        for (int i = 0; i < n; i++) prefix[i + 1] = prefix[i] + a[i];
        double mean = prefix[n] / n;
        double totalVariance = 0;
        for (double v : a) totalVariance += (v - mean) * (v - mean);
        totalVariance /= n;

        List<BetaCandidate> table = new ArrayList<>();
        int best = -1;
        double bestCriterion = 0;
        int previousCentral = 0;
        for (int k = 1; ; k++) {
            double edge = k * binWidth;
            int central = countAtMost(a, edge);
            double criterion = betweenClassVariance(prefix, central, n);
            table.add(new BetaCandidate(edge, central - previousCentral, (double) central / n, criterion));
            if (criterion > bestCriterion) { bestCriterion = criterion; best = table.size() - 1; }
            previousCentral = central;
            if (edge >= max) break;
        }
        if (best < 0) {
            return new Result(Double.NaN, false, 0, binWidth, n, skipped, table);
        }
        int last = best;
        while (last + 1 < table.size() && table.get(last + 1).criterion() == bestCriterion) last++;
        return new Result(table.get((best + last) / 2).beta(), true, bestCriterion / totalVariance, binWidth, n, skipped, table);
    }

    /** Convenience: Δ_TS from aligned sentence probabilities (NaN where either is missing). */
    public static double[] deltas(double[] pT, double[] pS) {
        if (pT.length != pS.length) {
            throw new IllegalArgumentException("p_T has " + pT.length + " sentences, p_S has " + pS.length);
        }
        double[] d = new double[pT.length];
        for (int i = 0; i < d.length; i++) d[i] = pT[i] - pS[i];
        return d;
    }

    private static double[] magnitudes(double[] deltas) {
        double[] out = new double[deltas.length];
        int n = 0;
        for (int i = 0; i < deltas.length; i++) {
            double d = deltas[i];
            if (Double.isNaN(d)) continue;
            if (!(Math.abs(d) <= 1)) {
                throw new IllegalArgumentException("Δ_TS[" + i + "] = " + d + " is outside [-1, 1]: not a difference of probabilities");
            }
            out[n++] = Math.abs(d);
        }
        return Arrays.copyOf(out, n);
    }

    /** Number of sorted values ≤ x. */
    private static int countAtMost(double[] sorted, double x) {
        int lo = 0, hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /** w₀·w₁·(μ₀ − μ₁)² for the split of the sorted values into the first {@code central} and the rest. */
    private static double betweenClassVariance(double[] prefix, int central, int n) {
        int tails = n - central;
        if (central == 0 || tails == 0) return 0;
        double mu0 = prefix[central] / central, mu1 = (prefix[n] - prefix[central]) / tails;
        double w0 = (double) central / n, w1 = (double) tails / n;
        return w0 * w1 * (mu0 - mu1) * (mu0 - mu1);
    }
}
