package dev.provtrace.engine;

import dev.provtrace.io.TensorView;

/**
 * A backend that hands every fine op to another; its coarse ops are the interface's defaults over them. Tests
 * override one op (a planted bug, another RoPE convention) or use it as the fine-op-only version of a fused backend.
 */
public class ForwardingBackend implements Backend {
    private final Backend to;

    public ForwardingBackend(Backend to) { this.to = to; }

    @Override public String name() { return "forwarding to " + to.name(); }
    @Override public Buffer allocate(long floats) { return to.allocate(floats); }
    @Override public Weight weight(TensorView tensor) { return to.weight(tensor); }
    @Override public void embed(Weight table, int[] ids, Buffer out) { to.embed(table, ids, out); }
    @Override public void rmsnorm(Buffer x, Weight weight, float eps, Buffer out, int rows, int dim) { to.rmsnorm(x, weight, eps, out, rows, dim); }
    @Override public void matmul(Buffer x, Weight w, Weight bias, Buffer out, int rows) { to.matmul(x, w, bias, out, rows); }
    @Override public void rope(Buffer x, int rows, int heads, int headDim, int[] positions, RopeTable table) { to.rope(x, rows, heads, headDim, positions, table); }
    @Override public void attention(Buffer q, Buffer k, Buffer v, Buffer out, PackedBatch batch, int heads, int kvHeads, int headDim, float scale, int window) {
        to.attention(q, k, v, out, batch, heads, kvHeads, headDim, scale, window);
    }
    @Override public void gatherRows(Buffer src, int[] rows, int width, Buffer dst) { to.gatherRows(src, rows, width, dst); }
    @Override public void swiglu(Buffer gate, Buffer up, long n) { to.swiglu(gate, up, n); }
    @Override public void add(Buffer x, Buffer y, long n) { to.add(x, y, n); }
    @Override public void copy(Buffer src, Buffer dst, long dstOffset, long n) { to.copy(src, dst, dstOffset, n); }
    @Override public void nextTokenScores(Buffer hidden, int rows, Weight lmHead, int[] targets, ScoreOptions options, RowScores out) {
        to.nextTokenScores(hidden, rows, lmHead, targets, options, out);
    }
    @Override public void close() { to.close(); }
}
