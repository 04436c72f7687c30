package dev.provtrace.engine.cuda;

import dev.provtrace.engine.Backend;
import dev.provtrace.engine.ForwardingBackend;
import dev.provtrace.engine.Backend.Buffer;
import dev.provtrace.engine.Backend.Weight;
import dev.provtrace.engine.PackedBatch;
import dev.provtrace.engine.Pass;
import dev.provtrace.engine.RopeTable;
import dev.provtrace.engine.RowScores;
import dev.provtrace.engine.ScoreOptions;
import dev.provtrace.io.DType;
import dev.provtrace.io.MemoryCheckpoint;
import dev.provtrace.io.TensorView;
import dev.provtrace.model.RopeScaling;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CUDA backend's fused coarse ops (one launch of add_rmsnorm / qk_norm_rope, the beta = 1 GEMM, gather + norm
 * and scoring from the pass's device buffers) against the interface's defaults built from the same backend's fine
 * ops: the same numbers, on shapes with several sequences, GQA, bf16 and fp32 weights, top-k. Every buffer has
 * guard regions no op may touch.
 */
class CudaFusedOpsTest {
    private static final int GUARD = 16;
    private static MemoryCheckpoint tensors;
    private CudaBackend cuda;
    private Backend fine;   // the same backend seen through its fine ops only: every coarse op is the default
    private final Random rnd = new Random(7);
    private final PackedBatch batch = new PackedBatch(List.of(new int[] {3, 1, 4, 1, 5}, new int[] {9}, new int[] {2, 6, 5, 3, 5, 8, 9}));

    @BeforeAll
    static void load() throws Exception {
        assumeTrue(EmulatedDevice.available() || "true".equals(System.getenv("CI")), "no emulated device in this build");
        EmulatedDevice.load();
        tensors = new MemoryCheckpoint();
    }

    @AfterAll
    static void release() {
        if (tensors != null) tensors.close();
    }

    @BeforeEach
    void open() throws Exception {
        cuda = new CudaBackend(new EmulatedCudaDevice(), new HostGemm(1, 100), 7, GUARD);
        fine = fineOnly(cuda);
    }

    @AfterEach
    void close() {
        assertTrue(cuda.guardsIntact(), "an op wrote into a guard region");
        cuda.close();
    }

