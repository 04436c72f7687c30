package dev.provtrace.provenance;

/**
 * One row of {@link AdaptiveBeta}'s table: the threshold tried, the histogram bin that ends at it, and how well
 * it splits |Δ_TS| into a central class (|Δ| ≤ β) and tails (|Δ| &gt; β).
 *
 * @param beta            candidate threshold, the right edge of its bin
 * @param binCount        values in the bin (previous edge, beta]; the first bin is [0, beta]
 * @param centralFraction share of all values with |Δ| ≤ beta
 * @param criterion       Otsu's between-class variance w₀·w₁·(μ₀ − μ₁)², 0 when a class is empty
 */
public record BetaCandidate(double beta, long binCount, double centralFraction, double criterion) {}
