package dev.provtrace.engine;

import dev.provtrace.io.DType;
import dev.provtrace.io.TensorView;
import dev.provtrace.model.ModelConfig;

/**
 * The ops the forward pass is written against, once. The CPU backend (OpenBLAS + Vector API) and the CUDA
 * backend implement them on their own buffers. Activations are row-major, one row per token; the residual stream
 * is always fp32, GEMM inputs may be bf16 ({@link Precision#BF16}). Weights stay in their file dtype; a backend
 * widens them as it uses them.
 * <p>
 * Two levels of ops. The fine ops (embed, rmsnorm, matmul, rope, attention, gatherRows, swiglu, add,
 * nextTokenScores) are what every backend implements. The coarse ops below them (addRmsnorm, qkv, gateUpSwiglu,
 * qkNormRope, matmulAccumulate, gatherNorm, score) are what the forward pass calls: each has a default built from
 * the fine ones, so a backend that gains nothing from fusing (the CPU) keeps working unchanged, and a device backend
 * overrides them with fused kernels and packed weights ({@link #prepare}). Ops taking a {@link Pass} read the
 * pass's ids, positions, sequence boundaries and score rows from what {@link #upload} put on the device once.
 * <p>
 * Ordering: ops enqueue and return nothing to the host; only {@link Pass#results()} (and the test helpers
 * {@link Buffer#read}) wait for the work before them.
 */
public interface Backend extends AutoCloseable {

    /** An activation buffer owned by the backend: fp32 unless allocated with another {@link #dtype()}. */
    interface Buffer extends AutoCloseable {
        /** Capacity in elements of {@link #dtype()}. */
        long capacity();

        /** F32 (the residual stream and every buffer of an fp32 pass) or BF16 (GEMM inputs in bf16 precision). */
        default DType dtype() { return DType.F32; }

        /** Copy {@code n} elements starting at {@code offset} to the heap as floats (for tests; waits for the work before it). */
        float[] read(long offset, int n);

        /** Copy from the heap into this buffer at {@code offset}. */
        void write(long offset, float[] src);

        @Override
        void close();
    }

    /** A weight tensor made usable by the backend (a view of the mapped file on CPU, a device copy on GPU). */
    interface Weight {
        TensorView view();

        /** Number of rows (first dim); 1-D tensors are one row. */
        int rows();

        /** Elements per row (product of the remaining dims; the length for 1-D tensors). */
        int cols();
    }

    String name();

    Buffer allocate(long floats);

    /**
     * An activation buffer of {@code elements} elements of {@code dtype}. Backends that keep bf16 activations
     * (the CUDA backend in bf16 precision) override this; the default has fp32 only.
     */
    default Buffer allocate(DType dtype, long elements) {
        if (dtype == DType.F32) return allocate(elements);
        throw new UnsupportedOperationException(name() + " has no " + dtype + " activation buffers");
    }

    /**
     * True when this backend runs {@link Precision#BF16} natively (bf16 buffers as GEMM inputs, bf16×bf16 GEMMs
     * with fp32 accumulation). When false, the forward pass emulates bf16 precision by rounding GEMM inputs to
     * bf16 in fp32 buffers ({@link #roundToBf16}) and using the fp32 GEMMs: the same products, since a product of
     * two bf16 values is exact in fp32, summed in fp32 as well.
     */
    default boolean nativeBf16() { return false; }

    /**
     * True when the GEMMs with a weight round their inputs to fp16 themselves ({@link Precision#FP16} on the CPU):
     * the op tests then hold those GEMMs' outputs to {@code OpSuite.FP16_GEMM} instead of the fp32 bound.
     */
    default boolean fp16Gemms() { return false; }

    /** x[i] = x[i] rounded to the nearest bf16 (ties to even), i < n, kept as fp32. */
    default void roundToBf16(Buffer x, long n) {
        int slice = 1 << 16;
        for (long at = 0; at < n; at += slice) {
            int len = (int) Math.min(slice, n - at);
            float[] v = x.read(at, len);
            for (int i = 0; i < len; i++) v[i] = Bf16.round(v[i]);
            x.write(at, v);
        }
    }