    @Test
    void addRmsnormIsTheAddThenTheNorm() {
        int rows = 5, dim = 40;
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            Weight w = cuda.weight(tensor(gaussian(dim, 1), dt, dim));
            float[] x = gaussian(rows * dim, 2), y = gaussian(rows * dim, 1);
            Buffer x1 = buffer(x), y1 = buffer(y), o1 = cuda.allocate((long) rows * dim);
            Buffer x2 = buffer(x), y2 = buffer(y), o2 = cuda.allocate((long) rows * dim);
            cuda.addRmsnorm(x1, y1, w, 1e-6f, o1, rows, dim);
            fine.addRmsnorm(x2, y2, w, 1e-6f, o2, rows, dim);
            assertClose(all(x2), all(x1), 1e-6, dt + " residual");
            assertClose(all(o2), all(o1), 1e-6, dt + " normed");
        }
    }

    @Test
    void qkNormRopeIsTheNormsThenRopeAtThePassPositions() {
        int heads = 4, kv = 2, hd = 16, T = batch.tokens();
        RopeTable table = new RopeTable(hd, 10000, RopeScaling.NONE, 64);
        for (DType dt : new DType[] {null, DType.F32, DType.BF16}) {   // null: no q/k norm (Llama, Qwen2)
            Weight qn = dt == null ? null : cuda.weight(tensor(gaussian(hd, 1), dt, hd));
            Weight kn = dt == null ? null : cuda.weight(tensor(gaussian(hd, 1), dt, hd));
            float[] q = gaussian(T * heads * hd, 1), k = gaussian(T * kv * hd, 1);
            Buffer q1 = buffer(q), k1 = buffer(k), q2 = buffer(q), k2 = buffer(k);
            try (Pass p1 = pass(cuda, ScoreOptions.LOGPROBS_ONLY); Pass p2 = pass(fine, ScoreOptions.LOGPROBS_ONLY)) {
                cuda.qkNormRope(q1, k1, qn, kn, 1e-6f, T, heads, kv, hd, p1, table);
                fine.qkNormRope(q2, k2, qn, kn, 1e-6f, T, heads, kv, hd, p2, table);
            }
            assertClose(all(q2), all(q1), 2e-6, "q, norm " + dt);
            assertClose(all(k2), all(k1), 2e-6, "k, norm " + dt);
        }
    }

    @Test
    void embedAndAttentionReadTheUploadedPass() {
        int heads = 4, kv = 1, hd = 16, T = batch.tokens();
        Weight table = cuda.weight(tensor(gaussian(10 * 24, 1), DType.BF16, 10, 24));
        Buffer e1 = cuda.allocate(T * 24L), e2 = cuda.allocate(T * 24L);
        float[] q = gaussian(T * heads * hd, 1), k = gaussian(T * kv * hd, 1), v = gaussian(T * kv * hd, 1);
        Buffer o1 = cuda.allocate((long) T * heads * hd), o2 = cuda.allocate((long) T * heads * hd);
        try (Pass p1 = pass(cuda, ScoreOptions.LOGPROBS_ONLY); Pass p2 = pass(fine, ScoreOptions.LOGPROBS_ONLY)) {
            cuda.embed(table, p1, e1);
            fine.embed(table, p2, e2);
            cuda.attention(buffer(q), buffer(k), buffer(v), o1, p1, heads, kv, hd, 0.25f, 3);
            fine.attention(buffer(q), buffer(k), buffer(v), o2, p2, heads, kv, hd, 0.25f, 3);
        }
        assertArrayEquals(all(e2), all(e1), "embed");
        assertArrayEquals(all(o2), all(o1), "attention");
    }

    @Test
    void matmulAccumulateAddsTheGemmToTheResidual() {
        int rows = 6, n = 13, k = 24;
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            for (boolean biased : new boolean[] {false, true}) {
                Weight w = cuda.weight(tensor(gaussian(n * k, 0.3), dt, n, k));
                Weight bias = biased ? cuda.weight(tensor(gaussian(n, 1), dt, n)) : null;
                float[] x = gaussian(rows * k, 1), residual = gaussian(rows * n, 2);
                Buffer r1 = buffer(residual), r2 = buffer(residual);
                cuda.matmulAccumulate(buffer(x), w, bias, r1, rows, cuda.allocate((long) rows * n));
                fine.matmulAccumulate(buffer(x), w, bias, r2, rows, cuda.allocate((long) rows * n));
                assertClose(all(r2), all(r1), 1e-6, dt + (biased ? " with bias" : ""));
            }
        }
    }

    /** gather + final norm, then the scoring tail into the pass's buffers, read back once by results(). */
    @Test
    void gatherNormAndScoreMatchTheDefaultsIncludingTopK() {
        int H = 24, vocab = 10, T = batch.tokens();
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            Weight norm = cuda.weight(tensor(gaussian(H, 1), dt, H));
            Weight head = cuda.weight(tensor(gaussian(vocab * H, 0.5), dt, vocab, H));
            Buffer x = buffer(gaussian(T * H, 2));
            for (ScoreOptions o : new ScoreOptions[] {ScoreOptions.LOGPROBS_ONLY, new ScoreOptions(4, true), new ScoreOptions(12, false)}) {
                Buffer h1 = cuda.allocate((long) T * H), h2 = cuda.allocate((long) T * H);
                RowScores a, b;
                try (Pass p1 = pass(cuda, o); Pass p2 = pass(fine, o)) {
                    cuda.gatherNorm(x, p1, norm, 1e-6f, h1, H);
                    fine.gatherNorm(x, p2, norm, 1e-6f, h2, H);
                    assertArrayEquals(h2.read(0, p2.rows() * H), h1.read(0, p1.rows() * H), "gathered, normed rows " + dt);
                    cuda.score(p1, h1, head);
                    fine.score(p2, h2, head);
                    a = p2.results();
                    b = p1.results();
                    assertTrue(b == p1.results(), "results are copied back once and kept");
                }
                String what = dt + " " + o;
                assertClose(a.logprob, b.logprob, 1e-6, "log-probs " + what);
                if (o.entropy()) assertClose(a.entropy, b.entropy, 1e-6, "entropy " + what);
                for (int r = 0; o.topK() > 0 && r < a.topIds.length; r++) {
                    assertEquals(Math.min(o.topK(), vocab), b.topIds[r].length, "a vocabulary smaller than k keeps every token");
                    assertArrayEquals(a.topIds[r], b.topIds[r], "top-k ids row " + r + " " + what);
                    assertClose(a.topLogprobs[r], b.topLogprobs[r], 1e-6, "top-k log-probs row " + r + " " + what);
                }
            }
        }
    }

    @Test
    void aPassOfAnotherBackendIsRefusedByName() {
        Pass host = new Pass.Host(batch, new int[0], new int[0], ScoreOptions.LOGPROBS_ONLY);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cuda.embed(cuda.weight(tensor(new float[40], DType.F32, 10, 4)), host, cuda.allocate(batch.tokens() * 4L)));
        assertTrue(e.getMessage().contains("a pass made by another backend (Host)"), e.getMessage());
    }

    /** Every row but the last of each sequence scored, targets the next ids, as the engine makes them. */
    private Pass pass(Backend be, ScoreOptions o) {
        int n = batch.tokens() - batch.sequences();
        int[] rows = new int[n], targets = new int[n];
        int r = 0;
        for (int s = 0; s < batch.sequences(); s++) {
            for (int t = 1; t < batch.lengths[s]; t++, r++) {
                rows[r] = batch.starts[s] + t - 1;
                targets[r] = batch.ids[batch.starts[s] + t];
            }
        }
        return be.upload(batch, rows, targets, o);
    }

    /**
     * prepare packs q|k|v and gate|up on the device and frees the separate copies: the prepared layer's q, k, v, gate
     * and up are views into the packed memory whose GEMMs give the parts' numbers, and a use of a freed part is an
     * error that names the packed weight.
     */
    @Test
    void prepareReplacesTheSeparateCopiesByPackedOnes() {
        int hidden = 16, q = 24, kv = 8, inter = 20;
        float[][] values = {gaussian(q * hidden, 0.3), gaussian(kv * hidden, 0.3), gaussian(kv * hidden, 0.3),
                gaussian(inter * hidden, 0.3), gaussian(inter * hidden, 0.3)};
        int[] rowsOf = {q, kv, kv, inter, inter};
        String[] names = {"q", "k", "v", "gate", "up"};
        Weight[] w = new Weight[5];
        for (int i = 0; i < 5; i++) w[i] = cuda.weight(tensors.addValues("layers.0." + names[i] + "_proj.weight", DType.BF16, values[i], rowsOf[i], hidden));
        Weight norm = cuda.weight(tensors.addValues("layers.0.norm.weight", DType.BF16, gaussian(hidden, 1), hidden));
        dev.provtrace.engine.LayerWeights L = new dev.provtrace.engine.LayerWeights(norm, w[0], null, w[1], null, w[2], null,
                w[0], null, null, null, norm, w[3], null, w[4], null, w[3], null);
        float[][] before = new float[5][];
        Buffer x = buffer(gaussian(3 * hidden, 1));
        for (int i = 0; i < 5; i++) {
            Buffer out = cuda.allocate(3L * rowsOf[i]);
            cuda.matmul(x, w[i], null, out, 3);
            before[i] = out.read(0, 3 * rowsOf[i]);
        }
        Backend.PreparedLayer P = cuda.prepare(L);
        dev.provtrace.engine.LayerWeights views = P.weights();
        Weight[] parts = {views.q(), views.k(), views.v(), views.gate(), views.up()};
        for (int i = 0; i < 5; i++) {
            assertEquals(rowsOf[i], parts[i].rows(), names[i] + " view rows");
            Buffer out = cuda.allocate(3L * rowsOf[i]);
            cuda.matmul(x, parts[i], null, out, 3);
            assertArrayEquals(before[i], out.read(0, 3 * rowsOf[i]), names[i] + " through the packed weight");
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cuda.matmul(x, w[1], null, cuda.allocate(3L * kv), 3));
        assertTrue(e.getMessage().contains("layers.0.k_proj.weight") && e.getMessage().contains("was packed into")
                && e.getMessage().contains("layers.0.q_proj.weight | layers.0.k_proj.weight | layers.0.v_proj.weight"), e.getMessage());
    }

    private Buffer buffer(float[] values) {
        Buffer b = cuda.allocate(values.length);
        b.write(0, values);
        return b;
    }

    private float[] gaussian(int n, double sd) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) (rnd.nextGaussian() * sd);
        return out;
    }

    private static float[] all(Buffer b) { return b.read(0, (int) b.capacity()); }

    /** A tensor of these values in dtype (bf16: truncated, which both paths then read). */
    private static TensorView tensor(float[] values, DType dtype, long... shape) {
        return tensors.addValues(dtype, values, shape);
    }

    private static void assertClose(float[] want, float[] got, double tolerance, String what) {
        assertEquals(want.length, got.length, what);
        double scale = 0;
        for (float w : want) scale = Math.max(scale, Math.abs(w));
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(want[i] - got[i]) <= tolerance * Math.max(1, scale),
                    what + " [" + i + "]: default " + want[i] + ", fused " + got[i]);
        }
    }

    /** The backend's fine ops only; the coarse ops are the interface's defaults over them. */
    private static Backend fineOnly(CudaBackend b) {
        return new ForwardingBackend(b) {
            @Override public void close() {}   // the test closes b
        };
    }
}
