package dev.provtrace.engine;

import dev.provtrace.io.TensorView;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A backend decorator that adds up wall time per op, for the benchmark's breakdown, and the work each op does: useful
 * FLOPs (GEMMs, attention) and the bytes it must move at least (inputs read once, outputs written once, weights in
 * their dtype), so that a time becomes an achieved rate. On a GPU the ops only enqueue, so their times are launch
 * times; {@link #synchronizeEachOp} makes each op wait for the device, and its time the kernels' (a profiling run:
 * it adds a synchronisation per op to the pass).
 */
public final class TimedBackend implements Backend {
    private final Backend inner;
    private final Map<String, Long> nanos = new LinkedHashMap<>();
    private final Map<String, double[]> work = new LinkedHashMap<>();   // op -> {flops, bytes}
    private boolean sync;

    public TimedBackend(Backend inner) { this.inner = inner; }

    /** Wall time per op name in nanoseconds, in first-use order. */
    public Map<String, Long> nanos() { return new LinkedHashMap<>(nanos); }

    /** {useful FLOPs, bytes moved} per op name, summed like {@link #nanos()}. */
    public Map<String, double[]> work() {
        Map<String, double[]> out = new LinkedHashMap<>();
        work.forEach((k, v) -> out.put(k, v.clone()));
        return out;
    }

    public void reset() {
        nanos.clear();
        work.clear();
    }

    /** When on, every op waits for the device before its time is taken (the kernels' own time on a GPU). */
    public void synchronizeEachOp(boolean on) { sync = on; }

    private void time(String op, double flops, double bytes, Runnable r) {
        if (sync) inner.synchronize();
        long t = System.nanoTime();
        r.run();
        if (sync) inner.synchronize();
        nanos.merge(op, System.nanoTime() - t, Long::sum);
        double[] w = work.computeIfAbsent(op, k -> new double[2]);
        w[0] += flops;
        w[1] += bytes;
    }

    private void time(String op, Runnable r) { time(op, 0, 0, r); }

    private <T> T time(String op, Supplier<T> s) {
        long t = System.nanoTime();
        T v = s.get();
        nanos.merge(op, System.nanoTime() - t, Long::sum);
        return v;
    }

    private static double size(Buffer b) { return b.dtype().size(); }

    private static double size(Weight w) { return w.view().dtype().size(); }

    private static double elems(Weight w) { return (double) w.rows() * w.cols(); }

    /** A GEMM of rows × w: its FLOPs and the bytes of x, w and out. */
    private static double[] gemm(Buffer x, Weight w, int rows) {
        return new double[] {2.0 * rows * elems(w), elems(w) * size(w) + (double) rows * w.cols() * size(x) + 4.0 * rows * w.rows()};
    }

    /** Query-key pairs of causal attention over the batch (within the window when there is one; cached keys included). */
    private static double pairs(PackedBatch batch, int window) {
        double p = 0;
        for (int s = 0; s < batch.sequences(); s++) p += keysSeen(batch.cached[s] + batch.lengths[s], window) - keysSeen(batch.cached[s], window);
        return p;
    }

    /** Σ over positions t < n of the keys t sees: min(t + 1, window). */
    private static double keysSeen(long n, int window) {
        if (window <= 0 || window >= n) return n * (n + 1) / 2.0;
        return window * (window + 1) / 2.0 + (double) (n - window) * window;
    }

    private static double[] attentionWork(Buffer out, PackedBatch batch, int heads, int kvHeads, int hd, int window) {
        double t = batch.tokens();
        return new double[] {4.0 * hd * heads * pairs(batch, window),
                t * heads * hd * (4 + size(out)) + 2.0 * batch.keyRows() * kvHeads * hd * 4};
    }

    @Override public String name() { return inner.name(); }
    @Override public Buffer allocate(long floats) { return time("allocate", () -> inner.allocate(floats)); }
    @Override public Weight weight(TensorView tensor) { return inner.weight(tensor); }
    @Override public void embed(Weight table, int[] ids, Buffer out) {
        time("embed", 0, (double) ids.length * table.cols() * (size(table) + 4), () -> inner.embed(table, ids, out));
    }
    @Override public void rmsnorm(Buffer x, Weight w, float eps, Buffer out, int rows, int dim) {
        time("rmsnorm", 0, (double) rows * dim * (4 + size(out)) + elems(w) * size(w), () -> inner.rmsnorm(x, w, eps, out, rows, dim));
    }
    @Override public void matmul(Buffer x, Weight w, Weight bias, Buffer out, int rows) {
        double[] g = gemm(x, w, rows);
        time("matmul", g[0], g[1], () -> inner.matmul(x, w, bias, out, rows));
    }
    @Override public void rope(Buffer x, int rows, int heads, int headDim, int[] positions, RopeTable table) {
        time("rope", 0, 8.0 * rows * heads * headDim, () -> inner.rope(x, rows, heads, headDim, positions, table));
    }
    @Override public void attention(Buffer q, Buffer k, Buffer v, Buffer out, PackedBatch batch, int heads, int kvHeads,
                                    int headDim, float scale, int window) {
        double[] a = attentionWork(out, batch, heads, kvHeads, headDim, window);
        time("attention", a[0], a[1], () -> inner.attention(q, k, v, out, batch, heads, kvHeads, headDim, scale, window));
    }
    @Override public void gatherRows(Buffer src, int[] rows, int width, Buffer dst) {
        time("gather", 0, 8.0 * rows.length * width, () -> inner.gatherRows(src, rows, width, dst));
    }
    @Override public void swiglu(Buffer gate, Buffer up, long n) { time("swiglu", 0, 12.0 * n, () -> inner.swiglu(gate, up, n)); }
    @Override public void copy(Buffer src, Buffer dst, long offset, long n) {
        time("copy", 0, 2.0 * n * src.dtype().size(), () -> inner.copy(src, dst, offset, n));
    }
    @Override public void add(Buffer x, Buffer y, long n) { time("add", 0, 12.0 * n, () -> inner.add(x, y, n)); }
    @Override public void nextTokenScores(Buffer hidden, int rows, Weight lmHead, int[] targets, ScoreOptions o, RowScores out) {
        time("lm_head+log_softmax", 2.0 * rows * elems(lmHead), elems(lmHead) * size(lmHead) + (double) rows * lmHead.cols() * size(hidden),
                () -> inner.nextTokenScores(hidden, rows, lmHead, targets, o, out));
    }
    // the coarse ops go to the inner backend's own (fused) versions, not to the defaults over this decorator
    @Override public Buffer allocate(dev.provtrace.io.DType dtype, long n) { return time("allocate", () -> inner.allocate(dtype, n)); }
    @Override public boolean nativeBf16() { return inner.nativeBf16(); }
    @Override public boolean fp16Gemms() { return inner.fp16Gemms(); }

