package dev.provtrace.engine.cpu;

import dev.provtrace.engine.Backend;
import dev.provtrace.engine.LayerWeights;
import dev.provtrace.engine.PackedBatch;
import dev.provtrace.engine.RopeTable;
import dev.provtrace.engine.RowScores;
import dev.provtrace.engine.ScoreOptions;
import dev.provtrace.io.TensorView;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.presets.openblas_nolapack;

import java.nio.FloatBuffer;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

/**
 * The CPU backend. GEMMs go to OpenBLAS sgemm on native buffers, with fp32 weights read in place from the memory
 * map, cut into tiles that {@link Parallel}'s threads pull (single-threaded OpenBLAS calls, {@link TiledSgemm});
 * element-wise ops run in Java with the Vector API over the same threads, one row or slice at a time. One pool
 * does both, so GEMM threads never spin while the element-wise work wants the cores.
 */
public final class CpuBackend implements Backend {
    /** Floats of fp32 weight rows widened at a time for bf16/f16 weights (16 MiB). */
    private static final int WIDEN_FLOATS = 1 << 22;
    /** Floats of logits materialised at a time: rows × vocab slice (32 MiB), never tokens × vocab. */
    private static final int LOGIT_FLOATS = 1 << 23;
    /** Floats of attention scores at a time: (query rows × heads of a group) × keys (64 MiB). */
    private static final int SCORE_FLOATS = 1 << 24;
    /** Query positions per attention block: causal blocks skip most keys after the block. */
    private static final int QUERY_BLOCK = 128;

    private final Parallel parallel;
    private final ThreadLocal<float[][]> rowScratch = ThreadLocal.withInitial(() -> new float[3][0]);
    // 0 widened weights, 1 scores, 2/3 q/out by group, 4 packed fp16 activations
    private final NativeScratch scratch = new NativeScratch(5);

    private final TiledSgemm sgemm;
    private final Fp16Matmul fp16;   // the weights' GEMMs at --precision fp16, else null
    private final Bf16Matmul bf16;   // bf16 weights' GEMMs at --precision bf16 on oneDNN's bf16 matmul, else null
    private final boolean fusedAttention;

    /** An fp32 backend. */
    public CpuBackend(int threads) {
        this(threads, false);
    }

    /** With {@code fp16}, the weights' GEMMs run on {@link Fp16Gemm}; where it cannot run, an IllegalStateException says why. */
    public CpuBackend(int threads, boolean fp16) {
        this(threads, fp16, false);
    }

    /**
     * With {@code bf16Gemms} (for --precision bf16, whose inputs the forward pass rounds to bf16), the GEMMs with bf16
     * weights run on {@link Bf16Matmul}; where oneDNN cannot run them, an IllegalStateException says why.
     */
    public CpuBackend(int threads, boolean fp16, boolean bf16Gemms) {
        this(threads, fp16, bf16Gemms, NativeAttention.usable());
    }

    /** fusedAttention: {@link NativeAttention} (the caller checked it runs), else two sgemm calls and a softmax. */
    CpuBackend(int threads, boolean fp16, boolean bf16Gemms, boolean fusedAttention) {
        if (fp16 && bf16Gemms) throw new IllegalArgumentException("fp16 and bf16 GEMMs at once");
        this.fusedAttention = fusedAttention;
        this.parallel = new Parallel(threads);
        this.sgemm = new TiledSgemm(parallel);
        this.fp16 = fp16 ? new Fp16Matmul(parallel, scratch, 0, 4, this::widen) : null;
        this.bf16 = bf16Gemms ? new Bf16Matmul(parallel, scratch, 4) : null;
    }

    @Override
    public String name() {
        String gemms = fp16 != null ? Fp16Matmul.DESCRIPTION
                : bf16 != null ? Bf16Matmul.description() + ", the others on " + sgemm.describe() : sgemm.describe();
        // made before a model's shape is known, so it names the head sizes the fused kernel takes
        String attention = fusedAttention ? ", fused attention on AVX-512 (head_dim ≤ " + NativeAttention.MAX_HEAD_DIM + ")"
                : (fp16 != null ? ", attention on " + sgemm.describe() : "")
                + (NativeSoftmax.usable() ? ", attention softmax on AVX-512" : "");
        return "cpu (" + gemms + attention + " + Vector API, " + parallel.threads() + " threads)";
    }

