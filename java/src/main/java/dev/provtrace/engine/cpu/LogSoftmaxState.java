package dev.provtrace.engine.cpu;

import dev.provtrace.engine.RowScores;
import dev.provtrace.engine.ScoreOptions;

/**
 * Online log-softmax of one row over vocabulary slices (the logits of a whole row never need to exist at once):
 * running max m, Σ e^(l−m) and Σ e^(l−m)·l rescaled when m grows, the target's logit, and a top-k heap.
 * log p(target) = l_target − (m + log Σ),  entropy = m + log Σ − (Σ e^(l−m)·l)/Σ. The rank needs l_target before
 * it can count, so it comes from a second sweep over the same logits ({@link #countAbove}).
 */
final class LogSoftmaxState {
    private final int target;
    private final boolean entropy;
    private final TopK top;
    private float max = Float.NEGATIVE_INFINITY;
    private double sum;
    private double moment;
    private float targetLogit = Float.NaN;
    private final double[] sums = new double[2];
    private int above;   // logits strictly greater than the target's, counted by the second sweep

    LogSoftmaxState(int target, ScoreOptions options) {
        this.target = target;
        this.entropy = options.entropy();
        this.top = options.topK() > 0 ? new TopK(options.topK()) : null;
    }

    /** Logits of vocabulary ids [base, base+n) in x[0..n). */
    void accept(float[] x, int n, int base) {
        float m = Math.max(max, VectorKernels.max(x, 0, n));
        if (m > max) {
            if (sum > 0) {
                double f = Math.exp((double) max - m);
                sum *= f;
                moment *= f;
            }
            max = m;
        }
        VectorKernels.expSums(x, 0, n, max, sums, entropy);
        sum += sums[0];
        moment += sums[1];
        if (target >= base && target < base + n) targetLogit = x[target - base];
        if (top != null) {
            float threshold = top.threshold();
            for (int i = 0; i < n; i++) {
                if (x[i] >= threshold) {
                    top.offer(x[i], base + i);
                    threshold = top.threshold();
                }
            }
        }
    }

    /** Second sweep, after every slice went through {@link #accept}: counts the slice's logits above the target's. */
    void countAbove(float[] x, int n) {
        above += VectorKernels.countAbove(x, 0, n, targetLogit);
    }

    void finish(RowScores out, int row) {
        double logZ = max + Math.log(sum);
        out.logprob[row] = (float) (targetLogit - logZ);
        if (entropy) out.entropy[row] = (float) (logZ - moment / sum);
        if (out.rank != null) out.rank[row] = 1 + above;
        if (top != null) {
            float[] lp = new float[top.size()];
            out.topIds[row] = top.sortedIds((float) logZ, lp);
            out.topLogprobs[row] = lp;
        }
    }
}