    Weight weight(TensorView tensor);

    /**
     * Measures the device's own rates for a benchmark: an n×n×n GEMM with inputs in {@code gemmInput} (fp32 out) and a
     * device-to-device copy of up to {@code copyBytes} (0: no copy), best of {@code runs} each. Null where the benchmark's reference
     * is the CPU's own sgemm (the default: the CPU).
     */
    default DeviceRates measureRates(DType gemmInput, int n, long copyBytes, int runs) { return null; }

    /** Most device memory held at one time so far, in bytes (-1 where there is no device memory: the CPU). */
    default long peakDeviceBytes() { return -1; }

    /** Waits until every op issued so far has finished (a no-op where ops finish before they return: the CPU). */
    default void synchronize() {}

    /**
     * The most tokens one pass can hold in the device memory that is free now (called after the weights are
     * uploaded): {@code activationBytesPerToken} is what the forward pass allocates per token, the backend adds its
     * own per-token scratch and a reserve. -1 where memory is not the limit that matters (the CPU's default).
     */
    default long batchTokensThatFit(ModelConfig config, long activationBytesPerToken) { return -1; }

    /**
     * False when an op wrote outside a buffer: backends that surround their buffers with guard regions in the op
     * tests check them here (the CUDA backend); the default has none to check.
     */
    default boolean guardsIntact() { return true; }

    /** out[t, :] = table[ids[t], :]  — out is [ids.length, table.cols]. */
    void embed(Weight table, int[] ids, Buffer out);

    /**
     * out[r, :] = weight ⊙ x[r, :] / sqrt(mean(x[r, :]²) + eps) for rows r < rows, each of {@code dim} elements.
     * Used with dim = hidden (layer norms) and dim = headDim over rows = tokens·heads (Qwen3 q/k norms).
     * out may be x.
     */
    void rmsnorm(Buffer x, Weight weight, float eps, Buffer out, int rows, int dim);

    /** out[r, n] = Σ_k x[r, k] · w[n, k] (+ bias[n])  — x [rows, K], w [N, K] as stored by HF, out [rows, N]. */
    void matmul(Buffer x, Weight w, Weight bias, Buffer out, int rows);

    /**
     * Rotary embedding in place, "rotate_half" pairing (dimension i with i + headDim/2) as Hugging Face does:
     * x' [i] = x[i]·cos − x[i+h]·sin,  x'[i+h] = x[i+h]·cos + x[i]·sin,  with cos/sin of row positions[r].
     * x is [rows, heads·headDim].
     */
    void rope(Buffer x, int rows, int heads, int headDim, int[] positions, RopeTable table);

    /**
     * Causal grouped-query attention over packed sequences (no attention across sequences), FlashAttention-2's
     * varlen form: out[t, h] = Σ_j softmax_j(q[t,h]·k[j,g]·scale) v[j,g] with g = h / (heads/kvHeads), j among the
     * keys of t's sequence, j ≤ pos(t) and pos(t) − j < window when window > 0, where pos(t) is t's position in its
     * sequence (cached tokens + index in the batch: causality aligned bottom-right). q/out are
     * [tokens, heads·headDim]; k/v are [batch.keyRows(), kvHeads·headDim], sequence s's keys (its cached ones, then
     * its own) at rows [cuSeqlensK[s], cuSeqlensK[s+1]) — the same rows as q when nothing is cached.
     */
    void attention(Buffer q, Buffer k, Buffer v, Buffer out, PackedBatch batch, int heads, int kvHeads,
                   int headDim, float scale, int window);

    /** dst[i, :] = src[rows[i], :] for rows of {@code width} floats (gathers the rows that predict a token). */
    void gatherRows(Buffer src, int[] rows, int width, Buffer dst);

