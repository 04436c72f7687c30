package dev.provtrace.engine;

/**
 * @param threads         worker threads for GEMMs and element-wise ops (≥ 1)
 * @param batchTokens     most tokens in one forward pass; a longer sequence runs in chunks of this many (chunked prefill), never truncated.
 *                        {@link #AUTO_BATCH_TOKENS}: the backend's choice ({@link Backend#batchTokensThatFit}: on a GPU,
 *                        what free device memory holds after the weights, at most {@link #MAX_AUTO_BATCH_TOKENS};
 *                        elsewhere {@link #DEFAULT_BATCH_TOKENS})
 * @param allowLong       score sequences longer than the model's max_position_embeddings instead of refusing them
 * @param scanWeights     scan every weight for NaN/Inf when a model is loaded (off: --skip-weight-scan)
 * @param device          the backend, by {@link BackendProvider#device()} name: "cpu" (default) or "cuda-emu"
 * @param precision       what the GEMMs compute in ({@link Precision}; default {@link Precision#defaultFor} the device)
 * @param batchInvariant  a text's numbers bitwise the same whatever it is batched with (the CUDA backend then runs its
 *                        GEMMs in a fixed summation order, kernels/gemm.cu, instead of cuBLAS; the CPU's already are)
 */
public record EngineOptions(int threads, int batchTokens, boolean allowLong, boolean scanWeights, String device,
                            Precision precision, boolean batchInvariant) {
    /** batchTokens meaning "let the backend choose" (the CLI's default). */
    public static final int AUTO_BATCH_TOKENS = 0;
    /** What {@link #AUTO_BATCH_TOKENS} gives on a backend without a device memory limit (the CPU). */
    public static final int DEFAULT_BATCH_TOKENS = 4096;
    /**
     * The most {@link #AUTO_BATCH_TOKENS} gives on a GPU: passes this long already keep its GEMMs at full rate, and
     * a longer one only holds more results on the host at once.
     */
    public static final int MAX_AUTO_BATCH_TOKENS = 65536;

    public static EngineOptions defaults() {
        return new EngineOptions(Runtime.getRuntime().availableProcessors(), 4096, false);
    }

    public EngineOptions {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (batchTokens < 1 && batchTokens != AUTO_BATCH_TOKENS) {
            throw new IllegalArgumentException("batchTokens must be >= 1 (or AUTO_BATCH_TOKENS), got " + batchTokens);
        }
        if (device == null || device.isBlank()) throw new IllegalArgumentException("device must be named, got " + device);
        if (precision == null) throw new IllegalArgumentException("precision must be given (fp32 or bf16)");
    }

    public EngineOptions(int threads, int batchTokens, boolean allowLong, boolean scanWeights, String device, Precision precision) {
        this(threads, batchTokens, allowLong, scanWeights, device, precision, false);
    }

    /** The same options with batch invariance on or off. */
    public EngineOptions withBatchInvariant(boolean on) {
        return new EngineOptions(threads, batchTokens, allowLong, scanWeights, device, precision, on);
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
        return new EngineOptions(threads, batchTokens, allowLong, scanWeights, device, Precision.defaultFor(device), batchInvariant);
    }

    /** The same options at another precision. */
    public EngineOptions withPrecision(Precision precision) {
        return new EngineOptions(threads, batchTokens, allowLong, scanWeights, device, precision, batchInvariant);
    }

    /** Weights are scanned for NaN/Inf at load unless told otherwise. */
    public EngineOptions(int threads, int batchTokens, boolean allowLong) {
        this(threads, batchTokens, allowLong, true);
    }

    /** The same options without the load-time scan (for a model whose weights were already scanned in this run). */
    public EngineOptions withoutWeightScan() {
        return new EngineOptions(threads, batchTokens, allowLong, false, device, precision, batchInvariant);
    }
}
