package dev.provtrace.engine.check;

import dev.provtrace.engine.Backend;
import dev.provtrace.engine.Bf16;
import dev.provtrace.engine.LayerWeights;
import dev.provtrace.engine.Pass;
import dev.provtrace.engine.PackedBatch;
import dev.provtrace.engine.RopeTable;
import dev.provtrace.engine.RowScores;
import dev.provtrace.engine.ScoreOptions;
import dev.provtrace.engine.WeightShape;
import dev.provtrace.io.DType;
import dev.provtrace.io.TensorView;

import java.util.Arrays;

/**
 * The oracle of the op tests ({@code provtrace test-ops}, {@link OpSuite}): every fine op of {@link Backend} written
 * the plain way, one scalar loop per formula, sums in double, no blocking, no chunking, no threads. The coarse ops
 * are the interface's defaults, i.e. their definition in fine ops. It is checked against Hugging Face itself (it is a
 * device, {@code --device reference}, so HfParityTest runs it over every fixture), and every other backend is
 * compared with it op by op.
 * <p>
 * Buffers are heap float[]; weights are read a row at a time from the tensor (widened exactly from bf16/f16), so
 * nothing here is cached or laid out differently from the file.
 */
public final class ReferenceBackend implements Backend {

    /**
     * A heap buffer of fp32 or bf16 elements. A bf16 buffer holds floats that are bf16 values: whatever is written
     * into it (by {@link #write} or by an op, see {@link #settle}) is rounded to the nearest bf16, ties to even.
     */
    static final class HeapBuffer implements Buffer {
        final float[] data;
        final DType dtype;

        HeapBuffer(DType dtype, long n) {
            if (n < 0 || n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("reference buffers hold at most 2^31 floats, asked " + n);
            if (dtype != DType.F32 && dtype != DType.BF16) throw new IllegalArgumentException("reference buffers are F32 or BF16, not " + dtype);
            this.dtype = dtype;
            data = new float[(int) n];
        }

        @Override public long capacity() { return data.length; }

        @Override public DType dtype() { return dtype; }

        @Override public float[] read(long offset, int n) { return Arrays.copyOfRange(data, (int) offset, (int) offset + n); }

        @Override public void write(long offset, float[] src) {
            System.arraycopy(src, 0, data, (int) offset, src.length);
            if (dtype == DType.BF16) for (int i = 0; i < src.length; i++) data[(int) offset + i] = Bf16.round(data[(int) offset + i]);
        }

        @Override public void close() {}
    }

    /** After an op wrote {@code out}: a bf16 buffer's elements become bf16 values (rounding a bf16 value is exact). */
    private static void settle(Buffer out) {
        HeapBuffer b = (HeapBuffer) out;
        if (b.dtype == DType.BF16) for (int i = 0; i < b.data.length; i++) b.data[i] = Bf16.round(b.data[i]);
    }

    /** A tensor as it is in the file, read row by row. */
    record FileWeight(TensorView view, int rows, int cols) implements Weight {
        float[] row(int r) {
            float[] out = new float[cols];
            view.readFloats((long) r * cols, out, 0, cols);
            return out;
        }

        float[] all() {
            float[] out = new float[Math.multiplyExact(rows, cols)];
            view.readFloats(0, out, 0, out.length);
            return out;
        }
    }

    private static float[] d(Buffer b) { return ((HeapBuffer) b).data; }

    private static FileWeight f(Weight w) { return (FileWeight) w; }

    @Override
    public String name() { return "reference (naive scalar ops, double sums; the oracle of the op tests)"; }

    @Override
    public Buffer allocate(long floats) { return new HeapBuffer(DType.F32, floats); }

    @Override
    public Buffer allocate(DType dtype, long elements) { return new HeapBuffer(dtype, elements); }

    /** bf16 buffers of its own: the oracle of the CUDA backend's bf16 path. */
    @Override
    public boolean nativeBf16() { return true; }

    @Override
    public Weight weight(TensorView tensor) {
        WeightShape s = WeightShape.of(tensor);
        return new FileWeight(tensor, s.rows(), s.cols());
    }

