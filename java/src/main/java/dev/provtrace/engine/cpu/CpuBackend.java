package dev.provtrace.engine.cpu;

import dev.provtrace.engine.Backend;
import dev.provtrace.engine.PackedBatch;
import dev.provtrace.engine.RopeTable;
import dev.provtrace.engine.RowScores;
import dev.provtrace.engine.ScoreOptions;
import dev.provtrace.io.TensorView;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.presets.openblas_nolapack;

import java.nio.FloatBuffer;
import java.util.Arrays;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_saxpy;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

/**
 * The CPU backend: GEMMs through OpenBLAS sgemm on native buffers (weights read in place from the memory map),
 * element-wise ops in Java with the Vector API, one row (or one slice) at a time, split over threads.
 * Rows are copied from native memory into a per-thread heap array, computed, and copied back: the copies are
 * cache-resident memcpys, cheap next to the exp/FMA work, and keep the kernels portable across JDKs.
 */
public final class CpuBackend implements Backend {
    /** Floats of fp32 weight rows widened at a time for bf16/f16 weights (16 MiB). */
    private static final int WIDEN_FLOATS = 1 << 22;
    /** Floats of logits materialised at a time: rows × vocab slice (32 MiB), never tokens × vocab. */
    private static final int LOGIT_FLOATS = 1 << 23;
    /** Query rows per attention block: scores are [block, keys], not [tokens, tokens]. */
    private static final int ATTENTION_BLOCK = 256;

    private final Parallel parallel;
    private final ThreadLocal<float[][]> rowScratch = ThreadLocal.withInitial(() -> new float[3][0]);
    private CpuBuffer widenScratch;
    private CpuBuffer scoreScratch;

    public CpuBackend(int threads) {
        this.parallel = new Parallel(threads);
        openblas_nolapack.blas_set_num_threads(threads);
    }

    @Override
    public String name() { return "cpu (OpenBLAS sgemm, " + parallel.threads() + " threads)"; }

    public int threads() { return parallel.threads(); }

    @Override
    public Buffer allocate(long floats) { return new CpuBuffer(floats); }

    @Override
    public Weight weight(TensorView tensor) { return new CpuWeight(tensor); }

    /** A per-thread heap row of at least n floats (slot 0, 1 or 2 for kernels that need several). */
    private float[] row(int slot, int n) {
        float[][] s = rowScratch.get();
        if (s[slot].length < n) s[slot] = new float[Math.max(n, 1024)];
        return s[slot];
    }

    private static CpuBuffer cpu(Buffer b) { return (CpuBuffer) b; }

    private static CpuWeight cpu(Weight w) { return (CpuWeight) w; }