    /**
     * dst[dstOffset + i] = src[i] for i < n (elements of one dtype): appends a pass's keys and values to the ones
     * kept for chunked prefill. The default goes through the host; device backends copy on the device.
     */
    default void copy(Buffer src, Buffer dst, long dstOffset, long n) {
        checkCopy(src, dst, dstOffset, n);
        int slice = 1 << 16;
        for (long at = 0; at < n; at += slice) {
            int len = (int) Math.min(slice, n - at);
            dst.write(dstOffset + at, src.read(at, len));
        }
    }

    /** What every {@link #copy} checks first: one dtype, and n elements of src fit in dst at dstOffset. */
    static void checkCopy(Buffer src, Buffer dst, long dstOffset, long n) {
        if (src.dtype() != dst.dtype()) throw new IllegalArgumentException("copy from " + src.dtype() + " into " + dst.dtype());
        if (dstOffset < 0 || n < 0 || n > src.capacity() || dstOffset + n > dst.capacity()) {
            throw new IllegalArgumentException("copy of " + n + " elements (of " + src.capacity() + ") to offset " + dstOffset
                    + " of a buffer of " + dst.capacity());
        }
    }

    /** gate[i] = silu(gate[i]) · up[i] for i < n. */
    void swiglu(Buffer gate, Buffer up, long n);

    /** x[i] += y[i] for i < n. */
    void add(Buffer x, Buffer y, long n);

    /**
     * Next-token scores: for each row r of hidden [rows, H], logits = hidden[r]·lmHeadᵀ (never all rows × vocab
     * at once), then log-softmax in fp32: the log-prob of targets[r], optionally top-k and entropy.
     */
    void nextTokenScores(Buffer hidden, int rows, Weight lmHead, int[] targets, ScoreOptions options, RowScores out);

    // ---------------------------------------------------------------- the pass and the coarse ops

    /**
     * Makes the pass of one batch: uploads ids, positions, cu_seqlens, the rows to score and their targets once.
     * The default keeps them on the host (for backends whose memory is the host's).
     */
    default Pass upload(PackedBatch batch, int[] scoreRows, int[] targets, ScoreOptions options) {
        return new Pass.Host(batch, scoreRows, targets, options);
    }

    /** A layer's weights as this backend wants them, made once at load (packed q|k|v and gate|up on a GPU). */
    interface PreparedLayer {
        LayerWeights weights();
    }

    /**
     * Makes the backend's own copy of a RoPE table, covering every position the table holds now. The forward pass
     * calls it at load and between passes when the table grew (--allow-long), so no op uploads or grows a table
     * while a pass runs. The default has nothing to copy (the host ops read the table itself).
     */
    default void prepareRope(RopeTable table) {}

    /** Lays out one layer's weights for the coarse ops; the default uses them as they are. */
    default PreparedLayer prepare(LayerWeights layer) {
        return () -> layer;
    }

    /** out[t, :] = table[ids[t], :] over the pass's ids. */
    default void embed(Weight table, Pass pass, Buffer out) {
        embed(table, pass.batch().ids, out);
    }

    /** x += y (n = rows·dim), then out = rmsnorm(x)·weight: the residual add that ends a block and the next norm. */
    default void addRmsnorm(Buffer x, Buffer y, Weight weight, float eps, Buffer out, int rows, int dim) {
        add(x, y, (long) rows * dim);
        rmsnorm(x, weight, eps, out, rows, dim);
    }

    /**
     * q = h·Wqᵀ + bq, k = h·Wkᵀ + bk, v = h·Wvᵀ + bv, all fp32, from h in the GEMM-input dtype. A backend that packed
     * the weights [Wq; Wk; Wv] at load ({@link #prepare}) runs one GEMM into {@code scratch} (fp32, at least
     * rows·(Q + 2·KV) floats) and splits it; the default runs three GEMMs and leaves scratch alone.
     */
    default void qkv(PreparedLayer layer, Buffer h, int rows, Buffer q, Buffer k, Buffer v, Buffer scratch) {
        LayerWeights L = layer.weights();
        matmul(h, L.q(), L.qBias(), q, rows);
        matmul(h, L.k(), L.kBias(), k, rows);
        matmul(h, L.v(), L.vBias(), v, rows);
    }

