package dev.provtrace.engine.cuda;

import dev.provtrace.model.ModelConfig;

/**
 * Device memory one model needs: its weights, plus activation bytes per token of a pass, so {@code --batch-tokens}
 * can be chosen from free device memory and an allocation that does not fit can say which batch would.
 *
 * @param weightBytes   every weight in its file dtype
 * @param bytesPerToken activations of one token in one pass, plus its keys/values of every layer (kept for chunked prefill)
 */
public record MemoryPlan(long weightBytes, long bytesPerToken) {
    /** Left free for cuBLAS workspace, the CUDA context and fragmentation. */
    public static final long RESERVE_BYTES = 1L << 30;

    /**
     * @param weightDtypeBytes 2 for bf16/fp16 weights, 4 for fp32
     * @param activationBytes  2 in bf16 precision (GEMM inputs), 4 in fp32; the residual is always fp32
     * @param vocabChunk       columns of the LM head computed at once (fp32 logits of that chunk per token)
     */
    public static MemoryPlan of(ModelConfig c, int weightDtypeBytes, int activationBytes, int vocabChunk) {
        long h = c.hiddenSize(), q = (long) c.numHeads() * c.headDim(), kv = (long) c.numKvHeads() * c.headDim();
        long ff = c.intermediateSize(), layers = c.numLayers();
        long perLayer = h * (q + 2 * kv) + q * h + 3 * h * ff + 2 * h;
        long embeddings = (long) c.vocabSize() * h * (c.tieWordEmbeddings() ? 1 : 2);
        long weights = (layers * perLayer + embeddings + h) * weightDtypeBytes;
        long a = activationBytes;
        long perToken = 4 * h * 2                         // residual stream and its sum, fp32
                + a * h                                    // normed input of a projection
                + a * (q + 2 * kv) + a * q                 // q|k|v and the attention output
                + a * 2 * ff + a * ff                      // gate|up and SwiGLU
                + 4L * vocabChunk                          // logits of one vocabulary chunk
                + layers * 2 * kv * a;                     // keys and values of every layer
        return new MemoryPlan(weights, perToken);
    }

    /** The most tokens a pass can hold with {@code freeBytes} free before the weights are uploaded; 0 if none fit. */
    public long batchTokensThatFit(long freeBytes) {
        long left = freeBytes - weightBytes - RESERVE_BYTES;
        return left <= 0 ? 0 : left / bytesPerToken;
    }

    /** Bytes a pass of {@code batchTokens} needs with the weights. */
    public long bytesFor(long batchTokens) {
        return weightBytes + batchTokens * bytesPerToken + RESERVE_BYTES;
    }

    /** An out-of-memory error that says which --batch-tokens would fit. */
    public DeviceMemoryException outOfMemory(long batchTokens, long freeBytes, long totalBytes) {
        long fit = batchTokensThatFit(freeBytes);
        String hint = fit > 0 ? "; --batch-tokens " + fit + " would fit"
                : "; the weights alone (" + mib(weightBytes) + " MiB) do not fit: use a GPU with more memory or --device cpu";
        return new DeviceMemoryException("out of device memory: --batch-tokens " + batchTokens + " needs " + mib(bytesFor(batchTokens))
                + " MiB, " + mib(freeBytes) + " MiB of " + mib(totalBytes) + " MiB are free" + hint, bytesFor(batchTokens));
    }

    private static long mib(long bytes) { return bytes >> 20; }
}
