package dev.provtrace.engine;

import dev.provtrace.engine.Backend.Buffer;
import dev.provtrace.model.ModelConfig;

/**
 * The one forward pass of a Llama-family decoder (Llama, Mistral, Qwen2, Qwen3), written once against
 * {@link Backend}; the config's switches (biases, q/k norm, sliding window, rope scaling) are small ifs.
 * T = tokens in the packed batch, H = hidden, Q = heads·headDim, KV = kvHeads·headDim, I = intermediate.
 */
final class ForwardPass implements AutoCloseable {
    private final ModelConfig c;
    private final Backend be;
    private final ModelWeights w;
    private final RopeTable rope;
    private final float eps;
    private final float scale;
    private Activations act;

    ForwardPass(ModelConfig config, Backend backend, ModelWeights weights) {
        this.c = config;
        this.be = backend;
        this.w = weights;
        this.rope = new RopeTable(config);
        this.eps = (float) config.rmsNormEps();
        this.scale = (float) (1.0 / Math.sqrt(config.headDim()));
    }

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

    /**
     * Runs the batch and scores every token that has a prefix in its sequence.
     * Row r of the result is the prediction made at {@code predictingRows[r]} for the token after it.
     */
    RowScores run(PackedBatch batch, int[] predictingRows, ScoreOptions options) {
        int T = batch.tokens(), H = c.hiddenSize(), I = c.intermediateSize();
        int heads = c.numHeads(), kvHeads = c.numKvHeads(), hd = c.headDim();
        Activations a = activations(T);

        be.embed(w.embed(), batch.ids, a.x);                                   // x [T, H]
        for (int l = 0; l < c.numLayers(); l++) {
            LayerWeights L = w.layers()[l];
            // attention block
            be.rmsnorm(a.x, L.inputNorm(), eps, a.h, T, H);                    // h [T, H]
            be.matmul(a.h, L.q(), L.qBias(), a.q, T);                          // q [T, Q]
            be.matmul(a.h, L.k(), L.kBias(), a.k, T);                          // k [T, KV]
            be.matmul(a.h, L.v(), L.vBias(), a.v, T);                          // v [T, KV]
            if (c.qkNorm()) {                                                  // Qwen3: per-head RMSNorm before RoPE
                be.rmsnorm(a.q, L.qNorm(), eps, a.q, T * heads, hd);
                be.rmsnorm(a.k, L.kNorm(), eps, a.k, T * kvHeads, hd);
            }
            be.rope(a.q, T, heads, hd, batch.positions, rope);
            be.rope(a.k, T, kvHeads, hd, batch.positions, rope);
            int window = c.usesSlidingWindow(l) ? c.slidingWindow() : 0;
            be.attention(a.q, a.k, a.v, a.att, batch, heads, kvHeads, hd, scale, window);  // att [T, Q]
            be.matmul(a.att, L.o(), L.oBias(), a.out, T);                      // out [T, H]
            be.add(a.x, a.out, (long) T * H);                                  // residual
            // MLP block: down(silu(gate(h)) · up(h))
            be.rmsnorm(a.x, L.postNorm(), eps, a.h, T, H);
            be.matmul(a.h, L.gate(), L.gateBias(), a.gate, T);                 // gate [T, I]
            be.matmul(a.h, L.up(), L.upBias(), a.up, T);                       // up [T, I]
            be.swiglu(a.gate, a.up, (long) T * I);
            be.matmul(a.gate, L.down(), L.downBias(), a.out, T);               // out [T, H]
            be.add(a.x, a.out, (long) T * H);
        }
        be.rmsnorm(a.x, w.finalNorm(), eps, a.h, T, H);

        int rows = predictingRows.length;
        int[] targets = new int[rows];
        for (int r = 0; r < rows; r++) targets[r] = batch.ids[predictingRows[r] + 1];
        RowScores scores = new RowScores(rows, options);
        if (rows == 0) return scores;
        be.gatherRows(a.h, predictingRows, H, a.out);                          // out [rows, H]
        be.nextTokenScores(a.out, rows, w.lmHead(), targets, options, scores);
        return scores;
    }

    @Override
    public void close() {
        if (act != null) act.close();
        act = null;
    }
}