    @Override
    public void embed(Weight table, int[] ids, Buffer out) {
        CpuWeight t = cpu(table);
        FloatBuffer o = cpu(out).floats;
        int h = t.cols();
        for (int id : ids) {
            if (id < 0 || id >= t.rows()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + t.rows() + ")");
            }
        }
        parallel.forRange(ids.length, 16, (from, to) -> {
            float[] r = row(0, h);
            for (int i = from; i < to; i++) {
                t.readRow(ids[i], r);
                o.put(i * h, r, 0, h);
            }
        });
    }

    @Override
    public void rmsnorm(Buffer x, Weight weight, float eps, Buffer out, int rows, int dim) {
        float[] w = cpu(weight).heap();
        if (w.length != dim) throw new IllegalArgumentException("rmsnorm weight has " + w.length + " elements, rows have " + dim);
        FloatBuffer in = cpu(x).floats, o = cpu(out).floats;
        parallel.forRange(rows, 64, (from, to) -> {
            float[] r = row(0, dim);
            for (int i = from; i < to; i++) {
                in.get(i * dim, r, 0, dim);
                float mean = VectorKernels.sumSquares(r, 0, dim) / dim;
                float inv = (float) (1.0 / Math.sqrt(mean + eps));
                VectorKernels.scaleThenWeight(r, 0, dim, inv, w);
                o.put(i * dim, r, 0, dim);
            }
        });
    }

    @Override
    public void matmul(Buffer x, Weight w, Weight bias, Buffer out, int rows) {
        CpuWeight wt = cpu(w);
        int k = wt.cols(), n = wt.rows();
        CpuBuffer xb = cpu(x), ob = cpu(out);
        if (wt.isMappedFp32()) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, n, k, 1f, xb.pointer, k,
                    wt.mappedPointer(), k, 0f, ob.pointer, n);
        } else {
            int chunk = Math.max(1, Math.min(n, WIDEN_FLOATS / k));
            CpuBuffer scratch = widenScratch((long) chunk * k);
            for (int n0 = 0; n0 < n; n0 += chunk) {
                int nc = Math.min(chunk, n - n0);
                widen(wt, n0, nc, scratch);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, nc, k, 1f, xb.pointer, k,
                        scratch.pointer, k, 0f, ob.at(n0), n);
            }
        }
        if (bias != null) addBias(ob, cpu(bias).heap(), rows, n);
    }

    private void addBias(CpuBuffer out, float[] bias, int rows, int n) {
        FloatBuffer o = out.floats;
        parallel.forRange(rows, 64, (from, to) -> {
            float[] r = row(0, n);
            for (int i = from; i < to; i++) {
                o.get(i * n, r, 0, n);
                VectorKernels.add(r, bias, n);
                o.put(i * n, r, 0, n);
            }
        });
    }

    private synchronized CpuBuffer widenScratch(long floats) {
        if (widenScratch == null || widenScratch.capacity() < floats) {
            if (widenScratch != null) widenScratch.close();
            widenScratch = new CpuBuffer(floats);
        }
        return widenScratch;
    }

    /** Rows [row0, row0+n) of a bf16/f16 weight into scratch as fp32, split over threads. */
    private void widen(CpuWeight w, int row0, int n, CpuBuffer scratch) {
        int k = w.cols();
        parallel.forRange(n, 8, (from, to) -> {
            float[] r = row(1, Math.min(WIDEN_FLOATS, Math.max(k, 65536)));
            w.widenRows(row0 + from, to - from, scratch.floats, (long) from * k, r);
        });
    }

    @Override
    public void rope(Buffer x, int rows, int heads, int headDim, int[] positions, RopeTable table) {
        int half = headDim / 2, width = heads * headDim;
        int maxPos = 0;
        for (int i = 0; i < rows; i++) maxPos = Math.max(maxPos, positions[i]);
        table.ensure(maxPos + 1);
        float[] cos = table.cos(), sin = table.sin();
        FloatBuffer xb = cpu(x).floats;
        parallel.forRange(rows, 32, (from, to) -> {
            float[] r = row(0, width);
            for (int t = from; t < to; t++) {
                xb.get(t * width, r, 0, width);
                int base = positions[t] * half;
                for (int h = 0; h < heads; h++) {
                    int o = h * headDim;
                    for (int i = 0; i < half; i++) {
                        float c = cos[base + i], s = sin[base + i];
                        float a = r[o + i], b = r[o + i + half];
                        r[o + i] = a * c - b * s;
                        r[o + i + half] = b * c + a * s;
                    }
                }
                xb.put(t * width, r, 0, width);
            }
        });
    }

    @Override
    public void attention(Buffer q, Buffer k, Buffer v, Buffer out, PackedBatch batch, int heads, int kvHeads,
                          int headDim, float scale, int window) {
        int qDim = heads * headDim, kvDim = kvHeads * headDim, group = heads / kvHeads;
        CpuBuffer qb = cpu(q), kb = cpu(k), vb = cpu(v), ob = cpu(out);
        int longest = batch.maxLength();
        CpuBuffer scores = scoreScratch((long) Math.min(ATTENTION_BLOCK, longest) * longest);
        for (int s = 0; s < batch.sequences(); s++) {
            int start = batch.starts[s], len = batch.lengths[s];
            for (int q0 = 0; q0 < len; q0 += ATTENTION_BLOCK) {
                int q1 = Math.min(len, q0 + ATTENTION_BLOCK), rows = q1 - q0;
                int k0 = window > 0 ? Math.max(0, q0 - window + 1) : 0, keys = q1 - k0;
                for (int h = 0; h < heads; h++) {
                    int g = h / group;
                    // scores[rows, keys] = scale · Q[q0:q1, h] · K[k0:q1, g]ᵀ
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, keys, headDim, scale,
                            qb.at((long) (start + q0) * qDim + (long) h * headDim), qDim,
                            kb.at((long) (start + k0) * kvDim + (long) g * headDim), kvDim,
                            0f, scores.pointer, keys);
                    softmaxCausal(scores.floats, rows, keys, q0, k0, window);
                    // out[q0:q1, h] = P[rows, keys] · V[k0:q1, g]
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, headDim, keys, 1f,
                            scores.pointer, keys,
                            vb.at((long) (start + k0) * kvDim + (long) g * headDim), kvDim,
                            0f, ob.at((long) (start + q0) * qDim + (long) h * headDim), qDim);
                }
            }
        }
    }

    /** Row i is query position q0+i; key column j is position k0+j; keys after the query or outside the window get 0. */
    private void softmaxCausal(FloatBuffer scores, int rows, int keys, int q0, int k0, int window) {
        parallel.forRange(rows, 16, (from, to) -> {
            float[] r = row(0, keys);
            for (int i = from; i < to; i++) {
                int pos = q0 + i;
                int first = window > 0 ? Math.max(0, pos - window + 1 - k0) : 0;  // first visible column
                int last = pos - k0;                                               // last visible column
                int n = last - first + 1;
                scores.get(i * keys + first, r, 0, n);
                float m = VectorKernels.max(r, 0, n);
                float sum = VectorKernels.expShiftInPlace(r, 0, n, m);
                VectorKernels.scale(r, 0, n, 1f / sum);
                if (first > 0) Arrays.fill(r, n, n + first, 0f);
                scores.put(i * keys + first, r, 0, n);
                if (first > 0) scores.put(i * keys, r, n, first);
                if (last + 1 < keys) {
                    int tail = keys - last - 1;
                    Arrays.fill(r, 0, tail, 0f);
                    scores.put(i * keys + last + 1, r, 0, tail);
                }
            }
        });
    }

    private synchronized CpuBuffer scoreScratch(long floats) {
        if (scoreScratch == null || scoreScratch.capacity() < floats) {
            if (scoreScratch != null) scoreScratch.close();
            scoreScratch = new CpuBuffer(floats);
        }
        return scoreScratch;
    }

    @Override
    public void gatherRows(Buffer src, int[] rows, int width, Buffer dst) {
        FloatBuffer in = cpu(src).floats, out = cpu(dst).floats;
        parallel.forRange(rows.length, 64, (from, to) -> {
            float[] r = row(0, width);
            for (int i = from; i < to; i++) {
                in.get(rows[i] * width, r, 0, width);
                out.put(i * width, r, 0, width);
            }
        });
    }

    @Override
    public void swiglu(Buffer gate, Buffer up, long n) {
        FloatBuffer g = cpu(gate).floats, u = cpu(up).floats;
        int slice = 4096;
        int slices = (int) ((n + slice - 1) / slice);
        parallel.forRange(slices, 4, (from, to) -> {
            float[] a = row(0, slice), b = row(1, slice);
            for (int s = from; s < to; s++) {
                int off = s * slice, len = (int) Math.min(slice, n - off);
                g.get(off, a, 0, len);
                u.get(off, b, 0, len);
                VectorKernels.swiglu(a, b, len);
                g.put(off, a, 0, len);
            }
        });
    }

    @Override
    public void add(Buffer x, Buffer y, long n) {
        cblas_saxpy(Math.toIntExact(n), 1f, cpu(y).pointer, 1, cpu(x).pointer, 1);
    }

    @Override
    public void nextTokenScores(Buffer hidden, int rows, Weight lmHead, int[] targets, ScoreOptions options, RowScores out) {
        CpuWeight w = cpu(lmHead);
        int vocab = w.rows(), dim = w.cols();
        int rowBlock = Math.max(1, Math.min(rows, 512));
        int vocabChunk = Math.max(1, Math.min(vocab, LOGIT_FLOATS / rowBlock));
        CpuBuffer hb = cpu(hidden);
        CpuBuffer logits = new CpuBuffer((long) rowBlock * vocabChunk);
        CpuBuffer scratch = w.isMappedFp32() ? null : widenScratch((long) vocabChunk * dim);
        try {
            for (int r0 = 0; r0 < rows; r0 += rowBlock) {
                int nr = Math.min(rowBlock, rows - r0);
                LogSoftmaxState[] state = new LogSoftmaxState[nr];
                for (int i = 0; i < nr; i++) state[i] = new LogSoftmaxState(targets[r0 + i], options);
                for (int v0 = 0; v0 < vocab; v0 += vocabChunk) {
                    int nv = Math.min(vocabChunk, vocab - v0);
                    FloatPointer wChunk;
                    if (scratch == null) {
                        wChunk = new FloatPointer(w.mappedPointer()).position((long) v0 * dim);
                    } else {
                        widen(w, v0, nv, scratch);
                        wChunk = scratch.pointer;
                    }
                    // logits[nr, nv] = hidden[r0:r0+nr] · W[v0:v0+nv]ᵀ
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nr, nv, dim, 1f, hb.at((long) r0 * dim), dim,
                            wChunk, dim, 0f, logits.pointer, nv);
                    final int base = v0;
                    parallel.forRange(nr, 4, (from, to) -> {
                        float[] r = row(0, nv);
                        for (int i = from; i < to; i++) {
                            logits.floats.get(i * nv, r, 0, nv);
                            state[i].accept(r, nv, base);
                        }
                    });
                }
                for (int i = 0; i < nr; i++) state[i].finish(out, r0 + i);
            }
        } finally {
            logits.close();
        }
    }

    @Override
    public void close() {
        parallel.close();
        if (widenScratch != null) widenScratch.close();
        if (scoreScratch != null) scoreScratch.close();
    }
}
