package dev.provtrace.engine.cuda;

import dev.provtrace.engine.Backend;
import dev.provtrace.engine.Backend.Buffer;
import dev.provtrace.engine.Backend.Weight;
import dev.provtrace.engine.PackedBatch;
import dev.provtrace.engine.RopeTable;
import dev.provtrace.engine.RowScores;
import dev.provtrace.engine.ScoreOptions;
import dev.provtrace.engine.cpu.CpuBackend;
import dev.provtrace.io.DType;
import dev.provtrace.io.MemoryCheckpoint;
import dev.provtrace.model.RopeScaling;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every op of the CUDA backend on the emulated device against the CPU backend (itself checked against Hugging Face)
 * on random and edge shapes: one row, odd lengths, GQA 1/4/7, sliding windows, sequences longer than one 32-key
 * tile, a vocabulary that is not a multiple of the LM-head chunk, bf16 weights widened in several slices, top-k
 * ties. Every device buffer carries guard regions that no op may touch. Shapes are small: the emulator runs every
 * GPU thread as a fiber.
 */
class CudaBackendOpsTest {
    private static final int GUARD = 16;
    private static MemoryCheckpoint tensors;
    private CpuBackend cpu;
    private CudaBackend cuda;
    private final Random rnd = new Random(42);

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

    /** A fresh pair of backends per test: 7-column LM-head chunks, bf16 widened 100 floats at a time, guards. */
    private void open() {
        cpu = new CpuBackend(1);
        try {
            cuda = new CudaBackend(new EmulatedCudaDevice(), new HostGemm(1, 100), 7, GUARD);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void close() {
        if (cuda != null) {
            assertTrue(cuda.guardsIntact(), "an op wrote into a guard region");
            cuda.close();
        }
        if (cpu != null) cpu.close();
    }

    private float[] gaussian(int n, double sd) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) (rnd.nextGaussian() * sd);
        return out;
    }

    /** A tensor of these values in dtype (bf16: the values truncated to bf16, which both backends then read). */
    private static dev.provtrace.io.TensorView tensor(float[] values, DType dtype, long... shape) {
        return tensors.addValues(dtype, values, shape);
    }

    /** The same values in a buffer of each backend. */
    private Buffer[] both(float[] values) {
        Buffer a = cpu.allocate(values.length), b = cuda.allocate(values.length);
        a.write(0, values);
        b.write(0, values);
        return new Buffer[] {a, b};
    }

