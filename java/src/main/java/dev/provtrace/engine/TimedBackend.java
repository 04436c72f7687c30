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
    @Override public void close() { inner.close(); }
}
