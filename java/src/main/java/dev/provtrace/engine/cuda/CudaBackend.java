package dev.provtrace.engine.cuda;

import dev.provtrace.engine.Backend;
import dev.provtrace.engine.PackedBatch;
import dev.provtrace.engine.Pass;
import dev.provtrace.engine.RopeTable;
import dev.provtrace.engine.RowScores;
import dev.provtrace.engine.ScoreOptions;
import dev.provtrace.io.DType;
import dev.provtrace.io.TensorView;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CUDA backend on the emulated device: buffers are device memory, weights are uploaded once in their file
 * dtype, and every op is a launch of a kernel of kernels/*.cu with the grid, block, dynamic shared memory and
 * arguments its docblock gives; GEMMs go through {@link Gemm}. The LM head runs over chunks of at most
 * {@code vocabChunk} vocabulary columns into one device chunk buffer, folded by logits_chunk_f32, so the logits of
 * all rows × vocab never exist.
 *
 * RoPE tables: each {@link RopeTable} the forward pass hands over is uploaded once (cos, sin [positions, hd/2]),
 * sized to at least 4096 positions or the batch's; a batch with a later position re-tabulates on the host and
 * re-uploads before the launch (outside any kernel), doubling the size, so that happens a logarithmic number of
 * times per model.
 */
public final class CudaBackend implements Backend {
    private static final int BLOCK = 256;
    private static final int MIN_ROPE_POSITIONS = 4096;
    /** The head sizes attention.cu has kernels for (ascending). */
    static final int[] ATTENTION_HEAD_DIMS = {4, 8, 16, 32, 64, 96, 128, 256};
    /** Largest top-k the scoring tail keeps (logits_chunk_f32's shared arrays). */
    public static final int MAX_TOP_K = 64;

    private final CudaDevice device;
    private final Gemm gemm;
    private final int vocabChunk;
    private final int guard;
    private final DeviceScratch scratch;   // 0 ids/rows/positions, 1 cu_seqlens, 2 logits chunk,
                                                                  // 3 state, 4 top val, 5 top id, 6 targets, 7 results
    private final Map<RopeTable, DeviceRope> ropes = new IdentityHashMap<>();
    private final List<DeviceWeight> weights = new ArrayList<>();
    private final List<DeviceBuffer> guarded = new ArrayList<>();

    private record DeviceRope(long cos, long sin, int positions) {}

    /**
     * @param device     the device every buffer, weight and launch is on (owned: closed with the backend)
     * @param gemm       the GEMMs on that device (owned)
     * @param vocabChunk most vocabulary columns of LM-head logits computed at a time (tests use small ones)
     * @param guard      floats of guard pattern around every buffer this backend allocates (0 in production)
     */
    public CudaBackend(CudaDevice device, Gemm gemm, int vocabChunk, int guard) {
        if (vocabChunk < 1) throw new IllegalArgumentException("vocabChunk must be >= 1, got " + vocabChunk);
        this.device = device;
        this.scratch = new DeviceScratch(device, 9);   // slot 8: a bf16 weight widened for an fp32 GEMM
        this.gemm = gemm;
        this.vocabChunk = vocabChunk;
        this.guard = guard;
    }

    /** The emulated device with host OpenBLAS GEMMs, 8192-column LM-head chunks, no guards. */
    public static CudaBackend emulated(int threads) throws java.io.IOException {
        return new CudaBackend(new EmulatedCudaDevice(), new HostGemm(threads, 1 << 22), 8192, 0);
    }

    @Override
    public String name() { return "cuda-emu (emulated CUDA device; GEMMs: " + gemm.describe() + ")"; }

    @Override
    public Buffer allocate(long floats) {
        DeviceBuffer b = new DeviceBuffer(device, floats, guard);
        if (guard > 0) guarded.add(b);
        return b;
    }

    /** Guard floats around each buffer in the op tests. */
    public static final int TEST_GUARD = 16;