    @Override public void prepareRope(RopeTable table) { inner.prepareRope(table); }

    @Override public DeviceRates measureRates(dev.provtrace.io.DType t, int n, long copyBytes, int runs) { return inner.measureRates(t, n, copyBytes, runs); }

    @Override public void synchronize() { inner.synchronize(); }

    @Override public long peakDeviceBytes() { return inner.peakDeviceBytes(); }

    @Override public boolean guardsIntact() { return inner.guardsIntact(); }

    @Override public long batchTokensThatFit(dev.provtrace.model.ModelConfig c, long perToken) { return inner.batchTokensThatFit(c, perToken); }
    @Override public void roundToBf16(Buffer x, long n) { time("round_bf16", () -> inner.roundToBf16(x, n)); }
    @Override public Pass upload(PackedBatch batch, int[] rows, int[] targets, ScoreOptions o) {
        return time("upload", () -> inner.upload(batch, rows, targets, o));
    }
    @Override public PreparedLayer prepare(LayerWeights layer) { return inner.prepare(layer); }
    @Override public void embed(Weight table, Pass pass, Buffer out) {
        time("embed", 0, (double) pass.batch().tokens() * table.cols() * (size(table) + 4), () -> inner.embed(table, pass, out));
    }
    @Override public void addRmsnorm(Buffer x, Buffer y, Weight w, float eps, Buffer out, int rows, int dim) {
        time("add+rmsnorm", 0, (double) rows * dim * (12 + size(out)) + elems(w) * size(w), () -> inner.addRmsnorm(x, y, w, eps, out, rows, dim));
    }
    @Override public void qkv(PreparedLayer layer, Buffer h, int rows, Buffer q, Buffer k, Buffer v, Buffer scratch) {
        LayerWeights L = layer.weights();
        double[] a = gemm(h, L.q(), rows), b = gemm(h, L.k(), rows), c = gemm(h, L.v(), rows);
        time("matmul", a[0] + b[0] + c[0], a[1] + b[1] + c[1], () -> inner.qkv(layer, h, rows, q, k, v, scratch));
    }
    @Override public void qkNormRope(Buffer q, Buffer k, Weight qNorm, Weight kNorm, float eps, int rows, int heads,
                                     int kvHeads, int headDim, Pass pass, RopeTable table) {
        time("rope", 0, 8.0 * rows * (heads + kvHeads) * headDim, () -> inner.qkNormRope(q, k, qNorm, kNorm, eps, rows, heads, kvHeads, headDim, pass, table));
    }
    @Override public void attention(Buffer q, Buffer k, Buffer v, Buffer out, Pass pass, int heads, int kvHeads,
                                    int headDim, float scale, int window) {
        double[] a = attentionWork(out, pass.batch(), heads, kvHeads, headDim, window);
        time("attention", a[0], a[1], () -> inner.attention(q, k, v, out, pass, heads, kvHeads, headDim, scale, window));
    }
    @Override public void gateUpSwiglu(PreparedLayer layer, Buffer h, int rows, Buffer out, Buffer scratch) {
        LayerWeights L = layer.weights();
        double[] a = gemm(h, L.gate(), rows), b = gemm(h, L.up(), rows);
        time("matmul+swiglu", a[0] + b[0], a[1] + b[1], () -> inner.gateUpSwiglu(layer, h, rows, out, scratch));
    }
    @Override public void matmulAccumulate(Buffer x, Weight w, Weight bias, Buffer residual, int rows, Buffer scratch) {
        double[] g = gemm(x, w, rows);
        time("matmul", g[0], g[1] + 4.0 * rows * w.rows(), () -> inner.matmulAccumulate(x, w, bias, residual, rows, scratch));
    }
    @Override public void gatherNorm(Buffer x, Pass pass, Weight w, float eps, Buffer out, int dim) {
        time("gather+rmsnorm", 0, (double) pass.rows() * dim * (4 + size(out)) + elems(w) * size(w), () -> inner.gatherNorm(x, pass, w, eps, out, dim));
    }
    @Override public void score(Pass pass, Buffer hidden, Weight lmHead) {
        time("lm_head+log_softmax", 2.0 * pass.rows() * elems(lmHead), elems(lmHead) * size(lmHead) + (double) pass.rows() * lmHead.cols() * size(hidden),
                () -> inner.score(pass, hidden, lmHead));
    }
    @Override public void close() { inner.close(); }
}
