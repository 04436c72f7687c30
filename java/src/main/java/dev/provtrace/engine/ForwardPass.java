package dev.provtrace.engine;

import dev.provtrace.engine.Backend.Buffer;
import dev.provtrace.engine.Backend.PreparedLayer;
import dev.provtrace.io.DType;
import dev.provtrace.model.ModelConfig;

/**
 * The one forward pass of a Llama-family decoder (Llama, Mistral, Qwen2, Qwen3), written once against
 * {@link Backend}'s coarse ops; the config's switches (biases, q/k norm, sliding window, rope scaling) are small ifs.
 * T = tokens in the packed batch, H = hidden, Q = heads·headDim, KV = kvHeads·headDim, I = intermediate.
 * <p>
 * Each block's residual add is fused into the norm that follows it ({@link Backend#addRmsnorm}); the last layer's
 * down projection accumulates into the residual ({@link Backend#matmulAccumulate}) and only the scored rows go
 * through the final norm and the LM head ({@link Backend#gatherNorm}).
 * <p>
 * Precision BF16: the GEMM inputs (normed activations, attention output, SwiGLU output) are bf16 and every GEMM
 * accumulates in fp32; the residual stream, q/k/v and the GEMM outputs stay fp32. A backend with bf16 buffers
 * ({@link Backend#nativeBf16()}: the CUDA backend) keeps those activations in bf16 buffers, which its norm, attention
 * and SwiGLU kernels write rounded, for bf16×bf16 GEMMs. On the others they are fp32 buffers rounded to bf16 in
 * place before their GEMMs, which computes the same: each product of two bf16 values is exact in fp32, summed in
 * fp32 either way. The weights are used in their file dtype (an fp32 checkpoint keeps fp32 weights).
 */
final class ForwardPass implements AutoCloseable {
    private final ModelConfig c;
    private final Backend be;
    private final ModelWeights w;
    private final PreparedLayer[] layers;
    private final RopeTable rope;
    private final float eps;
    private final float scale;
    private final boolean roundGemmInputs;
    private final DType gemmInput;   // dtype of the GEMM-input activations (h, att, act)
    private Activations act;
    private KeptKv kept;   // chunked prefill: earlier chunks' keys and values, per layer

    /**
     * @param ropePositions positions the RoPE table covers from load on (the forward pass grows it only between
     *                      passes, via {@link #coverPositions}, for a longer sequence let in by --allow-long)
     */
    ForwardPass(ModelConfig config, Backend backend, ModelWeights weights, Precision precision, int ropePositions) {
        this.c = config;
        this.be = backend;
        this.w = weights;
        this.layers = new PreparedLayer[config.numLayers()];
        for (int l = 0; l < layers.length; l++) layers[l] = backend.prepare(weights.layers()[l]);
        this.rope = new RopeTable(config);
        this.rope.ensure(Math.max(1, ropePositions));
        backend.prepareRope(rope);                                     // on a GPU: the device table, once at load
        this.eps = (float) config.rmsNormEps();
        this.scale = (float) (1.0 / Math.sqrt(config.headDim()));
        boolean bf16 = precision == Precision.BF16;
        this.roundGemmInputs = bf16 && !backend.nativeBf16();
        this.gemmInput = bf16 && backend.nativeBf16() ? DType.BF16 : DType.F32;
    }

    /** Grows the RoPE table to cover positions below {@code positions}; called between passes, never inside an op. */
    void coverPositions(int positions) {
        rope.ensure(positions);
        be.prepareRope(rope);   // a no-op unless the table grew
    }

    RopeTable rope() { return rope; }

    /**
     * Scratch for one batch, reused while batches fit. G is the GEMM-input dtype ({@link #gemmInput}); {@code wide}
     * holds a packed q|k|v or gate|up GEMM output (or the up projection, for the coarse ops' defaults).
     */
    private static final class Activations implements AutoCloseable {
        /** One buffer's dtype and elements per token; {@link #layout} lists them in the order of the fields below. */
        private record Column(DType dtype, long perToken) {}

        final int tokens;
        final Buffer x, h, out, q, k, v, att, act, wide;
        private final Buffer[] all;

        /**
         * x residual stream (fp32), h normed (G), out a block's output (fp32), q, k, v (fp32), att the attention
         * output (G), act the SwiGLU output (G), wide a packed gate|up or q|k|v GEMM output, whichever is wider (fp32).
         */
        static Column[] layout(ModelConfig c, DType g) {
            DType f = DType.F32;
            long wide = Math.max(2L * c.intermediateSize(), c.qDim() + 2L * c.kvDim());
            return new Column[] {new Column(f, c.hiddenSize()), new Column(g, c.hiddenSize()), new Column(f, c.hiddenSize()),
                    new Column(f, c.qDim()), new Column(f, c.kvDim()), new Column(f, c.kvDim()), new Column(g, c.qDim()),
                    new Column(g, c.intermediateSize()), new Column(f, wide)};
        }

