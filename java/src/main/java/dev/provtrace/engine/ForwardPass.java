package dev.provtrace.engine;

import dev.provtrace.engine.Backend.Buffer;
import dev.provtrace.engine.Backend.PreparedLayer;
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
 * Precision BF16 on a backend without bf16 buffers: the GEMM inputs (normed activations, attention output,
 * SwiGLU output) are rounded to bf16 in place before their GEMMs, which is what a bf16×bf16 GEMM with fp32
 * accumulation computes (each product of two bf16 values is exact in fp32). The weights are used in their file
 * dtype as before (an fp32 checkpoint keeps fp32 weights).
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
    private Activations act;

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
        this.roundGemmInputs = precision == Precision.BF16 && !backend.nativeBf16();
        if (precision == Precision.BF16 && backend.nativeBf16()) {
            // bf16 activation buffers and bf16×bf16 GEMMs are the backend's to run; no backend has them yet
            throw new UnsupportedOperationException(backend.name() + ": native bf16 activations are not wired into the forward pass yet");
        }
    }

    /** Grows the RoPE table to cover positions below {@code positions}; called between passes, never inside an op. */
    void coverPositions(int positions) {
        rope.ensure(positions);
        be.prepareRope(rope);   // a no-op unless the table grew
    }

    RopeTable rope() { return rope; }

    /** Scratch for one batch, reused while batches fit. */
    private static final class Activations implements AutoCloseable {
        final int tokens;
        final Buffer x, h, q, k, v, att, gate, up, out;

        Activations(Backend be, ModelConfig c, int tokens) {
            long t = tokens;
            this.tokens = tokens;
            x = be.allocate(t * c.hiddenSize());
            h = be.allocate(t * c.hiddenSize());
            out = be.allocate(t * c.hiddenSize());
            q = be.allocate(t * c.qDim());
            att = be.allocate(t * c.qDim());
            k = be.allocate(t * c.kvDim());
            v = be.allocate(t * c.kvDim());
            gate = be.allocate(t * c.intermediateSize());
            up = be.allocate(t * c.intermediateSize());
        }

        @Override
        public void close() {
            for (Buffer b : new Buffer[] {x, h, out, q, att, k, v, gate, up}) b.close();
        }
    }

    private Activations activations(int tokens) {
        if (act == null || act.tokens < tokens) {
            if (act != null) act.close();
            act = new Activations(be, c, tokens);
        }
        return act;
    }

    private void gemmInput(Buffer b, long n) {
        if (roundGemmInputs) be.roundToBf16(b, n);
    }

    /**
     * Enqueues the whole pass: the scores of {@link Pass#scoreRows()} land where {@link Pass#results()} finds them.
     * The caller has covered the pass's positions with {@link #coverPositions} before.
     */
    void run(Pass pass) {
        int T = pass.batch().tokens(), H = c.hiddenSize(), I = c.intermediateSize();
        int heads = c.numHeads(), kvHeads = c.numKvHeads(), hd = c.headDim();
        Activations a = activations(T);

        be.embed(w.embed(), pass, a.x);                                        // x [T, H]
        be.rmsnorm(a.x, w.layers()[0].inputNorm(), eps, a.h, T, H);            // h [T, H]
        for (int l = 0; l < c.numLayers(); l++) {
            PreparedLayer P = layers[l];
            LayerWeights L = w.layers()[l];
            // attention block
            gemmInput(a.h, (long) T * H);
            be.qkv(P, a.h, T, a.q, a.k, a.v);                                  // q [T, Q], k, v [T, KV]
            be.qkNormRope(a.q, a.k, c.qkNorm() ? L.qNorm() : null, c.qkNorm() ? L.kNorm() : null, eps, T,
                    heads, kvHeads, hd, pass, rope);                           // Qwen3: per-head RMSNorm before RoPE
            int window = c.usesSlidingWindow(l) ? c.slidingWindow() : 0;
            be.attention(a.q, a.k, a.v, a.att, pass, heads, kvHeads, hd, scale, window);  // att [T, Q]
            gemmInput(a.att, (long) T * c.qDim());
            be.matmul(a.att, L.o(), L.oBias(), a.out, T);                      // out [T, H]
            be.addRmsnorm(a.x, a.out, L.postNorm(), eps, a.h, T, H);           // x += out; h = norm(x)
            // MLP block: down(silu(gate(h)) · up(h))
            gemmInput(a.h, (long) T * H);
            be.gateUpSwiglu(P, a.h, T, a.gate, a.up);                          // gate [T, I]
            gemmInput(a.gate, (long) T * I);
            if (l + 1 < c.numLayers()) {
                be.matmul(a.gate, L.down(), L.downBias(), a.out, T);           // out [T, H]
                be.addRmsnorm(a.x, a.out, w.layers()[l + 1].inputNorm(), eps, a.h, T, H);
            } else {
                be.matmulAccumulate(a.gate, L.down(), L.downBias(), a.x, T, a.out);   // x += down(...)
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
    }
}
