package dev.provtrace.engine;

import dev.provtrace.io.TensorView;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** A backend decorator that adds up wall time per op, for the benchmark's breakdown. */
public final class TimedBackend implements Backend {
    private final Backend inner;
    private final Map<String, Long> nanos = new LinkedHashMap<>();

    public TimedBackend(Backend inner) { this.inner = inner; }

    /** Wall time per op name in nanoseconds, in first-use order. */
    public Map<String, Long> nanos() { return new LinkedHashMap<>(nanos); }

    public void reset() { nanos.clear(); }

    private void time(String op, Runnable r) {
        long t = System.nanoTime();
        r.run();
        nanos.merge(op, System.nanoTime() - t, Long::sum);
    }

    private <T> T time(String op, Supplier<T> s) {
        long t = System.nanoTime();
        T v = s.get();
        nanos.merge(op, System.nanoTime() - t, Long::sum);
        return v;
    }

    @Override public String name() { return inner.name(); }
    @Override public Buffer allocate(long floats) { return time("allocate", () -> inner.allocate(floats)); }
    @Override public Weight weight(TensorView tensor) { return inner.weight(tensor); }
    @Override public void embed(Weight table, int[] ids, Buffer out) { time("embed", () -> inner.embed(table, ids, out)); }
    @Override public void rmsnorm(Buffer x, Weight w, float eps, Buffer out, int rows, int dim) {
        time("rmsnorm", () -> inner.rmsnorm(x, w, eps, out, rows, dim));
    }
    @Override public void matmul(Buffer x, Weight w, Weight bias, Buffer out, int rows) {
        time("matmul", () -> inner.matmul(x, w, bias, out, rows));
    }
    @Override public void rope(Buffer x, int rows, int heads, int headDim, int[] positions, RopeTable table) {
        time("rope", () -> inner.rope(x, rows, heads, headDim, positions, table));
    }
    @Override public void attention(Buffer q, Buffer k, Buffer v, Buffer out, PackedBatch batch, int heads, int kvHeads,
                                    int headDim, float scale, int window) {
        time("attention", () -> inner.attention(q, k, v, out, batch, heads, kvHeads, headDim, scale, window));
    }
    @Override public void gatherRows(Buffer src, int[] rows, int width, Buffer dst) {
        time("gather", () -> inner.gatherRows(src, rows, width, dst));
    }
    @Override public void swiglu(Buffer gate, Buffer up, long n) { time("swiglu", () -> inner.swiglu(gate, up, n)); }
    @Override public void add(Buffer x, Buffer y, long n) { time("add", () -> inner.add(x, y, n)); }
    @Override public void nextTokenScores(Buffer hidden, int rows, Weight lmHead, int[] targets, ScoreOptions o, RowScores out) {
        time("lm_head+log_softmax", () -> inner.nextTokenScores(hidden, rows, lmHead, targets, o, out));
    }
    // the coarse ops go to the inner backend's own (fused) versions, not to the defaults over this decorator
    @Override public Buffer allocate(dev.provtrace.io.DType dtype, long n) { return time("allocate", () -> inner.allocate(dtype, n)); }
    @Override public boolean nativeBf16() { return inner.nativeBf16(); }

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
    @Override public void embed(Weight table, Pass pass, Buffer out) { time("embed", () -> inner.embed(table, pass, out)); }
    @Override public void addRmsnorm(Buffer x, Buffer y, Weight w, float eps, Buffer out, int rows, int dim) {
        time("add+rmsnorm", () -> inner.addRmsnorm(x, y, w, eps, out, rows, dim));
    }
    @Override public void qkv(PreparedLayer layer, Buffer h, int rows, Buffer q, Buffer k, Buffer v, Buffer scratch) {
        time("matmul", () -> inner.qkv(layer, h, rows, q, k, v, scratch));
    }
    @Override public void qkNormRope(Buffer q, Buffer k, Weight qNorm, Weight kNorm, float eps, int rows, int heads,
                                     int kvHeads, int headDim, Pass pass, RopeTable table) {
        time("rope", () -> inner.qkNormRope(q, k, qNorm, kNorm, eps, rows, heads, kvHeads, headDim, pass, table));
    }
    @Override public void attention(Buffer q, Buffer k, Buffer v, Buffer out, Pass pass, int heads, int kvHeads,
                                    int headDim, float scale, int window) {
        time("attention", () -> inner.attention(q, k, v, out, pass, heads, kvHeads, headDim, scale, window));
    }
    @Override public void gateUpSwiglu(PreparedLayer layer, Buffer h, int rows, Buffer out, Buffer scratch) {
        time("matmul+swiglu", () -> inner.gateUpSwiglu(layer, h, rows, out, scratch));
    }
    @Override public void matmulAccumulate(Buffer x, Weight w, Weight bias, Buffer residual, int rows, Buffer scratch) {
        time("matmul", () -> inner.matmulAccumulate(x, w, bias, residual, rows, scratch));
    }
    @Override public void gatherNorm(Buffer x, Pass pass, Weight w, float eps, Buffer out, int dim) {
        time("gather+rmsnorm", () -> inner.gatherNorm(x, pass, w, eps, out, dim));
    }
    @Override public void score(Pass pass, Buffer hidden, Weight lmHead) {
        time("lm_head+log_softmax", () -> inner.score(pass, hidden, lmHead));
    }
    @Override public void close() { inner.close(); }
}