    private static void assertClose(float[] want, float[] got, double tolerance, String what) {
        assertEquals(want.length, got.length, what);
        double scale = 0;
        for (float w : want) scale = Math.max(scale, Math.abs(w));
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(want[i] - got[i]) <= tolerance * Math.max(1, scale),
                    what + " [" + i + "]: cpu " + want[i] + ", cuda-emu " + got[i]);
        }
    }

    private static float[] all(Buffer b) { return b.read(0, (int) b.capacity()); }

    @Test
    void embedCopiesRowsOfBothDtypesExactly() {
        open();
        int vocab = 37, cols = 33;
        int[] ids = {36, 0, 5, 5, 17};
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            dev.provtrace.io.TensorView t = tensor(gaussian(vocab * cols, 1), dt, vocab, cols);
            Buffer a = cpu.allocate((long) ids.length * cols), b = cuda.allocate((long) ids.length * cols);
            cpu.embed(cpu.weight(t), ids, a);
            cuda.embed(cuda.weight(t), ids, b);
            assertArrayEquals(all(a), all(b), "embed " + dt);
        }
    }

    @Test
    void rmsnormOverHiddenRowsAndPerHeadInPlace() {
        open();
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            for (int[] shape : new int[][] {{1, 64}, {7, 33}, {12, 16}}) {   // {rows, dim}: one row, odd dim, q/k-norm heads
                int rows = shape[0], dim = shape[1];
                float[] x = gaussian(rows * dim, 3), w = gaussian(dim, 0.3);
                for (int i = 0; i < dim; i++) w[i] += 1;
                dev.provtrace.io.TensorView t = tensor(w, dt, dim);
                Buffer[] xs = both(x);
                Buffer a = cpu.allocate(x.length), b = cuda.allocate(x.length);
                cpu.rmsnorm(xs[0], cpu.weight(t), 1e-6f, a, rows, dim);
                cuda.rmsnorm(xs[1], cuda.weight(t), 1e-6f, b, rows, dim);
                assertClose(all(a), all(b), 2e-6, "rmsnorm " + dt + " " + rows + "x" + dim);
                cpu.rmsnorm(xs[0], cpu.weight(t), 1e-6f, xs[0], rows, dim);       // out = x
                cuda.rmsnorm(xs[1], cuda.weight(t), 1e-6f, xs[1], rows, dim);
                assertClose(all(xs[0]), all(xs[1]), 2e-6, "rmsnorm in place " + dt + " " + rows + "x" + dim);
            }
        }
    }

    @Test
    void matmulWithBiasInBothDtypesAcrossWideningSlices() {
        open();
        int n = 19, k = 33;   // 100-float widening slices: 3 rows of W per slice, 7 slices
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            dev.provtrace.io.TensorView w = tensor(gaussian(n * k, 0.5), dt, n, k), bias = tensor(gaussian(n, 1), dt, n);
            for (int rows : new int[] {1, 5}) {
                Buffer[] xs = both(gaussian(rows * k, 1));
                Buffer a = cpu.allocate((long) rows * n), b = cuda.allocate((long) rows * n);
                cpu.matmul(xs[0], cpu.weight(w), cpu.weight(bias), a, rows);
                cuda.matmul(xs[1], cuda.weight(w), cuda.weight(bias), b, rows);
                assertClose(all(a), all(b), 1e-6, "matmul " + dt + " rows=" + rows);
                cpu.matmul(xs[0], cpu.weight(w), null, a, rows);
                cuda.matmul(xs[1], cuda.weight(w), null, b, rows);
                assertClose(all(a), all(b), 1e-6, "matmul without bias " + dt + " rows=" + rows);
            }
        }
    }

    @Test
    void ropeOnQAndKRowsIncludingPositionsBeyondTheFirstUpload() {
        open();
        for (int hd : new int[] {16, 64}) {
            RopeTable table = new RopeTable(hd, 10000, RopeScaling.NONE, 64);
            int[] positions = {0, 1, 2, 0, 1, 4095, 4096, 9000};   // past 4096 the device table is re-uploaded, larger
            for (int heads : new int[] {1, 3}) {
                int rows = positions.length;
                Buffer[] xs = both(gaussian(rows * heads * hd, 1));
                cpu.rope(xs[0], rows, heads, hd, positions, table);
                cuda.rope(xs[1], rows, heads, hd, positions, table);
                assertClose(all(xs[0]), all(xs[1]), 1e-6, "rope hd=" + hd + " heads=" + heads);
            }
        }
    }

    @Test
    void attentionOverGqaRatiosWindowsAndSequencesLongerThanATile() {
        open();
        // {heads, kvHeads, headDim, window}: GQA 1, 4 and 7; no window, one narrower than a tile, one just wider
        int[][] cases = {{2, 2, 16, 0}, {4, 1, 32, 5}, {7, 1, 16, 33}, {4, 2, 64, 0}, {2, 1, 4, 0}};   // hd 4: the demo models
        List<int[]> seqs = new ArrayList<>();
        for (int len : new int[] {1, 40, 9}) seqs.add(new int[len]);   // one token; 40 > one 32-key tile
        PackedBatch batch = new PackedBatch(seqs);
        int tokens = batch.tokens();
        for (int[] c : cases) {
            int heads = c[0], kv = c[1], hd = c[2], window = c[3];
            float scale = (float) (1 / Math.sqrt(hd));
            Buffer[] q = both(gaussian(tokens * heads * hd, 1)), k = both(gaussian(tokens * kv * hd, 1)),
                    v = both(gaussian(tokens * kv * hd, 1));
            Buffer a = cpu.allocate((long) tokens * heads * hd), b = cuda.allocate((long) tokens * heads * hd);
            cpu.attention(q[0], k[0], v[0], a, batch, heads, kv, hd, scale, window);
            cuda.attention(q[1], k[1], v[1], b, batch, heads, kv, hd, scale, window);
            assertClose(all(a), all(b), 2e-6, "attention heads=" + heads + " kv=" + kv + " hd=" + hd + " window=" + window);
        }
    }

    @Test
    void gatherSwigluAndAddMatchElementByElement() {
        open();
        int width = 33;
        Buffer[] src = both(gaussian(6 * width, 1));
        int[] rows = {5, 0, 3};
        Buffer a = cpu.allocate(3L * width), b = cuda.allocate(3L * width);
        cpu.gatherRows(src[0], rows, width, a);
        cuda.gatherRows(src[1], rows, width, b);
        assertArrayEquals(all(a), all(b), "gatherRows");
        for (int n : new int[] {1, 257}) {
            float[] g = gaussian(n, 3);
            g[0] = -90;   // silu of a large negative gate is ≈ 0, not NaN
            Buffer[] gate = both(g), up = both(gaussian(n, 1));
            cpu.swiglu(gate[0], up[0], n);
            cuda.swiglu(gate[1], up[1], n);
            assertClose(all(gate[0]), all(gate[1]), 1e-6, "swiglu n=" + n);
            cpu.add(gate[0], up[0], n);
            cuda.add(gate[1], up[1], n);
            assertClose(all(gate[0]), all(gate[1]), 1e-6, "add n=" + n);
        }
    }

    @Test
    void nextTokenScoresOverChunksNotDividingTheVocabularyWithTopKTies() {
        open();
        int vocab = 50, dim = 24;   // 7-column chunks: 7 full and one of 1
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            float[] head = gaussian(vocab * dim, 0.4);
            System.arraycopy(head, 3 * dim, head, 40 * dim, dim);   // token 40 ties token 3 (in another chunk): 3 first
            System.arraycopy(head, 3 * dim, head, 4 * dim, dim);    // and token 4 (in the same chunk)
            dev.provtrace.io.TensorView w = tensor(head, dt, vocab, dim);
            for (int rows : new int[] {1, 6}) {
                Buffer[] h = both(gaussian(rows * dim, 2));
                int[] targets = new int[rows];
                for (int r = 0; r < rows; r++) targets[r] = (r * 17 + 49) % vocab;
                for (ScoreOptions o : new ScoreOptions[] {ScoreOptions.LOGPROBS_ONLY, new ScoreOptions(5, true)}) {
                    RowScores a = new RowScores(rows, o), b = new RowScores(rows, o);
                    cpu.nextTokenScores(h[0], rows, cpu.weight(w), targets, o, a);
                    cuda.nextTokenScores(h[1], rows, cuda.weight(w), targets, o, b);
                    String what = dt + " rows=" + rows + " " + o;
                    assertClose(a.logprob, b.logprob, 2e-6, "log-probs " + what);
                    if (o.entropy()) assertClose(a.entropy, b.entropy, 2e-6, "entropy " + what);
                    for (int r = 0; o.topK() > 0 && r < rows; r++) {
                        assertArrayEquals(a.topIds[r], b.topIds[r], "top-k ids, row " + r + " " + what);
                        assertClose(a.topLogprobs[r], b.topLogprobs[r], 2e-6, "top-k log-probs, row " + r + " " + what);
                    }
                }
            }
        }
        // a vocabulary smaller than k: as many alternatives as there are tokens
        dev.provtrace.io.TensorView small = tensor(gaussian(3 * dim, 1), DType.F32, 3, dim);
        Buffer[] h = both(gaussian(dim, 1));
        ScoreOptions o = new ScoreOptions(8, true);
        RowScores a = new RowScores(1, o), b = new RowScores(1, o);
        cpu.nextTokenScores(h[0], 1, cpu.weight(small), new int[] {2}, o, a);
        cuda.nextTokenScores(h[1], 1, cuda.weight(small), new int[] {2}, o, b);
        assertArrayEquals(a.topIds[0], b.topIds[0], "top-k over a 3-token vocabulary");
        assertClose(a.topLogprobs[0], b.topLogprobs[0], 2e-6, "top-k log-probs over a 3-token vocabulary");
    }
}
