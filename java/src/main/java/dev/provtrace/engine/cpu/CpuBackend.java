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
 * element-wise ops in Java with the Vector API, one row (or one slice) at a time. All parallelism is ours: work is
 * split over {@link Parallel}'s threads and each part calls a single-threaded sgemm on its own slice (output
 * columns of a matmul, heads of attention, a vocabulary range of the LM head).
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

    /** Output columns per matmul work item. */
    private static final int COLUMN_BLOCK = 64;

    private final Parallel parallel;
    private final ThreadLocal<float[][]> rowScratch = ThreadLocal.withInitial(() -> new float[3][0]);
    private final NativeScratch widenScratch;
    private final NativeScratch scoreScratch;
    private final NativeScratch logitScratch;

    public CpuBackend(int threads) {
        this.parallel = new Parallel(threads);
        this.widenScratch = new NativeScratch(threads);
        this.scoreScratch = new NativeScratch(threads);
        this.logitScratch = new NativeScratch(threads);
        openblas_nolapack.blas_set_num_threads(1);
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
        parallel.forRange(ids.length, 16, (part, from, to) -> {
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
        parallel.forRange(rows, 64, (part, from, to) -> {
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
        int blocks = (n + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
        if (wt.isMappedFp32()) {
            FloatPointer all = wt.mappedPointer();
            parallel.forRange(blocks, 1, (part, b0, b1) -> {
                int n0 = b0 * COLUMN_BLOCK, nc = Math.min(n, b1 * COLUMN_BLOCK) - n0;
                // out[:, n0:n0+nc] = x · W[n0:n0+nc]ᵀ
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, nc, k, 1f, xb.pointer, k,
                        new FloatPointer(all).position((long) n0 * k), k, 0f, ob.at(n0), n);
            });
        } else {
            int chunk = Math.max(1, WIDEN_FLOATS / parallel.threads() / k);
            parallel.forRange(blocks, 1, (part, b0, b1) -> {
                int end = Math.min(n, b1 * COLUMN_BLOCK);
                CpuBuffer scratch = widenScratch.get(part, (long) Math.min(chunk, end - b0 * COLUMN_BLOCK) * k);
                for (int n0 = b0 * COLUMN_BLOCK; n0 < end; n0 += chunk) {
                    int nc = Math.min(chunk, end - n0);
                    wt.widenRows(n0, nc, scratch.floats, 0, row(1, 65536));
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, nc, k, 1f, xb.pointer, k,
                            scratch.pointer, k, 0f, ob.at(n0), n);
                }
            });
        }
        if (bias != null) addBias(ob, cpu(bias).heap(), rows, n);
    }

    private void addBias(CpuBuffer out, float[] bias, int rows, int n) {
        FloatBuffer o = out.floats;
        parallel.forRange(rows, 64, (part, from, to) -> {
            float[] r = row(0, n);
            for (int i = from; i < to; i++) {
                o.get(i * n, r, 0, n);
                VectorKernels.add(r, bias, n);
                o.put(i * n, r, 0, n);
            }
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
        parallel.forRange(rows, 32, (part, from, to) -> {
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
        // work items: (sequence, block of query rows) × head, of uneven cost (later blocks see more keys)
        int blocks = 0;
        for (int s = 0; s < batch.sequences(); s++) blocks += (batch.lengths[s] + ATTENTION_BLOCK - 1) / ATTENTION_BLOCK;
        int[] blockSeq = new int[blocks], blockStart = new int[blocks];
        for (int s = 0, b = 0; s < batch.sequences(); s++) {
            for (int q0 = 0; q0 < batch.lengths[s]; q0 += ATTENTION_BLOCK, b++) {
                blockSeq[b] = s;
                blockStart[b] = q0;
            }
        }
        parallel.forEachDynamic(blocks * heads, (part, item) -> {
            int b = item / heads, h = item % heads, g = h / group;
            int start = batch.starts[blockSeq[b]], len = batch.lengths[blockSeq[b]];
            int q0 = blockStart[b], q1 = Math.min(len, q0 + ATTENTION_BLOCK), rows = q1 - q0;
            int k0 = window > 0 ? Math.max(0, q0 - window + 1) : 0, keys = q1 - k0;
            CpuBuffer scores = scoreScratch.get(part, (long) rows * keys);
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
        });
    }

    /** Row i is query position q0+i; key column j is position k0+j; keys after the query or outside the window get 0. */
    private void softmaxCausal(FloatBuffer scores, int rows, int keys, int q0, int k0, int window) {
        {
            float[] r = row(0, keys);
            for (int i = 0; i < rows; i++) {
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
        }
    }

    @Override
    public void gatherRows(Buffer src, int[] rows, int width, Buffer dst) {
        FloatBuffer in = cpu(src).floats, out = cpu(dst).floats;
        parallel.forRange(rows.length, 64, (part, from, to) -> {
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
        parallel.forRange(slices, 4, (part, from, to) -> {
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
        int vocab = w.rows(), dim = w.cols(), parts = parallel.threads();
        int rowBlock = Math.max(1, Math.min(rows, 512));
        // each part owns a vocabulary range and keeps its own online log-softmax state per row; merged at the end
        int vocabChunk = Math.max(1, Math.min((vocab + parts - 1) / parts, LOGIT_FLOATS / parts / rowBlock));
        CpuBuffer hb = cpu(hidden);
        for (int r0 = 0; r0 < rows; r0 += rowBlock) {
            int nr = Math.min(rowBlock, rows - r0), first = r0;
            LogSoftmaxState[][] state = new LogSoftmaxState[parts][nr];
            parallel.forRange(vocab, 1, (part, vFrom, vTo) -> {
                LogSoftmaxState[] mine = state[part];
                for (int i = 0; i < nr; i++) mine[i] = new LogSoftmaxState(targets[first + i], options);
                CpuBuffer logits = logitScratch.get(part, (long) nr * vocabChunk);
                CpuBuffer wide = w.isMappedFp32() ? null : widenScratch.get(part, (long) vocabChunk * dim);
                float[] r = row(0, vocabChunk);
                for (int v0 = vFrom; v0 < vTo; v0 += vocabChunk) {
                    int nv = Math.min(vocabChunk, vTo - v0);
                    FloatPointer wChunk;
                    if (wide == null) {
                        wChunk = new FloatPointer(w.mappedPointer()).position((long) v0 * dim);
                    } else {
                        w.widenRows(v0, nv, wide.floats, 0, row(1, 65536));
                        wChunk = wide.pointer;
                    }
                    // logits[nr, nv] = hidden[first:first+nr] · W[v0:v0+nv]ᵀ
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nr, nv, dim, 1f, hb.at((long) first * dim), dim,
                            wChunk, dim, 0f, logits.pointer, nv);
                    for (int i = 0; i < nr; i++) {
                        logits.floats.get(i * nv, r, 0, nv);
                        mine[i].accept(r, nv, v0);
                    }
                }
            });
            for (int i = 0; i < nr; i++) {
                LogSoftmaxState merged = state[0][i];
                for (int p = 1; p < parts; p++) if (state[p][i] != null) merged.merge(state[p][i]);
                merged.finish(out, first + i);
            }
        }
    }

    @Override
    public void close() {
        parallel.close();
        widenScratch.close();
        scoreScratch.close();
        logitScratch.close();
    }
}
