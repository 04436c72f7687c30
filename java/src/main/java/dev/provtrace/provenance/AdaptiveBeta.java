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
        checkBinWidth(binWidth);
        double[] a = magnitudes(deltaTS);
        int skipped = deltaTS.length - a.length;
        if (a.length == 0) {
            throw new IllegalArgumentException("no Δ_TS to choose β from (" + skipped + " NaN values)");
        }
        Arrays.sort(a);
        int n = a.length;
        double[] prefix = new double[n + 1];
        for (int i = 0; i < n; i++) prefix[i + 1] = prefix[i] + a[i];
        double mean = prefix[n] / n;
        double totalVariance = 0;
        for (double v : a) totalVariance += (v - mean) * (v - mean);
        totalVariance /= n;
        int edges = Histogram.binOf(a[n - 1], binWidth);
        long[] central = new long[edges];
        double[] centralSum = new double[edges];
        for (int k = 1; k <= edges; k++) {
            int c = countAtMost(a, k * binWidth);
            central[k - 1] = c;
            centralSum[k - 1] = prefix[c];
        }
        return table(central, centralSum, n, prefix[n], totalVariance, skipped, binWidth);
    }

    /**
     * The same choice from a histogram built while streaming (for inputs whose Δ_TS do not fit in memory). Bin
     * membership, the candidate table and the tie rule are those of {@link #choose(double[], double)}; the class
     * sums are added in arrival order rather than sorted order, so σ_B² may differ in its last bits.
     */
    public static Result choose(Histogram h) {
        if (h.values == 0) {
            throw new IllegalArgumentException("no Δ_TS to choose β from (" + h.skipped + " NaN values)");
        }
        int edges = h.highestBin;
        long[] central = new long[edges];
        double[] centralSum = new double[edges];
        long c = 0;
        double sum = 0;
        for (int k = 1; k <= edges; k++) {
            c += h.counts[k];
            sum += h.sums[k];
            central[k - 1] = c;
            centralSum[k - 1] = sum;
        }
        double mean = sum / h.values;
        double totalVariance = Math.max(0, h.sumOfSquares / h.values - mean * mean);
        return table(central, centralSum, h.values, sum, totalVariance, Math.toIntExact(h.skipped), h.binWidth);
    }

    /**
     * The candidate table and the choice, from the central class at each edge: {@code central[k-1]} values ≤ k·w
     * summing to {@code centralSum[k-1]}.
     */
    private static Result table(long[] central, double[] centralSum, long n, double total, double totalVariance,
                                int skipped, double binWidth) {
        List<BetaCandidate> table = new ArrayList<>(central.length);
        int best = -1;
        double bestCriterion = 0;
        long previousCentral = 0;
        for (int k = 1; k <= central.length; k++) {
            long c = central[k - 1];
            double criterion = betweenClassVariance(centralSum[k - 1], total, c, n);
            table.add(new BetaCandidate(k * binWidth, c - previousCentral, (double) c / n, criterion));
            if (criterion > bestCriterion) { bestCriterion = criterion; best = table.size() - 1; }
            previousCentral = c;
        }
        int values = Math.toIntExact(n);
        if (best < 0) {
            return new Result(Double.NaN, false, 0, binWidth, values, skipped, table);
        }
        int last = best;
        while (last + 1 < table.size() && table.get(last + 1).criterion() == bestCriterion) last++;
        return new Result(table.get((best + last) / 2).beta(), true, bestCriterion / totalVariance, binWidth, values,
                skipped, table);
    }

    /**
     * |Δ_TS| counted into the bins of {@link AdaptiveBeta} one value at a time, in memory that does not grow with
     * the number of values (at most 1/w bins): per bin the count and the sum, and overall the sum of squares.
     */
    public static final class Histogram {
        private final double binWidth;
        private long[] counts = new long[16];       // index k = bin (e_{k-1}, e_k]; index 0 unused
        private double[] sums = new double[16];
        private double sumOfSquares;
        private long values, skipped;
        private int highestBin;

        public Histogram() { this(DEFAULT_BIN_WIDTH); }

        public Histogram(double binWidth) {
            checkBinWidth(binWidth);
            this.binWidth = binWidth;
        }

        /** Adds one Δ_TS (NaN = unscored sentence: counted as skipped). */
        public void add(double delta) {
            if (Double.isNaN(delta)) { skipped++; return; }
            if (!(Math.abs(delta) <= 1)) {
                throw new IllegalArgumentException("Δ_TS = " + delta + " is outside [-1, 1]: not a difference of probabilities");
            }
            double a = Math.abs(delta);
            int k = binOf(a, binWidth);
            if (k >= counts.length) {
                counts = Arrays.copyOf(counts, Math.max(k + 1, 2 * counts.length));
                sums = Arrays.copyOf(sums, counts.length);
            }
            counts[k]++;
            sums[k] += a;
            sumOfSquares += a * a;
            values++;
            highestBin = Math.max(highestBin, k);
        }

        public long values() { return values; }

        public long skipped() { return skipped; }

        /** The bin k ≥ 1 with (k−1)·w &lt; a ≤ k·w (the first bin also holds 0), the edges computed as k·w. */
        static int binOf(double a, double w) {
            int k = Math.max(1, (int) Math.ceil(a / w));
            while (k * w < a) k++;
            while (k > 1 && (k - 1) * w >= a) k--;
            return k;
        }
    }

    private static void checkBinWidth(double binWidth) {
        if (!(binWidth >= MIN_BIN_WIDTH) || !Double.isFinite(binWidth)) {
            throw new IllegalArgumentException("bin width must be finite and >= " + MIN_BIN_WIDTH + ", got " + binWidth);
        }
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

    /** w₀·w₁·(μ₀ − μ₁)² for the split of n values into {@code central} (summing to centralSum) and the rest. */
    private static double betweenClassVariance(double centralSum, double total, long central, long n) {
        long tails = n - central;
        if (central == 0 || tails == 0) return 0;
        double mu0 = centralSum / central, mu1 = (total - centralSum) / tails;
        double w0 = (double) central / n, w1 = (double) tails / n;
        return w0 * w1 * (mu0 - mu1) * (mu0 - mu1);
    }
}
