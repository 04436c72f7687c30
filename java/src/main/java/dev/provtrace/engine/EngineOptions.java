package dev.provtrace.engine;

/**
 * @param threads         worker threads for GEMMs and element-wise ops (≥ 1)
 * @param batchTokens     most tokens packed into one forward pass; a longer sequence runs alone, never truncated
 * @param allowLong       score sequences longer than the model's max_position_embeddings instead of refusing them
 * @param scanWeights     scan every weight for NaN/Inf when a model is loaded (off: --skip-weight-scan)
 */
public record EngineOptions(int threads, int batchTokens, boolean allowLong, boolean scanWeights) {
    public static EngineOptions defaults() {
        return new EngineOptions(Runtime.getRuntime().availableProcessors(), 4096, false);
    }

    public EngineOptions {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (batchTokens < 1) throw new IllegalArgumentException("batchTokens must be >= 1, got " + batchTokens);
    }

    /** Weights are scanned for NaN/Inf at load unless told otherwise. */
    public EngineOptions(int threads, int batchTokens, boolean allowLong) {
        this(threads, batchTokens, allowLong, true);
    }

    /** The same options without the load-time scan (for a model whose weights were already scanned in this run). */
    public EngineOptions withoutWeightScan() {
        return new EngineOptions(threads, batchTokens, allowLong, false);
    }
}