        Activations(Backend be, ModelConfig c, int tokens, DType g) {
            this.tokens = tokens;
            Column[] layout = layout(c, g);
            all = new Buffer[layout.length];
            try {
                for (int i = 0; i < layout.length; i++) all[i] = be.allocate(layout[i].dtype(), tokens * layout[i].perToken());
            } catch (RuntimeException e) {
                close();
                throw e;
            }
            x = all[0]; h = all[1]; out = all[2]; q = all[3]; k = all[4]; v = all[5]; att = all[6]; act = all[7]; wide = all[8];
        }

        /** Bytes of these buffers per token. */
        static long bytesPerToken(ModelConfig c, DType g) {
            long bytes = 0;
            for (Column col : layout(c, g)) bytes += col.dtype().size() * col.perToken();
            return bytes;
        }

        @Override
        public void close() {
            for (Buffer b : all) if (b != null) b.close();
        }
    }

    /** Bytes the forward pass allocates per token of a pass (the activations; weights and backend scratch aside). */
    long activationBytesPerToken() { return Activations.bytesPerToken(c, gemmInput); }

    /**
     * The activations for a pass of {@code tokens}, grown when a pass is longer than any before. Out of device memory
     * says how much a pass of this length needs and which --batch-tokens fits, or that this sequence alone does not.
     */
    private Activations activations(int tokens) {
        if (act == null || act.tokens < tokens) {
            if (act != null) act.close();
            act = null;
            try {
                act = new Activations(be, c, tokens, gemmInput);
            } catch (OutOfDeviceMemoryException e) {
                long fit = be.batchTokensThatFit(c, activationBytesPerToken());
                long need = (long) tokens * activationBytesPerToken();
                String hint = fit >= 1 ? "; --batch-tokens " + fit + " fits (a longer sequence then runs in chunks of that many tokens)"
                        : "; the weights leave no room for activations on this device";
                throw new OutOfDeviceMemoryException("out of device memory for a pass of " + tokens + " tokens ("
                        + (need >> 20) + " MiB of activations): " + e.getMessage() + hint, e.requested());
            }
        }
        return act;
    }

    /**
     * Keys and values kept on the backend between the passes of a sequence longer than one pass (chunked prefill):
     * per layer, k and v [rows, KV] fp32, row p the key of the sequence's position p, then the rows of the
     * sequences packed after its last chunk.
     */
    private static final class KeptKv implements AutoCloseable {
        final int rows;
        final Buffer[] k, v;