    @Override
    public void embed(Weight table, int[] ids, Buffer out) {
        FileWeight t = f(table);
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= t.rows()) throw new IllegalArgumentException("token id " + ids[i] + " is outside the vocabulary of " + t.rows());
            System.arraycopy(t.row(ids[i]), 0, d(out), i * t.cols(), t.cols());
        }
        settle(out);
    }

    @Override
    public void rmsnorm(Buffer x, Weight weight, float eps, Buffer out, int rows, int dim) {
        float[] w = f(weight).all(), in = d(x), o = d(out);
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int i = 0; i < dim; i++) ss += (double) in[r * dim + i] * in[r * dim + i];
            double inv = 1 / Math.sqrt(ss / dim + eps);
            for (int i = 0; i < dim; i++) o[r * dim + i] = (float) (w[i] * (in[r * dim + i] * inv));
        }
        settle(out);
    }

    @Override
    public void matmul(Buffer x, Weight w, Weight bias, Buffer out, int rows) {
        FileWeight W = f(w);
        float[] b = bias == null ? null : f(bias).all(), in = d(x), o = d(out);
        int n = W.rows(), k = W.cols();
        for (int j = 0; j < n; j++) {
            float[] wj = W.row(j);
            for (int r = 0; r < rows; r++) {
                double s = b == null ? 0 : b[j];
                for (int i = 0; i < k; i++) s += (double) in[r * k + i] * wj[i];
                o[r * n + j] = (float) s;
            }
        }
        settle(out);
    }

    @Override
    public void rope(Buffer x, int rows, int heads, int headDim, int[] positions, RopeTable table) {
        int half = headDim / 2;
        float[] v = d(x), cos = table.cos(), sin = table.sin();
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < heads; h++) {
                int base = (r * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    double c = cos[positions[r] * half + i], s = sin[positions[r] * half + i];
                    double a = v[base + i], b = v[base + i + half];
                    v[base + i] = (float) (a * c - b * s);
                    v[base + i + half] = (float) (b * c + a * s);
                }
            }
        }
        settle(x);
    }

    private static float[] rounded(float[] x) {
        float[] r = new float[x.length];
        for (int i = 0; i < x.length; i++) r[i] = Bf16.round(x[i]);
        return r;
    }

    @Override
    public void attention(Buffer q, Buffer k, Buffer v, Buffer out, PackedBatch batch, int heads, int kvHeads,
                          int headDim, float scale, int window) {
        float[] Q = d(q), K = d(k), V = d(v), O = d(out);
        if (out.dtype() == DType.BF16) {   // bf16 precision: the two products' inputs q, k, v are bf16 (as the GEMMs')
            Q = rounded(Q);
            K = rounded(K);
            V = rounded(V);
        }
        int group = heads / kvHeads, qw = heads * headDim, kw = kvHeads * headDim;
        int[] cuK = batch.cuSeqlensK();
        for (int s = 0; s < batch.sequences(); s++) {
            int start = batch.starts[s], len = batch.lengths[s], kStart = cuK[s];
            for (int t = 0; t < len; t++) {
                int pos = batch.cached[s] + t;   // key j of the sequence is row kStart + j
                int first = window > 0 ? Math.max(0, pos - window + 1) : 0;
                for (int h = 0; h < heads; h++) {
                    int g = h / group, qa = (start + t) * qw + h * headDim;
                    double[] score = new double[pos + 1 - first];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = first; j <= pos; j++) {
                        double dot = 0;
                        int ka = (kStart + j) * kw + g * headDim;
                        for (int i = 0; i < headDim; i++) dot += (double) Q[qa + i] * K[ka + i];
                        score[j - first] = dot * scale;
                        max = Math.max(max, score[j - first]);
                    }
                    double z = 0;
                    for (int j = 0; j < score.length; j++) z += score[j] = Math.exp(score[j] - max);
                    for (int i = 0; i < headDim; i++) {
                        double acc = 0;
                        for (int j = first; j <= pos; j++) acc += score[j - first] * V[(kStart + j) * kw + g * headDim + i];
                        O[qa + i] = (float) (acc / z);
                    }
                }
            }
        }
        settle(out);
    }

    @Override
    public void copy(Buffer src, Buffer dst, long dstOffset, long n) {
        Backend.checkCopy(src, dst, dstOffset, n);
        System.arraycopy(d(src), 0, d(dst), Math.toIntExact(dstOffset), Math.toIntExact(n));
    }

    @Override
    public void gatherRows(Buffer src, int[] rows, int width, Buffer dst) {
        for (int i = 0; i < rows.length; i++) System.arraycopy(d(src), rows[i] * width, d(dst), i * width, width);
        settle(dst);
    }

    @Override
    public void swiglu(Buffer gate, Buffer up, long n) {
        float[] g = d(gate), u = d(up);
        for (int i = 0; i < n; i++) g[i] = (float) (g[i] / (1 + Math.exp(-(double) g[i])) * u[i]);
        settle(gate);
    }

    @Override
    public void add(Buffer x, Buffer y, long n) {
        float[] a = d(x), b = d(y);
        for (int i = 0; i < n; i++) a[i] += b[i];
        settle(x);
    }

    /**
     * All logits of a row at once in double, log-softmax in double; top-k by sorting (higher log-prob first, lower id
     * first among equals); entropy −Σ p log p; rank 1 + #{j : l_j > l_target}.
     */
    @Override
    public void nextTokenScores(Buffer hidden, int rows, Weight lmHead, int[] targets, ScoreOptions options, RowScores out) {
        FileWeight W = f(lmHead);
        int vocab = W.rows(), dim = W.cols();
        float[] h = d(hidden);
        double[][] logits = new double[rows][vocab];
        for (int j = 0; j < vocab; j++) {
            float[] wj = W.row(j);
            for (int r = 0; r < rows; r++) {
                double s = 0;
                for (int i = 0; i < dim; i++) s += (double) h[r * dim + i] * wj[i];
                logits[r][j] = s;
            }
        }
        for (int r = 0; r < rows; r++) {
            double[] l = logits[r];
            double max = Double.NEGATIVE_INFINITY;
            for (double x : l) max = Math.max(max, x);
            double z = 0;
            for (double x : l) z += Math.exp(x - max);
            double logZ = max + Math.log(z);
            out.logprob[r] = (float) (l[targets[r]] - logZ);
            if (options.rank()) {
                int above = 0;
                for (double x : l) if (x > l[targets[r]]) above++;
                out.rank[r] = 1 + above;
            }
            if (options.entropy()) {
                double e = 0;
                for (double x : l) e -= Math.exp(x - logZ) * (x - logZ);
                out.entropy[r] = (float) e;
            }
            if (options.topK() > 0) {
                Integer[] order = new Integer[vocab];
                for (int j = 0; j < vocab; j++) order[j] = j;
                Arrays.sort(order, (a, b) -> l[a] != l[b] ? Double.compare(l[b], l[a]) : Integer.compare(a, b));
                int k = Math.min(options.topK(), vocab);
                out.topIds[r] = new int[k];
                out.topLogprobs[r] = new float[k];
                for (int i = 0; i < k; i++) {
                    out.topIds[r][i] = order[i];
                    out.topLogprobs[r][i] = (float) (l[order[i]] - logZ);
                }
            }
        }
    }

    /**
     * gate and up in fp32 (into buffers of their own), SwiGLU in fp32, then stored in out's dtype: the coarse op's
     * definition for any out (the interface's default writes the gate into out, fp32 only).
     */
    @Override
    public void gateUpSwiglu(PreparedLayer layer, Buffer h, int rows, Buffer out, Buffer scratch) {
        LayerWeights L = layer.weights();
        int n = L.gate().rows();
        Buffer gate = allocate((long) rows * n), up = allocate((long) rows * n);
        matmul(h, L.gate(), L.gateBias(), gate, rows);
        matmul(h, L.up(), L.upBias(), up, rows);
        swiglu(gate, up, (long) rows * n);
        out.write(0, d(gate));
    }

    /** The scored rows gathered in fp32, normed, then stored in out's dtype. */
    @Override
    public void gatherNorm(Buffer x, Pass pass, Weight weight, float eps, Buffer out, int dim) {
        if (pass.rows() == 0) return;
        Buffer rows = allocate((long) pass.rows() * dim);
        gatherRows(x, pass.scoreRows(), dim, rows);
        rmsnorm(rows, weight, eps, rows, pass.rows(), dim);
        out.write(0, d(rows));
    }

    @Override
    public void close() {}
}
