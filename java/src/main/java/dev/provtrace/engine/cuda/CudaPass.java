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
 * A pass of the CUDA backend: ids, positions, cu_seqlens, the score rows and their targets copied to the device
 * once, when the pass is made, and the flat result buffers the scoring tail writes into (log-prob [rows], entropy
 * [rows], top-k log-probs [rows, k], top-k ids [rows, k]). {@link #results()} copies them back in one call per
 * buffer, after all the pass's work (the copies wait for the stream), and keeps the host copy.
 * <p>
 * Each pass owns its device memory (not the backend's scratch slots) so that the engine can have pass i+1 made and
 * running while it still reads pass i's results.
 */
final class CudaPass implements Pass {
    private final CudaDevice device;
    private final PackedBatch batch;
    private final int[] scoreRows;
    private final int[] targets;
    private final ScoreOptions options;
    final long ids, positions, cuSeqlens, rows, targetIds;
    final long results, topIds;   // results: logprob | entropy | top log-probs, as logits_finish_f32 writes them
    private int keptTopK = -1;
    private RowScores host;
    private boolean closed;

    CudaPass(CudaDevice device, PackedBatch batch, int[] scoreRows, int[] targets, ScoreOptions options) {
        this.device = device;
        this.batch = batch;
        this.scoreRows = scoreRows;
        this.targets = targets;
        this.options = options;
        int n = scoreRows.length, k = options.topK();
        ids = upload(batch.ids);
        positions = upload(batch.positions);
        cuSeqlens = upload(cuSeqlens());
        rows = upload(scoreRows);
        targetIds = upload(targets);
        results = device.malloc(4L * Math.max(1, n * (2L + k)));
        topIds = device.malloc(4L * Math.max(1, (long) n * k));
    }

    private long upload(int[] values) {
        long at = device.malloc(4L * Math.max(1, values.length));
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
            ByteBuffer r = ByteBuffer.allocateDirect(4 * n * (2 + k)).order(ByteOrder.LITTLE_ENDIAN);
            device.copyToHost(r, results);
            r.asFloatBuffer().get(out.logprob, 0, n);
            if (out.entropy != null) r.position(4 * n).asFloatBuffer().get(out.entropy, 0, n);
            if (k > 0) {
                FloatBuffer lp = r.position(8 * n).asFloatBuffer();
                ByteBuffer idBytes = ByteBuffer.allocateDirect(4 * n * k).order(ByteOrder.LITTLE_ENDIAN);
                device.copyToHost(idBytes, topIds);
                unpackTopK(lp, idBytes.asIntBuffer(), n, k, keptTopK, out);
            }
        }
        host = out;
        return out;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (long a : new long[] {ids, positions, cuSeqlens, rows, targetIds, results, topIds}) device.free(a);
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
