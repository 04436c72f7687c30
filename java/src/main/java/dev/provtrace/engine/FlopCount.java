package dev.provtrace.engine;

import dev.provtrace.model.ModelConfig;

/**
 * Useful floating-point operations of one forward pass (a multiply-add counts 2): the linear layers for every
 * token, causal attention only over the keys each query may see, and the LM head only for rows that predict a
 * token. Element-wise work (norms, RoPE, SiLU, softmax) is not counted: achieved GFLOP/s is therefore a
 * conservative figure comparable with a GEMM rate.
 */
public final class FlopCount {
    private FlopCount() {}

    public static double forward(ModelConfig c, int[] lengths) {
        long h = c.hiddenSize(), q = c.qDim(), kv = c.kvDim(), inter = c.intermediateSize();
        double linearPerToken = 2.0 * (h * q + 2 * h * kv + q * h + 3 * h * inter) * c.numLayers();
        double total = 0;
        for (int len : lengths) {
            total += linearPerToken * len;
            total += 2.0 * h * c.vocabSize() * Math.max(0, len - 1);                  // LM head, rows with a target
            for (int l = 0; l < c.numLayers(); l++) {
                int window = c.usesSlidingWindow(l) ? c.slidingWindow() : 0;
                double keys = 0;                                                   // Σ over queries of visible keys
                for (int t = 0; t < len; t++) keys += window > 0 ? Math.min(t + 1, window) : t + 1;
                total += 2.0 * 2.0 * keys * c.headDim() * c.numHeads();          // QKᵀ and PV
            }
        }
        return total;
    }
}
