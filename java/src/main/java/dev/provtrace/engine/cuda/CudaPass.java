package dev.provtrace.engine.cuda;

import dev.provtrace.engine.PackedBatch;
import dev.provtrace.engine.Pass;
import dev.provtrace.engine.RowScores;
import dev.provtrace.engine.ScoreOptions;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * A pass of the CUDA backend: ids, positions, cu_seqlens (queries and keys), the score rows and their targets copied to the device
 * once, when the pass is made, and the flat result buffers the scoring tail writes into (log-prob [rows], entropy
 * [rows], top-k log-probs [rows, k], top-k ids [rows, k]). The scoring op enqueues their copies back to the host
 * right after its last kernel ({@link #copyBack}); {@link #results()} waits for those copies only, so reading pass i
 * does not wait for pass i+1 enqueued after it, and keeps the host copy.
 * <p>
 * Each pass has device memory of its own (not the backend's scratch slots), taken from and given back to the
 * backend's {@link DevicePool}, so that the engine can have pass i+1 made and running while it still reads pass i's
 * results, and no pass frees device memory (which would wait for the whole device).
 */
final class CudaPass implements Pass {
    private final CudaDevice device;
    private final DevicePool pool;
    private final PackedBatch batch;
    private final int[] scoreRows;
    private final int[] targets;
    private final ScoreOptions options;
    final long ids, positions, cuSeqlens, cuSeqlensK, rows, targetIds;
    final long results, topIds;   // results: logprob | entropy | top log-probs (| rank), as the scoring tail writes them
    private int keptTopK = -1;
    private CudaDevice.HostCopy resultsBack, topIdsBack;   // enqueued by the scoring op, right after its kernels
    private RowScores host;
    private boolean closed;

    CudaPass(CudaDevice device, DevicePool pool, PackedBatch batch, int[] scoreRows, int[] targets, ScoreOptions options) {
        this.device = device;
        this.pool = pool;
        this.batch = batch;
        this.scoreRows = scoreRows;
        this.targets = targets;
        this.options = options;
        int n = scoreRows.length, k = options.topK();
        ids = upload(batch.ids);
        positions = upload(batch.positions);
        cuSeqlens = upload(cuSeqlens());
        cuSeqlensK = upload(cuSeqlensK());
        rows = upload(scoreRows);
        targetIds = upload(targets);
        results = pool.take(4L * Math.max(1, (long) n * resultSlots(options)));
        topIds = pool.take(4L * Math.max(1, (long) n * k));
    }

    /** 4-byte result slots per scored row: logprob, entropy, k top log-probs, and the rank when asked. */
    static int resultSlots(ScoreOptions options) {
        return 2 + options.topK() + (options.rank() ? 1 : 0);
    }

    /** Byte offset of the ranks [rows] in the results: after logprob, entropy and the top log-probs. */
    static long rankOffset(int rows, ScoreOptions options) {
        return 4L * rows * (2 + options.topK());
    }

    private long upload(int[] values) {
        long at = pool.take(4L * Math.max(1, values.length));
        if (values.length > 0) {
            ByteBuffer b = ByteBuffer.allocateDirect(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            b.asIntBuffer().put(values);
            device.copyToDevice(at, b);
        }
        return at;
    }

    /** Called by the scoring op: how many top-k slots hold tokens (fewer than k when the vocabulary is smaller). */
    void scored(int vocabRows) {
        keptTopK = Math.min(options.topK(), vocabRows);
    }

    /**
     * Called by the scoring op after its last kernel: enqueues the copies of the results to the host there, so that
     * {@link #results()} waits for this pass's work only, not for a pass enqueued after it.
     */
    void copyBack() {
        int n = scoreRows.length, k = options.topK();
        if (n == 0 || resultsBack != null) return;
        resultsBack = device.copyToHostAsync(results, 4L * n * resultSlots(options));
        if (k > 0) topIdsBack = device.copyToHostAsync(topIds, 4L * n * k);
    }

    @Override public PackedBatch batch() { return batch; }

    @Override public int[] scoreRows() { return scoreRows; }

    @Override public int[] targets() { return targets; }

    @Override public ScoreOptions options() { return options; }

    @Override
    public RowScores results() {
        if (host != null) return host;
        if (closed) throw new IllegalStateException("the pass was closed before its results were read");
        int n = scoreRows.length, k = options.topK();
        RowScores out = new RowScores(n, options);
        if (n > 0) {
            if (keptTopK < 0) throw new IllegalStateException("the pass's results were read before its rows were scored");
            copyBack();   // (already enqueued by the scoring op; here only if the op was not the last to run)
            ByteBuffer r = resultsBack.await().order(ByteOrder.LITTLE_ENDIAN);
            r.asFloatBuffer().get(out.logprob, 0, n);
            if (out.entropy != null) r.position(4 * n).asFloatBuffer().get(out.entropy, 0, n);
            if (out.rank != null) r.position((int) rankOffset(n, options)).asIntBuffer().get(out.rank, 0, n);
            if (k > 0) {
                FloatBuffer lp = r.position(8 * n).asFloatBuffer();
                unpackTopK(lp, topIdsBack.await().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer(), n, k, keptTopK, out);
            }
        }
        host = out;
        return out;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (resultsBack != null) resultsBack.close();
        if (topIdsBack != null) topIdsBack.close();
        for (long a : new long[] {ids, positions, cuSeqlens, cuSeqlensK, rows, targetIds, results, topIds}) pool.give(a);
    }

    /**
     * Row i's top-k of the flat device layout ([n, k] ids and log-probs, k slots per row) as {@code kept} ids and
     * log-probs per row of {@code out} (kept = min(k, vocab): a vocabulary smaller than k leaves empty slots).
     */
    static void unpackTopK(FloatBuffer logprobs, IntBuffer ids, int n, int k, int kept, RowScores out) {
        for (int i = 0; i < n; i++) {
            int[] id = new int[kept];
            float[] p = new float[kept];
            ids.get(i * k, id, 0, kept);
            logprobs.get(i * k, p, 0, kept);
            out.topIds[i] = id;
            out.topLogprobs[i] = p;
        }
    }
}