    /**
     * Per-head RMSNorm of q and k (when qNorm/kNorm are given: Qwen3), then RoPE at the pass's positions.
     * q is [rows, heads·headDim], k [rows, kvHeads·headDim].
     */
    default void qkNormRope(Buffer q, Buffer k, Weight qNorm, Weight kNorm, float eps, int rows, int heads,
                            int kvHeads, int headDim, Pass pass, RopeTable table) {
        if (qNorm != null) rmsnorm(q, qNorm, eps, q, rows * heads, headDim);
        if (kNorm != null) rmsnorm(k, kNorm, eps, k, rows * kvHeads, headDim);
        rope(q, rows, heads, headDim, pass.batch().positions, table);
        rope(k, rows, kvHeads, headDim, pass.batch().positions, table);
    }

    /** Causal attention over the pass's sequences (see the fine op). */
    default void attention(Buffer q, Buffer k, Buffer v, Buffer out, Pass pass, int heads, int kvHeads,
                           int headDim, float scale, int window) {
        attention(q, k, v, out, pass.batch(), heads, kvHeads, headDim, scale, window);
    }

    /**
     * out = silu(h·Wgᵀ + bg) · (h·Wuᵀ + bu), [rows, I], in out's dtype (the down projection's input dtype); gate and
     * up themselves are fp32. {@code scratch} is fp32 of at least rows·2·I floats: a backend that packed [Wg; Wu] at
     * load runs one GEMM into it and a fused SwiGLU from it. The default computes the gate into out and the up
     * projection into scratch, so it needs an fp32 out (backends with bf16 buffers override it).
     */
    default void gateUpSwiglu(PreparedLayer layer, Buffer h, int rows, Buffer out, Buffer scratch) {
        LayerWeights L = layer.weights();
        if (out.dtype() != DType.F32) {
            throw new UnsupportedOperationException(name() + ": the default gate-up + SwiGLU needs an fp32 out, got " + out.dtype());
        }
        matmul(h, L.gate(), L.gateBias(), out, rows);
        matmul(h, L.up(), L.upBias(), scratch, rows);
        swiglu(out, scratch, (long) rows * L.gate().rows());
    }

    /**
     * residual += x·wᵀ + bias: the GEMM that ends a block, accumulating into the fp32 residual (beta = 1 on a GPU).
     * {@code scratch} holds rows·N floats for the default, which computes into it and adds.
     */
    default void matmulAccumulate(Buffer x, Weight w, Weight bias, Buffer residual, int rows, Buffer scratch) {
        matmul(x, w, bias, scratch, rows);
        add(residual, scratch, (long) rows * w.rows());
    }

    /** out[i, :] = rmsnorm(x[scoreRows[i], :])·weight: only the rows that are scored go through the final norm. */
    default void gatherNorm(Buffer x, Pass pass, Weight weight, float eps, Buffer out, int dim) {
        if (pass.rows() == 0) return;
        gatherRows(x, pass.scoreRows(), dim, out);
        rmsnorm(out, weight, eps, out, pass.rows(), dim);
    }

    /**
     * Scores the pass's rows from hidden [rows, H] (already normed): the results land where {@link Pass#results()}
     * finds them. The default fills a {@link Pass.Host}'s scores with {@link #nextTokenScores}.
     */
    default void score(Pass pass, Buffer hidden, Weight lmHead) {
        if (!(pass instanceof Pass.Host host)) {
            throw new IllegalStateException(name() + " made a device pass but has no score op for it");
        }
        if (pass.rows() == 0) return;
        nextTokenScores(hidden, pass.rows(), lmHead, pass.targets(), pass.options(), host.scores());
    }

    @Override
    void close();
}