        KeptKv(Backend be, ModelConfig c, int rows) {
            this.rows = rows;
            k = new Buffer[c.numLayers()];
            v = new Buffer[c.numLayers()];
            try {
                for (int l = 0; l < k.length; l++) {
                    k[l] = be.allocate((long) rows * c.kvDim());
                    v[l] = be.allocate((long) rows * c.kvDim());
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        static long bytes(ModelConfig c, long rows) { return 2L * c.numLayers() * rows * c.kvDim() * DType.F32.size(); }

        @Override
        public void close() {
            for (Buffer[] side : new Buffer[][] {k, v}) for (Buffer b : side) if (b != null) b.close();
        }
    }

    /**
     * Makes room for {@code rows} kept keys/values per layer before the first chunk of a long sequence (between
     * passes; kept ones are never moved, so this is never called while a sequence is half done), next to the
     * activations of passes of up to {@code passTokens} tokens. Where device memory is the limit, it first checks that
     * both fit; when they do not, the error says how much the kept ones need and which --batch-tokens leaves room.
     */
    void reserveKv(int rows, int passTokens) {
        if (kept != null && kept.rows >= rows) return;
        if (kept != null) kept.close();
        kept = null;
        long need = KeptKv.bytes(c, rows), perToken = activationBytesPerToken();
        long free = be.batchTokensThatFit(c, perToken);   // tokens of activations the free memory holds; -1: no limit
        if (free >= 0) {
            long room = (act == null ? 0 : act.tokens) + free - (need + perToken - 1) / perToken;   // pass tokens left beside them
            if (room < passTokens) throw keptOutOfMemory(rows, need, room, "the device has room for passes of " + Math.max(0, room) + " tokens beside them");
        }
        try {
            kept = new KeptKv(be, c, rows);
        } catch (OutOfDeviceMemoryException e) {
            throw keptOutOfMemory(rows, need, -1, e.getMessage());
        }
    }

    private OutOfDeviceMemoryException keptOutOfMemory(int rows, long bytes, long room, String why) {
        String hint = room >= 1 ? "; --batch-tokens " + room + " leaves room for them"
                : room == -1 ? "; a smaller --batch-tokens leaves more room for them" : "; this device cannot hold them next to the weights";
        return new OutOfDeviceMemoryException("out of device memory for the keys and values of a sequence scored in chunks (" + rows
                + " positions × " + c.numLayers() + " layers, " + (bytes >> 20) + " MiB): " + why + hint, bytes);
    }

    private void gemmInput(Buffer b, long n) {
        if (roundGemmInputs) be.roundToBf16(b, n);
    }

    /**
     * Enqueues the whole pass: the scores of {@link Pass#scoreRows()} land where {@link Pass#results()} finds them.
     * The caller has covered the pass's positions with {@link #coverPositions} before.
     * <p>
     * Chunked prefill: with {@code keepKv} (the pass's first sequence goes on in a later pass) or when the first
     * sequence continues an earlier pass ({@code cached[0] > 0}), each layer's keys and values are appended to the
     * kept ones at row cached[0] (reserved with {@link #reserveKv}) and the attention reads them there; only the
     * first sequence may be such a chunk, so the pass's rows are one contiguous run of kept rows.
     */
    void run(Pass pass, boolean keepKv) {
        PackedBatch b = pass.batch();
        int T = b.tokens(), H = c.hiddenSize(), I = c.intermediateSize();
        int heads = c.numHeads(), kvHeads = c.numKvHeads(), hd = c.headDim();
        boolean chunked = keepKv || b.hasCached();
        int past = b.sequences() == 0 ? 0 : b.cached[0];
        if (chunked) {
            for (int s = 1; s < b.sequences(); s++) {
                if (b.cached[s] > 0) throw new IllegalArgumentException("sequence " + s + " of a pass continues an earlier pass: only the first may");
            }
            if (kept == null || kept.rows < b.keyRows()) {
                throw new IllegalStateException("a chunk needs " + b.keyRows() + " kept key rows, " + (kept == null ? 0 : kept.rows) + " are reserved");
            }
        }
        Activations a = activations(T);

        be.embed(w.embed(), pass, a.x);                                        // x [T, H]
        be.rmsnorm(a.x, layers[0].weights().inputNorm(), eps, a.h, T, H);            // h [T, H]
        for (int l = 0; l < c.numLayers(); l++) {
            PreparedLayer P = layers[l];
            LayerWeights L = P.weights();
            // attention block
            gemmInput(a.h, (long) T * H);
            be.qkv(P, a.h, T, a.q, a.k, a.v, a.wide);                          // q [T, Q], k, v [T, KV]
            be.qkNormRope(a.q, a.k, c.qkNorm() ? L.qNorm() : null, c.qkNorm() ? L.kNorm() : null, eps, T,
                    heads, kvHeads, hd, pass, rope);                           // Qwen3: per-head RMSNorm before RoPE
            int window = c.usesSlidingWindow(l) ? c.slidingWindow() : 0;
            // attention's two products take bf16 inputs too (a native backend rounds q, k, v as it loads them)
            gemmInput(a.q, (long) T * c.qDim());
            gemmInput(a.k, (long) T * c.kvDim());
            gemmInput(a.v, (long) T * c.kvDim());
            Buffer keys = a.k, values = a.v;
            if (chunked) {                                                     // kept [past + T, KV]: earlier chunks first
                keys = kept.k[l];
                values = kept.v[l];
                be.copy(a.k, keys, (long) past * c.kvDim(), (long) T * c.kvDim());
                be.copy(a.v, values, (long) past * c.kvDim(), (long) T * c.kvDim());
            }
            be.attention(a.q, keys, values, a.att, pass, heads, kvHeads, hd, scale, window);  // att [T, Q]
            gemmInput(a.att, (long) T * c.qDim());
            be.matmul(a.att, L.o(), L.oBias(), a.out, T);                      // out [T, H]
            be.addRmsnorm(a.x, a.out, L.postNorm(), eps, a.h, T, H);           // x += out; h = norm(x)
            // MLP block: down(silu(gate(h)) · up(h))
            gemmInput(a.h, (long) T * H);
            be.gateUpSwiglu(P, a.h, T, a.act, a.wide);                         // act [T, I]
            gemmInput(a.act, (long) T * I);
            if (l + 1 < c.numLayers()) {
                be.matmul(a.act, L.down(), L.downBias(), a.out, T);            // out [T, H]
                be.addRmsnorm(a.x, a.out, layers[l + 1].weights().inputNorm(), eps, a.h, T, H);
            } else {
                be.matmulAccumulate(a.act, L.down(), L.downBias(), a.x, T, a.out);   // x += down(...)
            }
        }
        int rows = pass.rows();
        if (rows == 0) return;
        be.gatherNorm(a.x, pass, w.finalNorm(), eps, a.h, H);                  // h [rows, H]
        gemmInput(a.h, (long) rows * H);
        be.score(pass, a.h, w.lmHead());
    }

    @Override
    public void close() {
        if (act != null) act.close();
        act = null;
        if (kept != null) kept.close();
        kept = null;
    }
}