    /** True when no op wrote outside a buffer this backend allocated (only meaningful with guards). */
    @Override
    public boolean guardsIntact() {
        for (DeviceBuffer b : guarded) if (!b.guardsIntact()) return false;
        return true;
    }

    @Override
    public Weight weight(TensorView tensor) {
        DeviceWeight w = new DeviceWeight(device, tensor);
        weights.add(w);
        return w;
    }

    private static DeviceBuffer dev(Buffer b) { return (DeviceBuffer) b; }

    private static DeviceWeight dev(Weight w) { return (DeviceWeight) w; }

    private static String suffix(DeviceWeight w) { return w.dtype == DType.BF16 ? "bf16" : "f32"; }

    private void launch(String kernel, Dim3 grid, Dim3 block, int shared, KernelArgs args) {
        device.launch(kernel, grid, block, shared, args);
    }

    @Override
    public void embed(Weight table, int[] ids, Buffer out) {
        DeviceWeight t = dev(table);
        for (int id : ids) {
            if (id < 0 || id >= t.rows()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + t.rows() + ")");
            }
        }
        if (ids.length == 0) return;
        long dIds = scratch.ints(0, ids);
        launch("embed_" + suffix(t), Dim3.of(ids.length), Dim3.of(BLOCK), 0,
                new KernelArgs().ptr(dIds).ptr(t.address).ptr(dev(out).address).i32(t.cols()));
    }

    @Override
    public void rmsnorm(Buffer x, Weight weight, float eps, Buffer out, int rows, int dim) {
        DeviceWeight w = dev(weight);
        if (w.numel() != dim) throw new IllegalArgumentException("rmsnorm weight has " + w.numel() + " elements, rows have " + dim);
        if (rows == 0) return;
        // block: whole warps, no more threads than elements (a head of 16 gets one warp), at most 256
        int block = Math.min(BLOCK, (dim + 31) / 32 * 32);
        String kernel = w.dtype == DType.BF16 ? "rmsnorm_bf16w_f32" : "rmsnorm_f32";
        launch(kernel, Dim3.of(rows), Dim3.of(block), 0,
                new KernelArgs().ptr(dev(x).address).ptr(w.address).ptr(dev(out).address).i32(dim).f32(eps));
    }

    /**
     * out[rows, n] = x[rows, k] · w[n, k]ᵀ + beta · out with fp32 x and out. A bf16 weight is first widened by
     * widen_bf16 into scratch (exact), because cuBLAS has no fp32 × bf16 GEMM; the emulated device takes the same
     * path, so CI runs the launch a GPU runs. (The LM head comes here one vocabulary chunk at a time, so the scratch
     * is at most the largest layer matrix in fp32.)
     */
    private void fp32Gemm(long x, long w, DType wType, long out, int rows, int n, int k, float beta) {
        if (rows == 0 || n == 0) return;
        if (wType == DType.BF16) {
            long elems = (long) n * k;
            long wide = scratch.get(8, 4 * elems);
            launch("widen_bf16", Dim3.of(Dim3.blocks(elems, BLOCK)), Dim3.of(BLOCK), 0, new KernelArgs().ptr(w).ptr(wide).i64(elems));
            w = wide;
            wType = DType.F32;
        }
        gemm.matmul(x, w, wType, out, rows, n, k, beta);
    }

    @Override
    public void matmul(Buffer x, Weight w, Weight bias, Buffer out, int rows) {
        DeviceWeight wt = dev(w);
        int k = wt.cols(), n = wt.rows();
        fp32Gemm(dev(x).address, wt.address, wt.dtype, dev(out).address, rows, n, k, 0f);
        if (bias != null && rows > 0) {
            DeviceWeight b = dev(bias);
            if (b.numel() != n) throw new IllegalArgumentException("bias " + b.view().name() + " has " + b.numel() + " elements, the GEMM has " + n + " outputs");
            long elems = (long) rows * n;
            launch("add_bias_" + suffix(b), Dim3.of(Dim3.blocks(elems, BLOCK)), Dim3.of(BLOCK), 0,
                    new KernelArgs().ptr(dev(out).address).ptr(b.address).i64(rows).i32(n));
        }
    }

    @Override
    public void rope(Buffer x, int rows, int heads, int headDim, int[] positions, RopeTable table) {
        if (rows == 0) return;
        if (headDim % 2 != 0) throw new IllegalArgumentException("RoPE needs an even head_dim, got " + headDim);
        int maxPos = 0;
        for (int i = 0; i < rows; i++) maxPos = Math.max(maxPos, positions[i]);
        DeviceRope r = rope(table, maxPos + 1);
        long dPos = scratch.ints(0, java.util.Arrays.copyOf(positions, rows));
        int block = Math.max(32, (headDim / 2 + 31) / 32 * 32);
        launch("rope_f32", Dim3.of(rows, heads), Dim3.of(block), 0, new KernelArgs().ptr(dev(x).address)
                .i64((long) heads * headDim).i32(headDim).ptr(dPos).ptr(r.cos).ptr(r.sin));
    }

    /** Uploads the table as far as it is tabulated (at load; again only if it grew between passes). */
    @Override
    public void prepareRope(RopeTable table) {
        rope(table, table.tabulated());
    }

    /**
     * The device copy of a table covering positions below {@code need}: made by {@link #prepareRope} at load in the
     * forward pass, so there this only looks it up; the fine ops called on their own (tests) upload it here.
     */
    private DeviceRope rope(RopeTable table, int need) {
        DeviceRope r = ropes.get(table);
        if (r != null && r.positions >= need) return r;
        int positions = Math.max(need, Math.max(MIN_ROPE_POSITIONS, r == null ? 0 : 2 * r.positions));
        table.ensure(positions);
        positions = table.tabulated();   // the whole host table: it may have grown past what was asked
        int half = table.half();
        long floats = (long) positions * half;
        if (r != null) {
            device.free(r.cos);
            device.free(r.sin);
        }
        long cos = device.malloc(4 * Math.max(1, floats)), sin = device.malloc(4 * Math.max(1, floats));
        device.copyToDevice(cos, floats(table.cos(), (int) floats));
        device.copyToDevice(sin, floats(table.sin(), (int) floats));
        r = new DeviceRope(cos, sin, positions);
        ropes.put(table, r);
        return r;
    }

    /** Bytes of dynamic shared memory attention_hd* needs, as attention_shared_bytes in attention.cu. */
    public static int attentionSharedBytes(int hd) {
        return 4 * (32 * (hd + 1) + 32 * hd + 16 * hd + 16 * 32);
    }

    @Override
    public void attention(Buffer q, Buffer k, Buffer v, Buffer out, PackedBatch batch, int heads, int kvHeads,
                          int headDim, float scale, int window) {
        int[] cu = new int[batch.sequences() + 1];
        for (int s = 0; s < batch.sequences(); s++) cu[s + 1] = batch.starts[s] + batch.lengths[s];
        attention(q, k, v, out, batch, scratch.ints(1, cu), heads, kvHeads, headDim, scale, window);
    }

    /** Attention with the sequences' boundaries already on the device at {@code dCu} (cu_seqlens, int32). */
    private void attention(Buffer q, Buffer k, Buffer v, Buffer out, PackedBatch batch, long dCu, int heads, int kvHeads,
                           int headDim, float scale, int window) {
        if (java.util.Arrays.binarySearch(ATTENTION_HEAD_DIMS, headDim) < 0) {
            throw new IllegalArgumentException("the CUDA attention kernel supports head_dim " + java.util.Arrays.toString(ATTENTION_HEAD_DIMS)
                    + ", not " + headDim);
        }
        if (heads % kvHeads != 0) throw new IllegalArgumentException(heads + " heads are not a multiple of " + kvHeads + " kv heads");
        if (batch.sequences() == 0 || batch.tokens() == 0) return;
        Dim3 grid = new Dim3(Dim3.blocks(batch.maxLength(), 16), heads, batch.sequences());
        launch("attention_hd" + headDim + "_f32", grid, Dim3.of(128), attentionSharedBytes(headDim), new KernelArgs()
                .ptr(dev(q).address).ptr(dev(k).address).ptr(dev(v).address).ptr(dev(out).address).ptr(dCu)
                .i64((long) heads * headDim).i64((long) kvHeads * headDim).i32(heads).i32(kvHeads).f32(scale).i32(window));
    }

    @Override
    public void gatherRows(Buffer src, int[] rows, int width, Buffer dst) {
        if (rows.length == 0) return;
        long dRows = scratch.ints(0, rows);
        launch("gather_rows_f32", Dim3.of(rows.length), Dim3.of(BLOCK), 0,
                new KernelArgs().ptr(dRows).ptr(dev(src).address).ptr(dev(dst).address).i32(width));
    }

    @Override
    public void swiglu(Buffer gate, Buffer up, long n) {
        if (n == 0) return;
        launch("swiglu_split_f32", Dim3.of(Dim3.blocks(n, BLOCK)), Dim3.of(BLOCK), 0,
                new KernelArgs().ptr(dev(gate).address).ptr(dev(up).address).i64(n));
    }

    @Override
    public void add(Buffer x, Buffer y, long n) {
        if (n == 0) return;
        launch("add_f32", Dim3.of(Dim3.blocks(n, BLOCK)), Dim3.of(BLOCK), 0,
                new KernelArgs().ptr(dev(x).address).ptr(dev(y).address).i64(n));
    }

    @Override
    public void nextTokenScores(Buffer hidden, int rows, Weight lmHead, int[] targets, ScoreOptions options, RowScores out) {
        DeviceWeight w = dev(lmHead);
        int vocab = w.rows(), k = options.topK();
        if (k > MAX_TOP_K) throw new IllegalArgumentException("top-k of at most " + MAX_TOP_K + " on the CUDA backend, asked for " + k);
        if (rows == 0) return;
        long topId = k > 0 ? scratch.get(5, 4L * rows * k) : 0;
        long dTargets = scratch.ints(6, java.util.Arrays.copyOf(targets, rows));
        long results = scratch.get(7, 4L * rows * (2 + k));
        scoreTail(dev(hidden).address, rows, w, dTargets, options, results, topId);
        boolean entropy = options.entropy();
        device.copyToHost(host(4L * rows * (2 + k)), results);
        hostResults.asFloatBuffer().get(out.logprob, 0, rows);
        if (entropy) hostResults.position(4 * rows).asFloatBuffer().get(out.entropy, 0, rows);
        if (k > 0) {
            FloatBuffer lp = hostResults.position(8 * rows).asFloatBuffer();
            ByteBuffer idBytes = ByteBuffer.allocateDirect(4 * rows * k).order(ByteOrder.LITTLE_ENDIAN);
            device.copyToHost(idBytes, topId);
            CudaPass.unpackTopK(lp, idBytes.asIntBuffer(), rows, k, Math.min(k, vocab), out);
        }
    }

    /**
     * The LM head and log-softmax of hidden [rows, dim] against targets on the device: chunked logits GEMMs folded
     * by logits_chunk_f32, then logits_finish_f32 writes logprob [rows] | entropy [rows] | top log-probs [rows, k]
     * at {@code results} and the top ids [rows, k] at {@code topId}. Enqueued only; nothing comes back here.
     */
    private void scoreTail(long hidden, int rows, DeviceWeight w, long dTargets, ScoreOptions options, long results, long topId) {
        int vocab = w.rows(), dim = w.cols(), k = options.topK();
        int chunk = Math.min(vocab, vocabChunk);
        long logits = scratch.get(2, 4L * rows * chunk);
        long state = scratch.get(3, 16L * rows);
        long topVal = k > 0 ? scratch.get(4, 4L * rows * k) : 0;
        Dim3 perRow = Dim3.of(Dim3.blocks(rows, BLOCK));
        launch("logits_init_f32", perRow, Dim3.of(BLOCK), 0, new KernelArgs().i32(rows).ptr(state).ptr(topVal).ptr(topId).i32(k));
        long headBytesPerRow = (long) dim * w.dtype.size();
        for (int v0 = 0; v0 < vocab; v0 += chunk) {
            int nv = Math.min(chunk, vocab - v0);
            // logits[rows, nv] = hidden[rows, dim] · W[v0 : v0+nv]ᵀ
            fp32Gemm(hidden, w.address + v0 * headBytesPerRow, w.dtype, logits, rows, nv, dim, 0f);
            launch("logits_chunk_f32", Dim3.of(rows), Dim3.of(BLOCK), 0, new KernelArgs().ptr(logits).i32(nv).i32(nv)
                    .i32(v0).ptr(dTargets).ptr(state).ptr(topVal).ptr(topId).i32(k));
        }
        long dLogprob = results, dEntropy = options.entropy() ? results + 4L * rows : 0, dTop = k > 0 ? results + 8L * rows : 0;
        launch("logits_finish_f32", perRow, Dim3.of(BLOCK), 0, new KernelArgs().i32(rows).ptr(state).ptr(topVal).i32(k)
                .ptr(dLogprob).ptr(dEntropy).ptr(dTop));
    }

    // ---------------------------------------------------------------- the pass and the fused coarse ops

    @Override
    public Pass upload(PackedBatch batch, int[] scoreRows, int[] targets, ScoreOptions options) {
        if (options.topK() > MAX_TOP_K) {
            throw new IllegalArgumentException("top-k of at most " + MAX_TOP_K + " on the CUDA backend, asked for " + options.topK());
        }
        return new CudaPass(device, batch, scoreRows, targets, options);
    }

    private static CudaPass dev(Pass pass) {
        if (pass instanceof CudaPass p) return p;
        throw new IllegalArgumentException("a pass made by another backend (" + pass.getClass().getSimpleName() + ") given to the CUDA backend");
    }

    @Override
    public void embed(Weight table, Pass pass, Buffer out) {
        DeviceWeight t = dev(table);
        int[] ids = pass.batch().ids;
        for (int id : ids) {
            if (id < 0 || id >= t.rows()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + t.rows() + ")");
            }
        }
        if (ids.length == 0) return;
        launch("embed_" + suffix(t), Dim3.of(ids.length), Dim3.of(BLOCK), 0,
                new KernelArgs().ptr(dev(pass).ids).ptr(t.address).ptr(dev(out).address).i32(t.cols()));
    }

    /** One launch: add_rmsnorm_f32, or add_rmsnorm_bf16w_f32 over a bf16 norm weight (fp32 out either way). */
    @Override
    public void addRmsnorm(Buffer x, Buffer y, Weight weight, float eps, Buffer out, int rows, int dim) {
        DeviceWeight w = dev(weight);
        if (w.numel() != dim) throw new IllegalArgumentException("rmsnorm weight has " + w.numel() + " elements, rows have " + dim);
        if (rows == 0) return;
        int block = Math.min(BLOCK, (dim + 31) / 32 * 32);
        String kernel = w.dtype == DType.BF16 ? "add_rmsnorm_bf16w_f32" : "add_rmsnorm_f32";
        launch(kernel, Dim3.of(rows), Dim3.of(block), 0, new KernelArgs().ptr(dev(x).address)
                .ptr(dev(y).address).ptr(w.address).ptr(dev(out).address).i32(dim).f32(eps));
    }

    /** q/k norm and RoPE in one launch each (qk_norm_rope_*; rope_f32 without norms), positions from the pass. */
    @Override
    public void qkNormRope(Buffer q, Buffer k, Weight qNorm, Weight kNorm, float eps, int rows, int heads,
                           int kvHeads, int headDim, Pass pass, RopeTable table) {
        if (rows == 0) return;
        if (headDim % 2 != 0) throw new IllegalArgumentException("RoPE needs an even head_dim, got " + headDim);
        DeviceRope r = rope(table, pass.maxSeqlen());   // positions inside a sequence are below its length
        normRope(q, heads, headDim, qNorm, eps, rows, dev(pass).positions, r);
        normRope(k, kvHeads, headDim, kNorm, eps, rows, dev(pass).positions, r);
    }

    private void normRope(Buffer x, int heads, int headDim, Weight norm, float eps, int rows, long positions, DeviceRope r) {
        int block = Math.max(32, (headDim / 2 + 31) / 32 * 32);
        KernelArgs args = new KernelArgs().ptr(dev(x).address).i64((long) heads * headDim).i32(headDim).ptr(positions)
                .ptr(r.cos).ptr(r.sin);
        String kernel = "rope_f32";
        if (norm != null) {
            DeviceWeight w = dev(norm);
            if (w.numel() != headDim) throw new IllegalArgumentException("q/k norm weight has " + w.numel() + " elements, heads have " + headDim);
            kernel = "qk_norm_rope_" + suffix(w);
            args.ptr(w.address).f32(eps);
        }
        launch(kernel, Dim3.of(rows, heads), Dim3.of(block), 0, args);
    }

    @Override
    public void attention(Buffer q, Buffer k, Buffer v, Buffer out, Pass pass, int heads, int kvHeads,
                          int headDim, float scale, int window) {
        attention(q, k, v, out, pass.batch(), dev(pass).cuSeqlens, heads, kvHeads, headDim, scale, window);
    }

    /** residual += x·wᵀ as one GEMM with beta = 1 (with a bias: the default, GEMM into scratch then add). */
    @Override
    public void matmulAccumulate(Buffer x, Weight w, Weight bias, Buffer residual, int rows, Buffer scratch) {
        if (bias != null) {
            Backend.super.matmulAccumulate(x, w, bias, residual, rows, scratch);
            return;
        }
        DeviceWeight wt = dev(w);
        fp32Gemm(dev(x).address, wt.address, wt.dtype, dev(residual).address, rows, wt.rows(), wt.cols(), 1f);
    }

    /** Gathers the pass's score rows (uploaded with it) and norms them in place: two launches, no host arrays. */
    @Override
    public void gatherNorm(Buffer x, Pass pass, Weight weight, float eps, Buffer out, int dim) {
        int rows = pass.rows();
        if (rows == 0) return;
        launch("gather_rows_f32", Dim3.of(rows), Dim3.of(BLOCK), 0,
                new KernelArgs().ptr(dev(pass).rows).ptr(dev(x).address).ptr(dev(out).address).i32(dim));
        rmsnorm(out, weight, eps, out, rows, dim);
    }

    /** The scoring tail into the pass's own result buffers; {@link Pass#results()} copies them back once. */
    @Override
    public void score(Pass pass, Buffer hidden, Weight lmHead) {
        CudaPass p = dev(pass);
        DeviceWeight w = dev(lmHead);
        p.scored(w.rows());
        if (pass.rows() == 0) return;
        scoreTail(dev(hidden).address, pass.rows(), w, p.targetIds, pass.options(), p.results, p.topIds);
    }

    private ByteBuffer hostResults = ByteBuffer.allocateDirect(0);

    /** The host copy of the results, at least {@code bytes} long (limit = bytes, position 0). */
    private ByteBuffer host(long bytes) {
        if (hostResults.capacity() < bytes) hostResults = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        hostResults.clear().limit((int) bytes);
        return hostResults;
    }

    private static ByteBuffer floats(float[] values, int n) {
        ByteBuffer b = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values, 0, n);
        return b;
    }

    @Override
    public void close() {
        for (DeviceWeight w : weights) w.close();
        weights.clear();
        for (DeviceRope r : ropes.values()) {
            device.free(r.cos);
            device.free(r.sin);
        }
        ropes.clear();
        guarded.clear();
        scratch.close();
        gemm.close();
        device.close();
    }
}