    @Override
    public boolean fp16Gemms() { return fp16 != null; }

    /** At fp16 (and bf16 on oneDNN), packs the layer's matrices now (at load) rather than in the first pass. */
    @Override
    public PreparedLayer prepare(LayerWeights layer) {
        if (fp16 != null) {
            for (Weight w : new Weight[] {layer.q(), layer.k(), layer.v(), layer.o(), layer.gate(), layer.up(), layer.down()}) {
                if (w != null) fp16.packed(cpu(w));
            }
        }
        if (bf16 != null) {
            for (Weight w : new Weight[] {layer.q(), layer.k(), layer.v(), layer.o(), layer.gate(), layer.up(), layer.down()}) {
                if (w != null && Bf16Matmul.takes(cpu(w))) bf16.packed(cpu(w));
            }
        }
        return () -> layer;
    }

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
        if (fp16 != null) {
            fp16.matmul(xb, wt, biasAddress(bias, n), ob, rows, false);   // the bias added in the GEMM's epilogue
            return;
        }
        if (bf16 != null && Bf16Matmul.takes(wt)) {
            bf16.matmul(xb, wt, ob, rows);
        } else if (wt.isMappedFp32()) {
            // out[rows, n] = x[rows, k] · W[n, k]ᵀ straight from the map
            sgemm.gemm(true, rows, n, k, 1f, xb.pointer, k, new FloatPointer(wt.mappedPointer()), k, ob.pointer, n);
        } else {
            int chunk = Math.max(1, Math.min(n, WIDEN_FLOATS / k));
            CpuBuffer wide = scratch.get(0, (long) chunk * k);
            for (int n0 = 0; n0 < n; n0 += chunk) {
                int nc = Math.min(chunk, n - n0);
                widen(wt, n0, nc, wide);
                sgemm.gemm(true, rows, nc, k, 1f, xb.pointer, k, wide.pointer, k, ob.at(n0), n);
            }
        }
        if (bias != null) addBias(ob, cpu(bias).heap(), rows, n);
    }

    /** The native address of a bias of n values for the fp16 GEMM's epilogue; 0 for none. */
    private static long biasAddress(Weight bias, int n) {
        if (bias == null) return 0;
        CpuWeight b = cpu(bias);
        int length = b.heap().length;
        if (length != n) throw new IllegalArgumentException("bias " + b.view().name() + " has " + length + " values, its GEMM " + n + " outputs");
        return b.nativeHeap().address();
    }

    @Override
    public void qkv(PreparedLayer layer, Buffer h, int rows, Buffer q, Buffer k, Buffer v, Buffer scratch) {
        LayerWeights W = layer.weights();
        if (bf16 != null && Bf16Matmul.takes(cpu(W.q())) && Bf16Matmul.takes(cpu(W.k())) && Bf16Matmul.takes(cpu(W.v()))) {
            long a = bf16.toBf16(cpu(h).address(), rows, W.q().cols());   // one conversion of h for the three GEMMs
            Weight[] ws = {W.q(), W.k(), W.v()}, bs = {W.qBias(), W.kBias(), W.vBias()};
            Buffer[] outs = {q, k, v};
            for (int i = 0; i < 3; i++) {
                bf16.matmul(a, rows, cpu(ws[i]), cpu(outs[i]));
                if (bs[i] != null) addBias(cpu(outs[i]), cpu(bs[i]).heap(), rows, ws[i].rows());
            }
            return;
        }
        if (fp16 == null) {
            Backend.super.qkv(layer, h, rows, q, k, v, scratch);
            return;
        }
        LayerWeights L = layer.weights();
        long a = fp16.packActivations(cpu(h).address(), rows, L.q().cols());   // one packing of h for the three GEMMs
        fp16.matmul(a, rows, cpu(L.q()), biasAddress(L.qBias(), L.q().rows()), cpu(q), false);
        fp16.matmul(a, rows, cpu(L.k()), biasAddress(L.kBias(), L.k().rows()), cpu(k), false);
        fp16.matmul(a, rows, cpu(L.v()), biasAddress(L.vBias(), L.v().rows()), cpu(v), false);
    }

    @Override
    public void gateUpSwiglu(PreparedLayer layer, Buffer h, int rows, Buffer out, Buffer scratch) {
        if (fp16 == null) {
            Backend.super.gateUpSwiglu(layer, h, rows, out, scratch);
            return;
        }
        LayerWeights L = layer.weights();
        int n = L.gate().rows();
        if (L.up().rows() != n || L.up().cols() != L.gate().cols()) {
            throw new IllegalArgumentException("gate " + L.gate().view().name() + " and up " + L.up().view().name() + " differ in shape");
        }
        fp16.gateUpSwiglu(cpu(h), cpu(L.gate()), biasAddress(L.gateBias(), n), cpu(L.up()), biasAddress(L.upBias(), n), cpu(out), rows);
    }

    @Override
    public void matmulAccumulate(Buffer x, Weight w, Weight bias, Buffer residual, int rows, Buffer scratch) {
        if (fp16 == null) {
            Backend.super.matmulAccumulate(x, w, bias, residual, rows, scratch);
            return;
        }
        fp16.matmul(cpu(x), cpu(w), biasAddress(bias, w.rows()), cpu(residual), rows, true);   // residual += x·Wᵀ + bias
    }

    /** Rows [row0, row0+n) of a bf16/f16 weight into {@code dst} as fp32, split over threads. */
    private void widen(CpuWeight w, int row0, int n, CpuBuffer dst) {
        int k = w.cols();
        parallel.forRange(n, 8, (part, from, to) ->
                w.widenRows(row0 + from, to - from, dst, (long) from * k, row(1, 65536)));
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

    /**
     * The query heads that share one kv head are stacked into one matrix, so a whole GQA group is two GEMMs:
     * qg [tokens·group, headDim] (row t·group + j = head g·group + j of token t, which in q's row-major layout
     * are already neighbours), scores = qg·Kgᵀ, masked softmax per row, outg = P·Vg, written back into out.
     */
    @Override
    public void attention(Buffer q, Buffer k, Buffer v, Buffer out, PackedBatch batch, int heads, int kvHeads,
                          int headDim, float scale, int window) {
        if (fusedAttention && headDim <= NativeAttention.MAX_HEAD_DIM) {
            fusedAttention(cpu(q), cpu(k), cpu(v), cpu(out), batch, heads, kvHeads, headDim, scale, window);
            return;
        }
        int qDim = heads * headDim, kvDim = kvHeads * headDim, group = heads / kvHeads;
        int tokens = batch.tokens(), groupWidth = group * headDim;
        CpuBuffer qb = cpu(q), kb = cpu(k), vb = cpu(v), ob = cpu(out);
        CpuBuffer qg = scratch.get(2, (long) tokens * groupWidth), og = scratch.get(3, (long) tokens * groupWidth);
        int[] cuK = batch.cuSeqlensK();
        for (int g = 0; g < kvHeads; g++) {
            copyColumns(qb.floats, qDim, g * groupWidth, qg.floats, groupWidth, 0, tokens, groupWidth);
            for (int s = 0; s < batch.sequences(); s++) {
                // queries of the batch are positions past..past+len-1 of their sequence, its keys rows kStart.. of k/v
                int start = batch.starts[s], len = batch.lengths[s], past = batch.cached[s], kStart = cuK[s];
                int block = Math.max(1, Math.min(QUERY_BLOCK, SCORE_FLOATS / (group * (past + len))));
                for (int q0 = 0; q0 < len; q0 += block) {
                    int q1 = Math.min(len, q0 + block), m = (q1 - q0) * group;
                    int k0 = window > 0 ? Math.max(0, past + q0 - window + 1) : 0, keys = past + q1 - k0;
                    CpuBuffer scores = scratch.get(1, (long) m * keys);
                    // scores[m, keys] = scale · qg[(start+q0)·group ..] · K[kStart+k0 .., g]ᵀ
                    sgemm.gemm(true, m, keys, headDim, scale, qg.at((long) (start + q0) * groupWidth), headDim,
                            kb.at((long) (kStart + k0) * kvDim + (long) g * headDim), kvDim, scores.pointer, keys);
                    softmaxCausal(scores, m, group, keys, past + q0, k0, window);
                    // og[(start+q0)·group .., headDim] = P[m, keys] · V[kStart+k0 .., g]
                    sgemm.gemm(false, m, headDim, keys, 1f, scores.pointer, keys,
                            vb.at((long) (kStart + k0) * kvDim + (long) g * headDim), kvDim,
                            og.at((long) (start + q0) * groupWidth), headDim);
                }
            }
            copyColumns(og.floats, groupWidth, 0, ob.floats, qDim, g * groupWidth, tokens, groupWidth);
        }
    }

    /**
     * Attention on {@link NativeAttention}: first every (sequence, kv head)'s keys are packed into 64-key blocks
     * (kt: for sequence s, kv head g, run (blockStart[s] + g·blocks_s) of the packed blocks), then the threads pull
     * calls of up to 48 query rows of one (sequence, kv head), the latest rows first (they see the most keys, so the
     * last calls pulled are the short ones). q, out: [tokens, heads·headDim]; k, v: [keys, kvHeads·headDim].
     */
    private void fusedAttention(CpuBuffer qb, CpuBuffer kb, CpuBuffer vb, CpuBuffer ob, PackedBatch batch, int heads,
                                int kvHeads, int headDim, float scale, int window) {
        int group = heads / kvHeads, qDim = heads * headDim, kvDim = kvHeads * headDim, seqs = batch.sequences();
        int[] cuK = batch.cuSeqlensK();
        int[] blockStart = new int[seqs + 1], taskStart = new int[seqs + 1];
        for (int s = 0; s < seqs; s++) {
            int keys = batch.cached[s] + batch.lengths[s];
            blockStart[s + 1] = blockStart[s] + kvHeads * NativeAttention.blocks(keys);
            int calls = (batch.lengths[s] * group + NativeAttention.TASK_ROWS - 1) / NativeAttention.TASK_ROWS;
            taskStart[s + 1] = taskStart[s] + kvHeads * calls;
        }
        long blockFloats = (long) NativeAttention.KEY_BLOCK * headDim;
        long kt = scratch.get(1, blockStart[seqs] * blockFloats).address();
        long q = qb.address(), k = kb.address(), v = vb.address(), o = ob.address();
        parallel.forRange(blockStart[seqs], 8, (part, from, to) -> {
            for (int item = from; item < to; item++) {
                int s = sequenceOf(blockStart, item), keys = batch.cached[s] + batch.lengths[s];
                int blocks = NativeAttention.blocks(keys), g = (item - blockStart[s]) / blocks, b = (item - blockStart[s]) % blocks;
                long keyRow0 = (long) cuK[s] * kvDim + (long) g * headDim;
                NativeAttention.packKeys(k + 4 * keyRow0, kvDim, keys, headDim, kt + 4 * (item - b) * blockFloats, b, b + 1);
            }
        });
        parallel.forTiles(taskStart[seqs], task -> {
            int s = sequenceOf(taskStart, task), rows = batch.lengths[s] * group;
            int calls = (taskStart[s + 1] - taskStart[s]) / kvHeads, g = (task - taskStart[s]) / calls;
            int call = calls - 1 - (task - taskStart[s]) % calls;   // latest rows first
            int row0 = call * NativeAttention.TASK_ROWS, row1 = Math.min(rows, row0 + NativeAttention.TASK_ROWS);
            int keys = batch.cached[s] + batch.lengths[s];
            long qRow0 = (long) batch.starts[s] * qDim + (long) g * group * headDim;
            long kvRow0 = (long) cuK[s] * kvDim + (long) g * headDim;
            long ktRun = kt + 4 * ((long) blockStart[s] + (long) g * NativeAttention.blocks(keys)) * blockFloats;
            NativeAttention.rows(q + 4 * qRow0, qDim, ktRun, v + 4 * kvRow0, kvDim, o + 4 * qRow0, qDim, headDim, group,
                    batch.cached[s], scale, window, row0, row1);
        });
    }

    /** The s with start[s] ≤ item < start[s + 1] (start ascending, start[0] = 0). */
    private static int sequenceOf(int[] start, int item) {
        int s = java.util.Arrays.binarySearch(start, item);
        if (s < 0) return -s - 2;
        while (s + 1 < start.length && start[s + 1] == item) s++;   // skip empty runs
        return s;
    }

    /** dst[t, dstCol : dstCol+width] = src[t, srcCol : srcCol+width] for t < rows. */
    private void copyColumns(FloatBuffer src, int srcStride, int srcCol, FloatBuffer dst, int dstStride, int dstCol,
                             int rows, int width) {
        parallel.forRange(rows, 256, (part, from, to) -> {
            float[] r = row(2, width);
            for (int t = from; t < to; t++) {
                src.get(t * srcStride + srcCol, r, 0, width);
                dst.put(t * dstStride + dstCol, r, 0, width);
            }
        });
    }

    /**
     * Row i of scores is query position p0 + i/group; key column j is position k0 + j. Keys after the query, or
     * outside the sliding window, get probability 0. Natively in place where {@link NativeSoftmax} runs (a third of
     * attention's time at 2048 tokens was this loop's heap copies and Java exp), else in Java.
     */
    private void softmaxCausal(CpuBuffer buffer, int rows, int group, int keys, int p0, int k0, int window) {
        if (NativeSoftmax.usable()) {
            long address = buffer.address();
            parallel.forRange(rows, 16, (part, from, to) -> NativeSoftmax.causalRows(address, keys, group, p0, k0, window, from, to));
            return;
        }
        FloatBuffer scores = buffer.floats;
        parallel.forRange(rows, 16, (part, from, to) -> {
            float[] r = row(0, keys);
            for (int i = from; i < to; i++) {
                int pos = p0 + i / group;
                int first = window > 0 ? Math.max(0, pos - window + 1 - k0) : 0;  // first visible column
                int last = pos - k0;                                               // last visible column
                int n = last - first + 1;
                java.util.Arrays.fill(r, 0, keys, 0f);
                scores.get(i * keys + first, r, first, n);
                float m = VectorKernels.max(r, first, n);
                float sum = VectorKernels.expShiftInPlace(r, first, n, m);
                VectorKernels.scale(r, first, n, 1f / sum);
                scores.put(i * keys, r, 0, keys);
            }
        });
    }

    @Override
    public void copy(Buffer src, Buffer dst, long dstOffset, long n) {
        Backend.checkCopy(src, dst, dstOffset, n);
        CpuBuffer from = cpu(src), to = cpu(dst);
        to.floats.put(Math.toIntExact(dstOffset), from.floats, 0, Math.toIntExact(n));
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
        zipInPlace(cpu(gate).floats, cpu(up).floats, n, VectorKernels::swiglu);
    }

    @Override
    public void add(Buffer x, Buffer y, long n) {
        zipInPlace(cpu(x).floats, cpu(y).floats, n, VectorKernels::add);
    }

    /** Vectorised and split over the threads: the interface's scalar default was a quarter of a bf16 pass. */
    @Override
    public void roundToBf16(Buffer x, long n) {
        zipInPlace(cpu(x).floats, null, n, (a, unused, len) -> VectorKernels.roundToBf16(a, len));
    }

    /** An element-wise op on heap copies of matching slices of x and y (none when y is null); the result replaces x. */
    private interface SliceOp {
        void apply(float[] x, float[] y, int len);
    }

    private void zipInPlace(FloatBuffer x, FloatBuffer y, long n, SliceOp op) {
        int slice = 4096;
        int slices = (int) ((n + slice - 1) / slice);
        parallel.forRange(slices, 4, (part, from, to) -> {
            float[] a = row(0, slice), b = y == null ? null : row(1, slice);
            for (int s = from; s < to; s++) {
                int off = s * slice, len = (int) Math.min(slice, n - off);
                x.get(off, a, 0, len);
                if (y != null) y.get(off, b, 0, len);
                op.apply(a, b, len);
                x.put(off, a, 0, len);
            }
        });
    }

    @Override
    public void nextTokenScores(Buffer hidden, int rows, Weight lmHead, int[] targets, ScoreOptions options, RowScores out) {
        CpuWeight w = cpu(lmHead);
        int vocab = w.rows(), dim = w.cols();
        // rows outer (so a bf16 head is widened once per row block), vocabulary slices inner
        int rowBlock = Math.max(1, Math.min(rows, 1024));
        int vocabChunk = Math.max(1, Math.min(vocab, LOGIT_FLOATS / rowBlock));
        boolean bf16Head = bf16 != null && Bf16Matmul.takes(w);
        boolean widened = !w.isMappedFp32() && fp16 == null && !bf16Head;
        if (widened) vocabChunk = Math.max(1, Math.min(vocabChunk, WIDEN_FLOATS / dim));   // bounded fp32 copy
        if (fp16 != null) vocabChunk = Math.max(Fp16Gemm.PANEL, vocabChunk / Fp16Gemm.PANEL * Fp16Gemm.PANEL);   // whole panels
        if (bf16Head) {   // whole slices of the packed head
            int slice = bf16.sliceCols(w);
            vocabChunk = Math.max(slice, vocabChunk / slice * slice);
        }
        CpuBuffer hb = cpu(hidden);
        CpuBuffer logits = scratch.get(1, (long) rowBlock * vocabChunk);
        CpuBuffer wide = widened ? scratch.get(0, (long) vocabChunk * dim) : null;
        Fp16Gemm.PackedWeight head = fp16 != null ? fp16.packed(w) : null;
        OneDnnBf16Gemm.Packed bf16HeadPacked = bf16Head ? bf16.packed(w) : null;
        for (int r0 = 0; r0 < rows; r0 += rowBlock) {
            int nr = Math.min(rowBlock, rows - r0), first = r0;
            LogSoftmaxState[] state = new LogSoftmaxState[nr];
            for (int i = 0; i < nr; i++) state[i] = new LogSoftmaxState(targets[first + i], options);
            Logits gemm = bf16HeadPacked != null ? bf16Logits(hb, first, nr, bf16HeadPacked, logits)
                    : logitsGemm(hb, first, nr, w, head, wide, logits);
            sweepLogits(gemm, nr, vocab, vocabChunk, logits, (s, r, n, base) -> state[s].accept(r, n, base));
            // the same GEMMs again: the logits are bitwise those of the first sweep, now with each target's known
            if (options.rank()) sweepLogits(gemm, nr, vocab, vocabChunk, logits, (s, r, n, base) -> state[s].countAbove(r, n));
            for (int i = 0; i < nr; i++) state[i].finish(out, first + i);
        }
    }

    /** Receives row {@code slot}'s logits of vocabulary ids [base, base + n) in r[0 .. n). */
    private interface LogitSink {
        void accept(int slot, float[] r, int n, int base);
    }

    /** logits[nr, nv] = the block's hidden rows · W[v0 : v0 + nv]ᵀ, row stride nv. */
    private interface Logits {
        void compute(int v0, int nv);
    }

    /** The LM head's GEMM for rows [first, first + nr): fp16 (A packed once for all slices), or sgemm. */
    private Logits logitsGemm(CpuBuffer hb, int first, int nr, CpuWeight w, Fp16Gemm.PackedWeight head, CpuBuffer wide,
                              CpuBuffer logits) {
        int dim = w.cols();
        if (head != null) {
            long a = fp16.packActivations(hb.address() + 4L * first * dim, nr, dim);
            return (v0, nv) -> fp16.gemm(a, nr, dim, head, 0, false, v0, nv, logits.address(), nv);
        }
        return (v0, nv) -> {
            FloatPointer wChunk;
            if (wide == null) {
                wChunk = new FloatPointer(w.mappedPointer()).position((long) v0 * dim);
            } else {
                widen(w, v0, nv, wide);
                wChunk = wide.pointer;
            }
            sgemm.gemm(true, nr, nv, dim, 1f, hb.at((long) first * dim), dim, wChunk, dim, logits.pointer, nv);
        };
    }

    /** The LM head's GEMM for rows [first, first + nr) on oneDNN's bf16 matmul (A converted once for all slices). */
    private Logits bf16Logits(CpuBuffer hb, int first, int nr, OneDnnBf16Gemm.Packed head, CpuBuffer logits) {
        long a = bf16.toBf16(hb.address() + 4L * first * head.k, nr, head.k);
        return (v0, nv) -> bf16.gemm(a, nr, head, v0, nv, logits.address(), nv);
    }

    /** The vocabulary slice by slice through {@code gemm}, each row's slice to the sink. */
    private void sweepLogits(Logits gemm, int nr, int vocab, int vocabChunk, CpuBuffer logits, LogitSink sink) {
        for (int v0 = 0; v0 < vocab; v0 += vocabChunk) {
            int nv = Math.min(vocabChunk, vocab - v0), base = v0;
            gemm.compute(v0, nv);
            parallel.forRange(nr, 1, (part, from, to) -> {
                float[] r = row(0, nv);
                for (int i = from; i < to; i++) {
                    logits.floats.get(i * nv, r, 0, nv);
                    sink.accept(i, r, nv, base);
                }
            });
        }
    }

    @Override
    public void close() {
        if (fp16 != null) fp16.close();
        if (bf16 != null) bf16.close();
        parallel.close();
        scratch.close();
    }
}
