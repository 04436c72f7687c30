package dev.provtrace.engine;

/**
 * @param threads         worker threads for GEMMs and element-wise ops (≥ 1)
 * @param batchTokens     most tokens packed into one forward pass; a longer sequence runs alone, never truncated
 * @param allowLong       score sequences longer than the model's max_position_embeddings instead of refusing them
 * @param scanWeights     scan every weight for NaN/Inf when a model is loaded (off: --skip-weight-scan)
 * @param device          the backend, by {@link BackendProvider#device()} name: "cpu" (default) or "cuda-emu"
 * @param precision       what the GEMMs compute in ({@link Precision}; default {@link Precision#defaultFor} the device)
 */
public record EngineOptions(int threads, int batchTokens, boolean allowLong, boolean scanWeights, String device,
                            Precision precision) {
    public static EngineOptions defaults() {
        return new EngineOptions(Runtime.getRuntime().availableProcessors(), 4096, false);
    }

    public EngineOptions {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (batchTokens < 1) throw new IllegalArgumentException("batchTokens must be >= 1, got " + batchTokens);
        if (device == null || device.isBlank()) throw new IllegalArgumentException("device must be named, got " + device);
        if (precision == null) throw new IllegalArgumentException("precision must be given (fp32 or bf16)");
    }

    /** On {@code device} at its default precision. */
    public EngineOptions(int threads, int batchTokens, boolean allowLong, boolean scanWeights, String device) {
        this(threads, batchTokens, allowLong, scanWeights, device, Precision.defaultFor(device));
    }

    /** On the default device (cpu). */
    public EngineOptions(int threads, int batchTokens, boolean allowLong, boolean scanWeights) {
        this(threads, batchTokens, allowLong, scanWeights, Backends.DEFAULT_DEVICE);
    }

    /** The same options on another device, at that device's default precision. */
    public EngineOptions withDevice(String device) {
        return new EngineOptions(threads, batchTokens, allowLong, scanWeights, device);
    }

    /** The same options at another precision. */
    public EngineOptions withPrecision(Precision precision) {
        return new EngineOptions(threads, batchTokens, allowLong, scanWeights, device, precision);
    }

    /** Weights are scanned for NaN/Inf at load unless told otherwise. */
    public EngineOptions(int threads, int batchTokens, boolean allowLong) {
        this(threads, batchTokens, allowLong, true);
    }

    /** The same options without the load-time scan (for a model whose weights were already scanned in this run). */
    public EngineOptions withoutWeightScan() {
        return new EngineOptions(threads, batchTokens, allowLong, false, device, precision);
    }
}
