package dev.provtrace.engine.cuda;

import dev.provtrace.engine.Backend;
import dev.provtrace.engine.LayerWeights;
import dev.provtrace.engine.PackedBatch;
import dev.provtrace.engine.Pass;
import dev.provtrace.engine.RopeTable;
import dev.provtrace.engine.RowScores;
import dev.provtrace.engine.ScoreOptions;
import dev.provtrace.io.DType;
import dev.provtrace.io.TensorView;
import dev.provtrace.model.ModelConfig;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CUDA backend, on a real device or the emulated one: buffers are device memory, weights are uploaded once in
 * their file dtype, and every op is a launch of a kernel of kernels/*.cu with the grid, block, dynamic shared memory
 * and arguments its docblock gives; GEMMs go through {@link Gemm}. The LM head runs over chunks of at most
 * {@code vocabChunk} vocabulary columns into one device chunk buffer, folded by logits_chunk_f32, so the logits of
 * all rows × vocab never exist.
 * <p>
 * bf16 precision is native ({@link #nativeBf16()}): the GEMM inputs are bf16 buffers, written rounded by the norm,
 * attention and SwiGLU kernels, and every GEMM is bf16 × bf16 with fp32 accumulation into an fp32 output; the
 * residual stream, q/k/v and the GEMM outputs stay fp32. cuBLAS has only F32 × F32 and BF16 × BF16, so a GEMM whose
 * sides differ (an fp32 checkpoint in bf16 precision, or a bf16 checkpoint in fp32 precision) first widens the bf16
 * side on the device (widen_bf16: exact). Attention with a bf16 output runs on the tensor cores (attention_mma:
 * bf16 mma with fp32 accumulation, q, k, v rounded to bf16); fp32 precision keeps attention.cu's fp32 kernels.
 * <p>
 * At load ({@link #prepare}) each layer's q|k|v and gate|up weights (and biases) are copied on the device into one
 * packed weight each and the separate copies freed, so a layer's projections run as two GEMMs instead of five.
 * RoPE tables are uploaded once at load ({@link #prepareRope}); no op uploads a table during a pass.
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
    private final DeviceScratch scratch;   // 0 ids/rows/positions, 1 cu_seqlens, 2 logits chunk, 3 state,
                                           // 4 top val, 5 top id, 6 targets, 7 results, 8 a widened weight,
                                           // 9 widened activations, 10 cu_seqlens_k
    private final Map<RopeTable, DeviceRope> ropes = new IdentityHashMap<>();
    private final List<DeviceWeight> weights = new ArrayList<>();
    private final List<DeviceBuffer> guarded = new ArrayList<>();
    private final DevicePool passBuffers;   // every pass's ids, positions, ... and results: reused, never freed per pass

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
        this.scratch = new DeviceScratch(device, 11);
        this.passBuffers = new DevicePool(device);
        this.gemm = gemm;
        this.vocabChunk = vocabChunk;
        this.guard = guard;
    }

    /** The emulated device with host OpenBLAS GEMMs, 8192-column LM-head chunks, no guards. */
    public static CudaBackend emulated(int threads) throws java.io.IOException {
        return new CudaBackend(new EmulatedCudaDevice(), new HostGemm(threads, 1 << 22), 8192, 0);
    }

    @Override
    public String name() {
        String gemms = batchInvariant ? "kernels/gemm.cu, batch-invariant" : gemm.describe();
        return (device instanceof EmulatedCudaDevice ? "cuda-emu (emulated CUDA device" : "cuda (" + device.describe()) + "; GEMMs: " + gemms + ")";
    }

    @Override
    public Buffer allocate(long floats) { return allocate(DType.F32, floats); }

    /** F32 or BF16 device buffers (BF16: the GEMM inputs of a bf16 pass). */
    @Override
    public Buffer allocate(DType dtype, long elements) {
        DeviceBuffer b = new DeviceBuffer(device, dtype, elements, guard);
        if (guard > 0) guarded.add(b);
        return b;
    }

    @Override
    public boolean nativeBf16() { return true; }

    @Override
    public void synchronize() { device.synchronize(); }

    @Override
    public long peakDeviceBytes() { return device.peakBytes(); }

    /**
     * cuBLAS (the emulated device: its host GEMM) on n×n×n with random inputs in {@code gemmInput} and fp32 out,
     * then cuMemcpyDtoD of min(copyBytes, a quarter of free memory) bytes (none when copyBytes is 0: the copy rate is
     * then NaN): each timed from a synchronised stream to the end of the stream, one warm-up first, best of
     * {@code runs}. The device's peak-memory count starts again afterwards, so a benchmark's peak is its passes'.
     */
    @Override
    public dev.provtrace.engine.DeviceRates measureRates(DType gemmInput, int n, long copyBytes, int runs) {
        if (n < 1 || runs < 1) throw new IllegalArgumentException("GEMM size and runs must be >= 1, got " + n + ", " + runs);
        long nn = (long) n * n;
        long a = device.malloc(nn * gemmInput.size()), b = device.malloc(nn * gemmInput.size()), c = device.malloc(4 * nn);
        try {
            fillRandom(a, nn, gemmInput);
            fillRandom(b, nn, gemmInput);
            double bestGemm = 2.0 * n * n * n / bestSeconds(runs, () -> gemm.matmul(a, b, gemmInput, c, n, n, n, 0f));
            long bytes = copyBytes == 0 ? 0 : Math.max(1 << 20, Math.min(copyBytes, device.memoryInfo()[0] / 4));
            double bestCopy = Double.NaN;
            if (bytes > 0) {
                long src = device.malloc(bytes), dst = device.malloc(bytes);
                try {
                    device.memsetZero(src, bytes);
                    bestCopy = 2.0 * bytes / bestSeconds(runs, () -> device.copyOnDevice(dst, src, bytes));
                } finally {
                    device.free(src);
                    device.free(dst);
                }
            }
            String what = gemm.describe() + ", " + (gemmInput == DType.BF16 ? "bf16×bf16→fp32" : "fp32×fp32→fp32") + " " + n + "³";
            return new dev.provtrace.engine.DeviceRates(what, bestGemm, bestCopy, bytes);
        } finally {
            device.free(a);
            device.free(b);
            device.free(c);
            device.resetPeakBytes();   // the peak a benchmark reports next is the engine's, not these buffers'
        }
    }

    /** The fastest of {@code runs} runs of {@code work}, in seconds, each from an idle stream to its end, after a warm-up. */
    private double bestSeconds(int runs, Runnable work) {
        double best = Double.POSITIVE_INFINITY;
        for (int r = 0; r <= runs; r++) {
            device.synchronize();
            long t0 = System.nanoTime();
            work.run();
            device.synchronize();
            if (r > 0) best = Math.min(best, (System.nanoTime() - t0) / 1e9);   // run 0 warms up
        }
        return best;
    }

    /** Uniform values in [-1, 1) (bf16: rounded), uploaded a slice at a time. */
    private void fillRandom(long at, long n, DType type) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
        int slice = 1 << 20;
        ByteBuffer staging = ByteBuffer.allocateDirect(slice * type.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (long off = 0; off < n; off += slice) {
            int len = (int) Math.min(slice, n - off);
            staging.clear();
            for (int i = 0; i < len; i++) {
                float v = (float) rnd.nextDouble(-1, 1);
                if (type == DType.BF16) staging.putShort(dev.provtrace.engine.Bf16.bits(v)); else staging.putFloat(v);
            }
            staging.flip();
            device.copyToDevice(at + off * type.size(), staging);
        }
    }

    /** Device memory left aside from the activations: cuBLAS's workspace, the context, a widened weight, fragmentation. */
    public static final long RESERVE_BYTES = 1L << 30;

    /**
     * Free device memory now (after the weights), less {@link #RESERVE_BYTES} and a tenth for per-pass buffers and
     * fragmentation, over the forward pass's activations and this backend's scratch per token.
     */
    @Override
    public long batchTokensThatFit(ModelConfig config, long activationBytesPerToken) {
        long free = device.memoryInfo()[0];
        long usable = (free - RESERVE_BYTES) / 10 * 9;
        return usable <= 0 ? 0 : usable / (activationBytesPerToken + scratchBytesPerToken(config, vocabChunk));
    }

    /**
     * This backend's scratch per token of a pass: the LM head's logits of one vocabulary chunk per scored row, the
     * widest GEMM input widened to fp32 (a bf16 pass over an fp32 checkpoint), and the pass's ids, positions, rows,
     * targets and results (a few ints).
     */
    static long scratchBytesPerToken(ModelConfig c, int vocabChunk) {
        long widest = Math.max(c.hiddenSize(), Math.max(c.qDim(), c.intermediateSize()));
        return 4L * Math.min(c.vocabSize(), vocabChunk) + 4L * widest + 4L * 8;
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

    /** The address of an fp32 buffer; an op that has only fp32 kernels for it says so instead of misreading bf16. */
    private static long f32(Buffer b, String op, String what) {
        DeviceBuffer d = dev(b);
        if (d.dtype != DType.F32) throw new IllegalArgumentException(op + ": " + what + " must be an F32 buffer, got " + d.dtype);
        return d.address;
    }

    /** A norm weight of {@code dim} elements, or an error saying how many it has. */
    private static DeviceWeight normWeight(Weight weight, int dim) {
        DeviceWeight w = dev(weight);
        if (w.numel() != dim) throw new IllegalArgumentException("rmsnorm weight has " + w.numel() + " elements, rows have " + dim);
        return w;
    }

    /** A norm kernel's block: whole warps, no more threads than elements (a head of 16 gets one warp), at most 256. */
    private static int normBlock(int dim) { return Math.min(BLOCK, (dim + 31) / 32 * 32); }

    /** rmsnorm-family kernel names by weight and output dtype: PREFIXf32, PREFIXbf16, PREFIXbf16w_f32, PREFIXf32w_bf16. */
    private static String normKernel(String prefix, DType weight, DType out) {
        if (weight == out) return prefix + (out == DType.BF16 ? "bf16" : "f32");
        return prefix + (weight == DType.BF16 ? "bf16w_f32" : "f32w_bf16");
    }

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
                new KernelArgs().ptr(dIds).ptr(t.address()).ptr(f32(out, "embed", "out")).i32(t.cols()));
    }

    @Override
    public void rmsnorm(Buffer x, Weight weight, float eps, Buffer out, int rows, int dim) {
        DeviceWeight w = normWeight(weight, dim);
        if (rows == 0) return;
        long xa = f32(x, "rmsnorm", "x");
        launch(normKernel("rmsnorm_", w.dtype, dev(out).dtype), Dim3.of(rows), Dim3.of(normBlock(dim)), 0,
                new KernelArgs().ptr(xa).ptr(w.address()).ptr(dev(out).address).i32(dim).f32(eps));
    }

    /**
     * out[rows, n] = x[rows, k] · w[n, k]ᵀ + beta · out, x in {@code xType}, w in {@code wType}, out fp32. cuBLAS has
     * F32 × F32 and BF16 × BF16 only, so when the two differ the bf16 side is first widened on the device by
     * widen_bf16 (exact) into scratch: the weight for an fp32 pass over a bf16 checkpoint (the LM head comes here
     * one vocabulary chunk at a time, so that scratch is at most the largest layer matrix in fp32), the activations
     * for a bf16 pass over an fp32 checkpoint. The emulated device takes the same path, so CI runs the launches a
     * GPU runs.
     */
    private void gemm(long x, DType xType, long w, DType wType, long out, int rows, int n, int k, float beta) {
        if (rows == 0 || n == 0) return;
        if (xType != wType) {
            if (wType == DType.BF16) w = widened(w, (long) n * k, 8);
            else x = widened(x, (long) rows * k, 9);
            xType = wType = DType.F32;
        }
        if (batchInvariant) {   // kernels/gemm.cu: one fixed summation order per output, whatever the rows
            launch("gemm_" + (xType == DType.BF16 ? "bf16" : "f32"), new Dim3(Dim3.blocks(n, 32), Dim3.blocks(rows, 32), 1),
                    new Dim3(16, 16, 1), 0, new KernelArgs().ptr(x).ptr(w).ptr(out).i32(rows).i32(n).i32(k).f32(beta));
            return;
        }
        gemm.matmul(x, w, xType, out, rows, n, k, beta);
    }

    /** {@code elems} bf16 values at {@code src} widened (exactly) by widen_bf16 into fp32 scratch slot {@code slot}. */
    private long widened(long src, long elems, int slot) {
        long wide = scratch.get(slot, 4 * elems);
        launch("widen_bf16", Dim3.of(Dim3.blocks(elems, BLOCK)), Dim3.of(BLOCK), 0, new KernelArgs().ptr(src).ptr(wide).i64(elems));
        return wide;
    }

    private boolean batchInvariant;

    /**
     * Batch invariance on or off: on, every GEMM is gemm_* of kernels/gemm.cu (one fp32 accumulator per output over k
     * in order) instead of cuBLAS, whose algorithm and split-K depend on the number of rows; every other kernel
     * already works per row, per sequence or per (sequence, head), so a text's numbers no longer depend on its batch.
     */
    public CudaBackend batchInvariant(boolean on) {
        this.batchInvariant = on;
        return this;
    }

    private void gemm(Buffer x, DeviceWeight w, long out, int rows, float beta) {
        gemm(dev(x).address, dev(x).dtype, w.address(), w.dtype, out, rows, w.rows(), w.cols(), beta);
    }

    private void addBias(long out, DeviceWeight b, int rows, int n) {
        if (b.numel() != n) throw new IllegalArgumentException("bias " + b.view().name() + " has " + b.numel() + " elements, the GEMM has " + n + " outputs");
        long elems = (long) rows * n;
        launch("add_bias_" + suffix(b), Dim3.of(Dim3.blocks(elems, BLOCK)), Dim3.of(BLOCK), 0,
                new KernelArgs().ptr(out).ptr(b.address()).i64(rows).i32(n));
    }

    @Override
    public void matmul(Buffer x, Weight w, Weight bias, Buffer out, int rows) {
        DeviceWeight wt = dev(w);
        long o = f32(out, "matmul", "out");
        gemm(x, wt, o, rows, 0f);
        if (bias != null && rows > 0) addBias(o, dev(bias), rows, wt.rows());
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
        launch("rope_f32", Dim3.of(rows, heads), Dim3.of(block), 0, new KernelArgs().ptr(f32(x, "rope", "x"))
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

    /** Keys per tile of attention_mma_hd* (as mma_keys in attention_mma.cu). */
    private static int mmaKeys(int hd) { return hd <= 128 ? 64 : 32; }

    /** Bytes of dynamic shared memory attention_mma_hd* needs, as attention_mma_shared_bytes in attention_mma.cu. */
    public static int attentionMmaSharedBytes(int hd) {
        return 2 * (64 * (hd + 8) + mmaKeys(hd) * (hd + 8) + hd * (mmaKeys(hd) + 8));
    }

    /**
     * The tensor-core kernel serves a bf16 output (bf16 precision: the attention's two GEMMs take bf16 inputs, as
     * every GEMM of the pass does) at a head size that is a multiple of the mma's 16; fp32 precision keeps the
     * fp32 kernel, whose numbers match transformers' fp32 ones.
     */
    static boolean attentionOnTensorCores(DType out, int headDim) {
        return out == DType.BF16 && headDim % 16 == 0;
    }

    @Override
    public void attention(Buffer q, Buffer k, Buffer v, Buffer out, PackedBatch batch, int heads, int kvHeads,
                          int headDim, float scale, int window) {
        attention(q, k, v, out, batch, scratch.ints(1, batch.cuSeqlensQ()), scratch.ints(10, batch.cuSeqlensK()),
                heads, kvHeads, headDim, scale, window);
    }

    /** Attention with the sequences' query and key boundaries already on the device (cu_seqlens_q, _k; int32). */
    private void attention(Buffer q, Buffer k, Buffer v, Buffer out, PackedBatch batch, long dCuQ, long dCuK, int heads,
                           int kvHeads, int headDim, float scale, int window) {
        if (java.util.Arrays.binarySearch(ATTENTION_HEAD_DIMS, headDim) < 0) {
            throw new IllegalArgumentException("the CUDA attention kernel supports head_dim " + java.util.Arrays.toString(ATTENTION_HEAD_DIMS)
                    + ", not " + headDim);
        }
        if (heads % kvHeads != 0) throw new IllegalArgumentException(heads + " heads are not a multiple of " + kvHeads + " kv heads");
        if (batch.sequences() == 0 || batch.tokens() == 0) return;
        long kvDim = (long) kvHeads * headDim, keyRows = batch.keyRows();
        if (k.capacity() < keyRows * kvDim || v.capacity() < keyRows * kvDim) {
            throw new IllegalArgumentException("attention: k and v hold " + Math.min(k.capacity(), v.capacity()) / kvDim
                    + " rows of keys, the batch's sequences have " + keyRows + " (cached ones included)");
        }
        DType outType = dev(out).dtype;
        boolean mma = attentionOnTensorCores(outType, headDim);
        Dim3 grid = new Dim3(Dim3.blocks(batch.maxLength(), mma ? 64 : 16), heads, batch.sequences());
        String kernel = (mma ? "attention_mma_hd" : "attention_hd") + headDim + "_" + (outType == DType.BF16 ? "bf16" : "f32");
        launch(kernel, grid, Dim3.of(128), mma ? attentionMmaSharedBytes(headDim) : attentionSharedBytes(headDim), new KernelArgs()
                .ptr(f32(q, "attention", "q")).ptr(f32(k, "attention", "k")).ptr(f32(v, "attention", "v"))
                .ptr(dev(out).address).ptr(dCuQ).ptr(dCuK)
                .i64((long) heads * headDim).i64(kvDim).i32(heads).i32(kvHeads).f32(scale).i32(window));
    }

    /** A device-to-device copy on the stream (the pass's keys and values into the ones kept for chunked prefill). */
    @Override
    public void copy(Buffer src, Buffer dst, long dstOffset, long n) {
        Backend.checkCopy(src, dst, dstOffset, n);
        DeviceBuffer from = dev(src), to = dev(dst);
        long size = from.dtype.size();
        device.copyOnDevice(to.address + dstOffset * size, from.address, n * size);
    }

    @Override
    public void gatherRows(Buffer src, int[] rows, int width, Buffer dst) {
        if (rows.length == 0) return;
        long dRows = scratch.ints(0, rows);
        launch("gather_rows_f32", Dim3.of(rows.length), Dim3.of(BLOCK), 0,
                new KernelArgs().ptr(dRows).ptr(f32(src, "gather_rows", "src")).ptr(f32(dst, "gather_rows", "dst")).i32(width));
    }

    @Override
    public void swiglu(Buffer gate, Buffer up, long n) {
        if (n == 0) return;
        launch("swiglu_split_f32", Dim3.of(Dim3.blocks(n, BLOCK)), Dim3.of(BLOCK), 0,
                new KernelArgs().ptr(f32(gate, "swiglu", "gate")).ptr(f32(up, "swiglu", "up")).i64(n));
    }

    @Override
    public void add(Buffer x, Buffer y, long n) {
        if (n == 0) return;
        launch("add_f32", Dim3.of(Dim3.blocks(n, BLOCK)), Dim3.of(BLOCK), 0,
                new KernelArgs().ptr(f32(x, "add", "x")).ptr(f32(y, "add", "y")).i64(n));
    }

    @Override
    public void nextTokenScores(Buffer hidden, int rows, Weight lmHead, int[] targets, ScoreOptions options, RowScores out) {
        DeviceWeight w = dev(lmHead);
        int vocab = w.rows(), k = options.topK();
        if (k > MAX_TOP_K) throw new IllegalArgumentException("top-k of at most " + MAX_TOP_K + " on the CUDA backend, asked for " + k);
        if (rows == 0) return;
        long topId = k > 0 ? scratch.get(5, 4L * rows * k) : 0;
        long dTargets = scratch.ints(6, java.util.Arrays.copyOf(targets, rows));
        long results = scratch.get(7, 4L * rows * CudaPass.resultSlots(options));
        scoreTail(dev(hidden), rows, w, dTargets, options, results, topId);
        boolean entropy = options.entropy();
        device.copyToHost(host(4L * rows * CudaPass.resultSlots(options)), results);
        hostResults.asFloatBuffer().get(out.logprob, 0, rows);
        if (entropy) hostResults.position(4 * rows).asFloatBuffer().get(out.entropy, 0, rows);
        if (out.rank != null) hostResults.position((int) CudaPass.rankOffset(rows, options)).asIntBuffer().get(out.rank, 0, rows);
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
     * (| rank [rows], int32, from a second sweep of the same GEMMs through logits_rank_f32, when asked) at {@code results} and the top ids [rows, k] at {@code topId}. Enqueued only; nothing comes back here.
     */
    private void scoreTail(DeviceBuffer hiddenBuffer, int rows, DeviceWeight w, long dTargets, ScoreOptions options, long results, long topId) {
        int vocab = w.rows(), dim = w.cols(), k = options.topK();
        long hidden = hiddenBuffer.address;
        DType hiddenType = hiddenBuffer.dtype;
        if (hiddenType == DType.BF16 && w.dtype != DType.BF16) {   // widened once here, not once per vocabulary chunk
            hidden = widened(hidden, (long) rows * dim, 9);
            hiddenType = DType.F32;
        }
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
            gemm(hidden, hiddenType, w.address() + v0 * headBytesPerRow, w.dtype, logits, rows, nv, dim, 0f);
            launch("logits_chunk_f32", Dim3.of(rows), Dim3.of(BLOCK), 0, new KernelArgs().ptr(logits).i32(nv).i32(nv)
                    .i32(v0).ptr(dTargets).ptr(state).ptr(topVal).ptr(topId).i32(k));
        }
        if (options.rank()) {   // the target's logit is known only now: the same GEMMs again, counting logits above it
            long dRank = results + CudaPass.rankOffset(rows, options);
            for (int v0 = 0; v0 < vocab; v0 += chunk) {
                int nv = Math.min(chunk, vocab - v0);
                gemm(hidden, hiddenType, w.address() + v0 * headBytesPerRow, w.dtype, logits, rows, nv, dim, 0f);
                launch("logits_rank_f32", Dim3.of(rows), Dim3.of(BLOCK), 0, new KernelArgs().ptr(logits).i32(nv).i32(nv)
                        .i32(v0).ptr(state).ptr(dRank));
            }
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
        return new CudaPass(device, passBuffers, batch, scoreRows, targets, options);
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
                new KernelArgs().ptr(dev(pass).ids).ptr(t.address()).ptr(f32(out, "embed", "out")).i32(t.cols()));
    }

    /** One launch of add_rmsnorm_* (by the norm weight's dtype and out's: bf16 out feeds a bf16 GEMM). */
    @Override
    public void addRmsnorm(Buffer x, Buffer y, Weight weight, float eps, Buffer out, int rows, int dim) {
        DeviceWeight w = normWeight(weight, dim);
        if (rows == 0) return;
        launch(normKernel("add_rmsnorm_", w.dtype, dev(out).dtype), Dim3.of(rows), Dim3.of(normBlock(dim)), 0, new KernelArgs()
                .ptr(f32(x, "add_rmsnorm", "x")).ptr(f32(y, "add_rmsnorm", "y")).ptr(w.address()).ptr(dev(out).address)
                .i32(dim).f32(eps));
    }

    /**
     * A layer as the coarse ops use it: q|k|v packed into one weight [Q + 2·KV, H] and gate|up into one [2·I, H]
     * (biases packed the same way, zeros where a part has none), and {@link #weights()} with q, k, v, gate and up
     * (and their biases) as views into the packed memory.
     */
    private record CudaLayer(LayerWeights weights, DeviceWeight qkv, DeviceWeight qkvBias, int qRows, int kvRows,
                             DeviceWeight gateUp, DeviceWeight gateUpBias, int inter) implements PreparedLayer {}

    /**
     * Packs the layer's q|k|v and gate|up on the device (device-to-device copies in stream order) and frees the
     * separate copies; a later use of one of those is an error naming the packed weight. The parts must share a
     * dtype and a row length (a checkpoint that mixes them is refused, naming the tensors).
     */
    @Override
    public PreparedLayer prepare(LayerWeights L) {
        DeviceWeight[] qkv = {dev(L.q()), dev(L.k()), dev(L.v())};
        DeviceWeight[] qkvBias = {bias(L.qBias()), bias(L.kBias()), bias(L.vBias())};
        DeviceWeight[] gu = {dev(L.gate()), dev(L.up())};
        DeviceWeight[] guBias = {bias(L.gateBias()), bias(L.upBias())};
        if (qkv[1].rows() != qkv[2].rows()) {
            throw new IllegalArgumentException(qkv[1].view().name() + " has " + qkv[1].rows() + " rows and " + qkv[2].view().name()
                    + " " + qkv[2].rows() + ": k and v must have the same size");
        }
        if (gu[0].rows() != gu[1].rows()) {
            throw new IllegalArgumentException(gu[0].view().name() + " has " + gu[0].rows() + " rows and " + gu[1].view().name()
                    + " " + gu[1].rows() + ": gate and up must have the same size");
        }
        DeviceWeight pqkv = packRows(qkv), pgu = packRows(gu);
        DeviceWeight pqkvBias = packVector(qkvBias, new int[] {qkv[0].rows(), qkv[1].rows(), qkv[2].rows()});
        DeviceWeight pguBias = packVector(guBias, new int[] {gu[0].rows(), gu[1].rows()});
        int q = qkv[0].rows(), kv = qkv[1].rows(), inter = gu[0].rows();
        LayerWeights views = new LayerWeights(L.inputNorm(),
                pqkv.rowsView(qkv[0].view(), 0, q), vectorView(pqkvBias, L.qBias(), 0, q),
                pqkv.rowsView(qkv[1].view(), q, kv), vectorView(pqkvBias, L.kBias(), q, kv),
                pqkv.rowsView(qkv[2].view(), q + kv, kv), vectorView(pqkvBias, L.vBias(), q + kv, kv),
                L.o(), L.oBias(), L.qNorm(), L.kNorm(), L.postNorm(),
                pgu.rowsView(gu[0].view(), 0, inter), vectorView(pguBias, L.gateBias(), 0, inter),
                pgu.rowsView(gu[1].view(), inter, inter), vectorView(pguBias, L.upBias(), inter, inter),
                L.down(), L.downBias());
        return new CudaLayer(views, pqkv, pqkvBias, q, kv, pgu, pguBias, inter);
    }

    private static DeviceWeight bias(Weight w) { return w == null ? null : dev(w); }

    private static String names(DeviceWeight[] parts) {
        StringBuilder b = new StringBuilder();
        for (DeviceWeight p : parts) if (p != null) b.append(b.length() == 0 ? "" : " | ").append(p.view().name());
        return b.toString();
    }

    /** One weight [Σ rows, cols] holding the parts' rows one after another; the parts' own memory is freed. */
    private DeviceWeight packRows(DeviceWeight[] parts) {
        DeviceWeight first = parts[0];
        long bytes = 0;
        for (DeviceWeight p : parts) {
            if (p.dtype != first.dtype || p.cols() != first.cols()) {
                throw new IllegalArgumentException("cannot pack " + names(parts) + " into one GEMM: " + p.view().name() + " is "
                        + p.dtype + " [" + p.rows() + ", " + p.cols() + "], " + first.view().name() + " " + first.dtype + " [" + first.rows()
                        + ", " + first.cols() + "]");
            }
            bytes += p.numel() * p.dtype.size();
        }
        long at = device.malloc(Math.max(1, bytes)), off = 0;
        int rows = 0;
        for (DeviceWeight p : parts) {
            long b = p.numel() * p.dtype.size();
            device.copyOnDevice(at + off, p.address(), b);
            off += b;
            rows += p.rows();
        }
        return adopt(new DeviceWeight(device, first.view(), rows, first.cols(), first.dtype, at, true), parts);
    }

    /** Keeps a packed weight (freed with the backend) and frees the parts copied into it; null parts are skipped. */
    private DeviceWeight adopt(DeviceWeight packed, DeviceWeight[] parts) {
        weights.add(packed);
        String name = names(parts);
        for (DeviceWeight p : parts) if (p != null) p.releaseInto(name);
        return packed;
    }

    /** One vector of Σ sizes holding the parts (zeros for a null part), or null when every part is null. */
    private DeviceWeight packVector(DeviceWeight[] parts, int[] sizes) {
        DeviceWeight first = null;
        for (DeviceWeight p : parts) if (p != null && first == null) first = p;
        if (first == null) return null;
        long total = 0;
        for (int i = 0; i < parts.length; i++) {
            DeviceWeight p = parts[i];
            if (p != null && (p.dtype != first.dtype || p.numel() != sizes[i])) {
                throw new IllegalArgumentException("cannot pack the biases " + names(parts) + ": " + p.view().name() + " is " + p.dtype
                        + " of " + p.numel() + " elements, expected " + first.dtype + " of " + sizes[i]);
            }
            total += sizes[i];
        }
        int size = first.dtype.size();
        long at = device.malloc(Math.max(1, total * size)), off = 0;
        device.memsetZero(at, total * size);
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] != null) device.copyOnDevice(at + off * size, parts[i].address(), (long) sizes[i] * size);
            off += sizes[i];
        }
        return adopt(new DeviceWeight(device, first.view(), 1, (int) total, first.dtype, at, true), parts);
    }

    /** Elements [offset, offset + n) of a packed vector, as the part {@code original} (null when it had none). */
    private DeviceWeight vectorView(DeviceWeight packed, Weight original, int offset, int n) {
        if (original == null) return null;
        return new DeviceWeight(device, original.view(), 1, n, packed.dtype, packed.address() + (long) offset * packed.dtype.size(), false);
    }

    private static CudaLayer packed(PreparedLayer layer) {
        if (layer instanceof CudaLayer c) return c;
        throw new IllegalArgumentException("a layer not prepared by the CUDA backend (" + layer.getClass().getSimpleName() + ")");
    }

    /** One GEMM into scratch [rows, Q + 2·KV] over the packed weight, then split_qkv_* into q, k, v with the bias. */
    @Override
    public void qkv(PreparedLayer layer, Buffer h, int rows, Buffer q, Buffer k, Buffer v, Buffer scratch) {
        CudaLayer c = packed(layer);
        if (rows == 0) return;
        int width = c.qRows + 2 * c.kvRows;
        long out = wide(scratch, (long) rows * width, "qkv");
        gemm(h, c.qkv, out, rows, 0f);
        long elems = (long) rows * width;
        String kernel = "split_qkv_" + (c.qkvBias != null && c.qkvBias.dtype == DType.BF16 ? "bf16" : "f32");
        launch(kernel, Dim3.of(Dim3.blocks(elems, BLOCK)), Dim3.of(BLOCK), 0, new KernelArgs().ptr(out)
                .ptr(c.qkvBias == null ? 0 : c.qkvBias.address()).ptr(f32(q, "qkv", "q")).ptr(f32(k, "qkv", "k"))
                .ptr(f32(v, "qkv", "v")).i64(rows).i32(c.qRows).i32(c.kvRows));
    }

    /** One GEMM into scratch [rows, 2·I] over the packed weight (+ packed bias), then swiglu_* into out's dtype. */
    @Override
    public void gateUpSwiglu(PreparedLayer layer, Buffer h, int rows, Buffer out, Buffer scratch) {
        CudaLayer c = packed(layer);
        if (rows == 0) return;
        long gu = wide(scratch, 2L * rows * c.inter, "gate_up_swiglu");
        gemm(h, c.gateUp, gu, rows, 0f);
        if (c.gateUpBias != null) addBias(gu, c.gateUpBias, rows, 2 * c.inter);
        long elems = (long) rows * c.inter;
        DeviceBuffer o = dev(out);
        launch("swiglu_" + (o.dtype == DType.BF16 ? "bf16" : "f32"), Dim3.of(Dim3.blocks(elems, BLOCK)), Dim3.of(BLOCK), 0,
                new KernelArgs().ptr(gu).ptr(o.address).i64(rows).i32(c.inter));
    }

    /** The address of an fp32 scratch buffer of at least {@code floats}, or a clear error. */
    private static long wide(Buffer scratch, long floats, String op) {
        long at = f32(scratch, op, "scratch");
        if (scratch.capacity() < floats) {
            throw new IllegalArgumentException(op + ": scratch holds " + scratch.capacity() + " floats, the packed GEMM needs " + floats);
        }
        return at;
    }

    /** q/k norm and RoPE in one launch each (qk_norm_rope_*; rope_f32 without norms), positions from the pass. */
    @Override
    public void qkNormRope(Buffer q, Buffer k, Weight qNorm, Weight kNorm, float eps, int rows, int heads,
                           int kvHeads, int headDim, Pass pass, RopeTable table) {
        if (rows == 0) return;
        if (headDim % 2 != 0) throw new IllegalArgumentException("RoPE needs an even head_dim, got " + headDim);
        DeviceRope r = rope(table, pass.batch().positionsEnd());   // a chunk's positions go on from its cached tokens
        normRope(q, heads, headDim, qNorm, eps, rows, dev(pass).positions, r);
        normRope(k, kvHeads, headDim, kNorm, eps, rows, dev(pass).positions, r);
    }

    private void normRope(Buffer x, int heads, int headDim, Weight norm, float eps, int rows, long positions, DeviceRope r) {
        int block = Math.max(32, (headDim / 2 + 31) / 32 * 32);
        KernelArgs args = new KernelArgs().ptr(f32(x, "qk_norm_rope", "q/k")).i64((long) heads * headDim).i32(headDim).ptr(positions)
                .ptr(r.cos).ptr(r.sin);
        String kernel = "rope_f32";
        if (norm != null) {
            DeviceWeight w = dev(norm);
            if (w.numel() != headDim) throw new IllegalArgumentException("q/k norm weight has " + w.numel() + " elements, heads have " + headDim);
            kernel = "qk_norm_rope_" + suffix(w);
            args.ptr(w.address()).f32(eps);
        }
        launch(kernel, Dim3.of(rows, heads), Dim3.of(block), 0, args);
    }

    @Override
    public void attention(Buffer q, Buffer k, Buffer v, Buffer out, Pass pass, int heads, int kvHeads,
                          int headDim, float scale, int window) {
        attention(q, k, v, out, pass.batch(), dev(pass).cuSeqlens, dev(pass).cuSeqlensK, heads, kvHeads, headDim, scale, window);
    }

    /** residual += x·wᵀ as one GEMM with beta = 1 (with a bias: the default, GEMM into scratch then add). */
    @Override
    public void matmulAccumulate(Buffer x, Weight w, Weight bias, Buffer residual, int rows, Buffer scratch) {
        if (bias != null) {
            Backend.super.matmulAccumulate(x, w, bias, residual, rows, scratch);
            return;
        }
        gemm(x, dev(w), f32(residual, "matmul_accumulate", "residual"), rows, 1f);
    }

    /** The pass's score rows (uploaded with it) gathered and normed in one launch, in out's dtype. */
    @Override
    public void gatherNorm(Buffer x, Pass pass, Weight weight, float eps, Buffer out, int dim) {
        int rows = pass.rows();
        if (rows == 0) return;
        DeviceWeight w = normWeight(weight, dim);
        long xa = f32(x, "gather_norm", "x");
        if (dev(out).address == xa) throw new IllegalArgumentException("gather_norm: out must not alias x");
        launch(normKernel("gather_rmsnorm_", w.dtype, dev(out).dtype), Dim3.of(rows), Dim3.of(normBlock(dim)), 0, new KernelArgs()
                .ptr(dev(pass).rows).ptr(xa).ptr(w.address()).ptr(dev(out).address).i32(dim).f32(eps));
    }

    /** The scoring tail into the pass's own result buffers; {@link Pass#results()} copies them back once. */
    @Override
    public void score(Pass pass, Buffer hidden, Weight lmHead) {
        CudaPass p = dev(pass);
        DeviceWeight w = dev(lmHead);
        p.scored(w.rows());
        if (pass.rows() == 0) return;
        scoreTail(dev(hidden), pass.rows(), w, p.targetIds, pass.options(), p.results, p.topIds);
        p.copyBack();
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
        passBuffers.close();
        gemm.close();
        device.close();
    }
}
