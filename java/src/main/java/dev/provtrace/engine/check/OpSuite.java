package dev.provtrace.engine.check;

import dev.provtrace.engine.Backend;
import dev.provtrace.engine.Backend.Buffer;
import dev.provtrace.engine.Backend.PreparedLayer;
import dev.provtrace.engine.Backend.Weight;
import dev.provtrace.engine.LayerWeights;
import dev.provtrace.engine.PackedBatch;
import dev.provtrace.engine.Pass;
import dev.provtrace.engine.RopeTable;
import dev.provtrace.engine.RowScores;
import dev.provtrace.engine.ScoreOptions;
import dev.provtrace.io.DType;
import dev.provtrace.model.RopeScaling;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Every op of {@link Backend}, fine and coarse, on one backend against {@link ReferenceBackend}, in the manner of
 * llama.cpp's test-backend-ops: random inputs and edge shapes (one row, odd lengths, GQA ratios 1/4/7, sliding
 * windows narrower and wider than a tile, sequences longer than one 32-key attention tile, head_dim 4 to 256, a
 * vocabulary that is not a multiple of the LM-head chunk or smaller than k, exact top-k ties, bf16 weights, RoPE
 * with scaling, positions past the first tabulated ones), an NMSE tolerance per output and guard regions.
 * <p>
 * Tolerances: fp32 ops agree with the double-sum reference to an NMSE of about 1e-14 (rounding of fp32 sums); the
 * bound {@link #F32} leaves room for different summation orders (blocked GEMMs, online softmax) but not for a wrong
 * formula, which is off by 1e-4 or more; bf16 outputs (backends with bf16 buffers) within {@link #BF16}, bf16
 * attention outputs within {@link #BF16_ATTENTION} (tensor cores round its GEMMs' inputs). GEMMs over bf16 inputs
 * are held to the fp32 bound: both sides read the same bf16 values.
 * Copies (embed, gather) and the bf16 rounding must be bitwise equal.
 * Shapes are small: the emulated device runs every GPU thread as a fiber.
 */
public final class OpSuite {
    /** The largest NMSE of an fp32 output. */
    public static final double F32 = 1e-9;
    /**
     * The largest NMSE of a bf16 output: the backend's fp32 result and the reference's double one, each rounded to
     * bf16, differ by one bf16 step (2⁻⁸ relative) where they straddle a rounding boundary, which a few elements in
     * a hundred thousand do; a wrong formula or a misread dtype is off by far more.
     */
    public static final double BF16 = 1e-5;
    /**
     * The largest NMSE of attention with a bf16 output on a backend whose bf16 attention runs on tensor cores (the
     * CUDA backend's attention_mma). Both sides round q, k and v to bf16 (the reference does too for a bf16
     * output); what is left is the kernel's tile-by-tile sums, p entering P·V as two bf16, and the output's bf16
     * rounding. A wrong formula is off by 1e-2 or more.
     */
    public static final double BF16_ATTENTION = 1e-4;
    /**
     * The largest NMSE of an output that passed through a GEMM with a weight on a backend whose GEMMs round to fp16
     * ({@link Backend#fp16Gemms}): fp16 keeps 11 significant bits of each input, so a product is off by up to
     * 2⁻¹⁰ relative, and the fp16 partial sums add about as much; on random inputs native/cpu's test measures
     * an NMSE of 2e-6 to 3e-6.
     */
    public static final double FP16_GEMM = 2e-5;
    /** The LM-head chunk and widening slice the op tests open backends with (small shapes cross them). */
    public static final int VOCAB_CHUNK = 7, WIDEN_SLICE = 100;

    private static final DType[] DTYPES = {DType.F32, DType.BF16};
    /** A group of cases and the ops whose results it reports (a coarse op's cases also check what it is built on). */
    private record Group(Consumer<OpHarness> cases, String... reports) {}

    private static final List<Group> GROUPS = List.of(
            new Group(OpSuite::embed, "embed"),
            new Group(OpSuite::rmsnorm, "rmsnorm"),
            new Group(OpSuite::matmul, "matmul"),
            new Group(OpSuite::rope, "rope"),
            new Group(OpSuite::attention, "attention"),
            new Group(OpSuite::attentionCached, "attention"),
            new Group(OpSuite::gatherRows, "gather_rows"),
            new Group(OpSuite::copy, "copy"),
            new Group(OpSuite::swiglu, "swiglu"),
            new Group(OpSuite::add, "add"),
            new Group(OpSuite::roundBf16, "round_bf16"),
            new Group(OpSuite::nextTokenScores, "next_token_scores"),
            new Group(OpSuite::addRmsnorm, "add_rmsnorm"),
            new Group(OpSuite::qkvAndGateUp, "qkv", "gate_up_swiglu"),
            new Group(OpSuite::qkNormRope, "qk_norm_rope"),
            new Group(OpSuite::matmulAccumulate, "matmul_accumulate"),
            new Group(OpSuite::passOps, "embed", "attention", "gather_norm", "score"));

    private OpSuite() {}

    /** The op names results carry and {@code test-ops --op} takes. */
    public static List<String> ops() {
        Set<String> names = new LinkedHashSet<>();
        for (Group g : GROUPS) names.addAll(List.of(g.reports()));
        return List.copyOf(names);
    }

    /**
     * Runs the cases of every op {@code include} accepts on {@code tested} and returns the results of those ops; an op
     * that throws is one failed result, the rest go on.
     */
    public static List<OpResult> run(Backend tested, Predicate<String> include, long seed) {
        List<OpResult> all = new ArrayList<>();
        for (Group g : GROUPS) {
            if (Stream.of(g.reports()).noneMatch(include)) continue;
            try (OpHarness h = new OpHarness(tested, seed)) {
                try {
                    g.cases().accept(h);
                } catch (RuntimeException e) {
                    String op = Stream.of(g.reports()).filter(include).findFirst().orElseThrow();   // kept by the filter below
                    h.fail(op, "", "", "threw " + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
                for (OpResult r : h.results()) if (include.test(r.op())) all.add(r);
            }
        }
        return all;
    }

    // ---------------------------------------------------------------- fine ops

    static void embed(OpHarness h) {
        int vocab = 37, cols = 33;
        for (int[] ids : new int[][] {{36, 0, 5, 5, 17}, {3}}) {
            for (DType dt : DTYPES) {
                Weight[] t = h.weight(h.gaussian(vocab * cols, 1), dt, vocab, cols);
                Buffer[] out = h.output(ids.length * cols);
                h.tested.embed(t[0], ids, out[0]);
                h.ref.embed(t[1], ids, out[1]);
                h.compare("embed", "ids=" + ids.length + " cols=" + cols + " table=" + dt, "out", out, ids.length * cols, 0);
            }
        }
    }

    static void rmsnorm(OpHarness h) {
        for (DType dt : DTYPES) {
            for (int[] s : new int[][] {{1, 64}, {7, 33}, {12, 16}, {3, 1000}}) {   // one row, odd dim, q/k-norm heads, wide
                int rows = s[0], dim = s[1], n = rows * dim;
                float[] x = h.gaussian(n, 3);
                Weight[] w = h.weight(h.normWeight(dim), dt, dim);
                Buffer[] in = h.input(x), out = h.output(n);
                String shape = "rows=" + rows + " dim=" + dim + " weight=" + dt;
                h.tested.rmsnorm(in[0], w[0], 1e-6f, out[0], rows, dim);
                h.ref.rmsnorm(in[1], w[1], 1e-6f, out[1], rows, dim);
                h.compare("rmsnorm", shape, "out", out, n, F32);
                if (h.tested.nativeBf16()) {   // the norm before a bf16 GEMM
                    Buffer[] narrow = h.output(DType.BF16, n);
                    h.tested.rmsnorm(in[0], w[0], 1e-6f, narrow[0], rows, dim);
                    h.ref.rmsnorm(in[1], w[1], 1e-6f, narrow[1], rows, dim);
                    h.compare("rmsnorm", shape + " out=BF16", "out", narrow, n, BF16);
                }
                h.tested.rmsnorm(in[0], w[0], 1e-6f, in[0], rows, dim);
                h.ref.rmsnorm(in[1], w[1], 1e-6f, in[1], rows, dim);
                h.compare("rmsnorm", shape + " in-place", "x", in, n, F32);
            }
        }
    }

    static void matmul(OpHarness h) {
        // {rows, N, K}: one row; N·K not a multiple of the widening slice; a single output column; K = 1
        for (DType dt : DTYPES) {
            for (int[] s : new int[][] {{1, 19, 33}, {5, 19, 33}, {17, 64, 48}, {3, 1, 40}, {4, 9, 1}}) {
              for (DType xt : h.activationTypes()) {
                int rows = s[0], n = s[1], k = s[2];
                Weight[] w = h.weight(h.gaussian(n * k, 0.5), dt, n, k), b = h.weight(h.gaussian(n, 1), dt, n);
                Buffer[] x = h.input(xt, h.gaussian(rows * k, 1));
                String shape = "rows=" + rows + " N=" + n + " K=" + k + " weight=" + dt + (xt == DType.F32 ? "" : " x=" + xt);
                Buffer[] out = h.output(rows * n);
                h.tested.matmul(x[0], w[0], b[0], out[0], rows);
                h.ref.matmul(x[1], w[1], b[1], out[1], rows);
                h.compare("matmul", shape + " bias", "out", out, rows * n, h.gemm());
                out = h.output(rows * n);
                h.tested.matmul(x[0], w[0], null, out[0], rows);
                h.ref.matmul(x[1], w[1], null, out[1], rows);
                h.compare("matmul", shape, "out", out, rows * n, h.gemm());
              }
            }
        }
    }

    static void rope(OpHarness h) {
        RopeScaling linear = new RopeScaling(RopeScaling.Type.LINEAR, 4, 0, 0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, true);
        RopeScaling yarn = new RopeScaling(RopeScaling.Type.YARN, 4, 0, 0, 32, 32, 1, Double.NaN, Double.NaN, Double.NaN, true);
        for (int hd : new int[] {4, 16, 64, 128}) {
            for (RopeScaling scaling : new RopeScaling[] {RopeScaling.NONE, linear, yarn}) {
                RopeTable table = new RopeTable(hd, 10000, scaling, 64);
                int[] positions = {0, 1, 2, 0, 1, 63, 64, 9000};   // past 64 the table was grown after it was made
                table.ensure(9001);
                for (int heads : new int[] {1, 3}) {
                    int rows = positions.length, n = rows * heads * hd;
                    Buffer[] x = h.input(h.gaussian(n, 1));
                    h.tested.rope(x[0], rows, heads, hd, positions, table);
                    h.ref.rope(x[1], rows, heads, hd, positions, table);
                    h.compare("rope", "rows=" + rows + " heads=" + heads + " head_dim=" + hd + " scaling=" + scaling.type(), "x", x, n, F32);
                }
            }
        }
    }

    /** {heads, kvHeads, headDim, window}: GQA 1, 4 and 7; windows of 1, narrower than a tile and just wider. */
    private static final int[][] ATTENTION = {{2, 2, 16, 0}, {4, 1, 32, 5}, {7, 1, 16, 33}, {4, 2, 64, 0},
            {2, 1, 4, 0}, {2, 2, 8, 1}, {1, 1, 96, 0}, {2, 1, 128, 17}, {1, 1, 256, 0}};

    static void attention(OpHarness h) {
        PackedBatch batch = batch(1, 40, 9);   // one token; 40 > one 32-key tile; an odd length
        int tokens = batch.tokens();
        for (int[] c : ATTENTION) {
            int heads = c[0], kv = c[1], hd = c[2], window = c[3];
            float scale = (float) (1 / Math.sqrt(hd));
            Buffer[] q = h.input(h.gaussian(tokens * heads * hd, 1)), k = h.input(h.gaussian(tokens * kv * hd, 1)),
                    v = h.input(h.gaussian(tokens * kv * hd, 1));
            String shape = "seqs=1,40,9 heads=" + heads + " kv_heads=" + kv + " head_dim=" + hd + " window=" + window;
            attentionInto(h, DType.F32, q, k, v, batch, heads, kv, hd, scale, window, shape);
            // the output feeding a bf16 o-projection (tensor cores at head sizes that are multiples of 16)
            if (h.tested.nativeBf16()) attentionInto(h, DType.BF16, q, k, v, batch, heads, kv, hd, scale, window, shape);
        }
        // more than one 64-query block and 64-key tile (the tensor-core kernels', the CPU's fused key blocks)
        PackedBatch longer = batch(130, 3);
        int heads = 4, kv = 2, hd = 64, n = longer.tokens() * heads * hd;
        for (int window : new int[] {0, 70}) {
            Buffer[] q = h.input(h.gaussian(n, 1)), k = h.input(h.gaussian(n / 2, 1)), v = h.input(h.gaussian(n / 2, 1));
            String shape = "seqs=130,3 heads=4 kv_heads=2 head_dim=64 window=" + window;
            attentionInto(h, DType.F32, q, k, v, longer, heads, kv, hd, 0.125f, window, shape);
            if (h.tested.nativeBf16()) attentionInto(h, DType.BF16, q, k, v, longer, heads, kv, hd, 0.125f, window, shape);
        }
    }

    /** Attention of both backends into a fresh output of {@code dtype}, compared at that dtype's tolerance. */
    private static void attentionInto(OpHarness h, DType dtype, Buffer[] q, Buffer[] k, Buffer[] v, PackedBatch batch, int heads,
                                      int kv, int hd, float scale, int window, String shape) {
        int n = batch.tokens() * heads * hd;
        Buffer[] out = dtype == DType.F32 ? h.output(n) : h.output(dtype, n);
        h.tested.attention(q[0], k[0], v[0], out[0], batch, heads, kv, hd, scale, window);
        h.ref.attention(q[1], k[1], v[1], out[1], batch, heads, kv, hd, scale, window);
        h.compare("attention", dtype == DType.F32 ? shape : shape + " out=BF16", "out", out, n, dtype == DType.F32 ? F32 : BF16_ATTENTION);
    }

    /**
     * Chunked prefill: sequences whose first keys came in earlier passes (cu_seqlens_k ≠ cu_seqlens_q, causality
     * aligned bottom-right): a chunk of one token and of several tiles, cached prefixes on and off tile edges, a
     * window narrower than the cache and one reaching into it.
     */
    static void attentionCached(OpHarness h) {
        List<int[]> seqs = List.of(new int[1], new int[40], new int[9]);
        PackedBatch batch = new PackedBatch(seqs, new int[] {45, 32, 0});
        int tokens = batch.tokens(), keys = batch.keyRows();
        for (int[] c : new int[][] {{4, 1, 32, 0}, {4, 2, 64, 7}, {2, 2, 16, 50}}) {
            int heads = c[0], kv = c[1], hd = c[2], window = c[3];
            float scale = (float) (1 / Math.sqrt(hd));
            Buffer[] q = h.input(h.gaussian(tokens * heads * hd, 1)), k = h.input(h.gaussian(keys * kv * hd, 1)),
                    v = h.input(h.gaussian(keys * kv * hd, 1));
            String shape = "seqs=1,40,9 cached=45,32,0 heads=" + heads + " kv_heads=" + kv + " head_dim=" + hd + " window=" + window;
            attentionInto(h, DType.F32, q, k, v, batch, heads, kv, hd, scale, window, shape);
            if (h.tested.nativeBf16()) attentionInto(h, DType.BF16, q, k, v, batch, heads, kv, hd, scale, window, shape);
        }
    }

    /** A pass's keys appended to kept ones at an offset (and a whole buffer at 0); the rest of dst untouched. */
    static void copy(OpHarness h) {
        Buffer[] src = h.input(h.gaussian(70, 1));
        for (int[] c : new int[][] {{70, 0}, {33, 101}, {1, 169}}) {
            int n = c[0], offset = c[1];
            Buffer[] dst = h.input(h.gaussian(170, 1));
            h.tested.copy(src[0], dst[0], offset, n);
            h.ref.copy(src[1], dst[1], offset, n);
            h.compare("copy", "n=" + n + " at=" + offset + " of 170", "dst", dst, 170, 0);
        }
    }

    static void gatherRows(OpHarness h) {
        int width = 33;
        Buffer[] src = h.input(h.gaussian(6 * width, 1));
        for (int[] rows : new int[][] {{5, 0, 3}, {2}}) {
            Buffer[] dst = h.output(rows.length * width);
            h.tested.gatherRows(src[0], rows, width, dst[0]);
            h.ref.gatherRows(src[1], rows, width, dst[1]);
            h.compare("gather_rows", "rows=" + rows.length + " of 6 width=" + width, "dst", dst, rows.length * width, 0);
        }
    }

    static void swiglu(OpHarness h) {
        for (int n : new int[] {1, 257, 4099}) {
            float[] g = h.gaussian(n, 3);
            if (n > 1) g[0] = -90;   // silu of a large negative gate is ≈ 0 (about 1e-37: relative error is meaningless there), not NaN
            Buffer[] gate = h.input(g), up = h.input(h.gaussian(n, 1));
            h.tested.swiglu(gate[0], up[0], n);
            h.ref.swiglu(gate[1], up[1], n);
            h.compare("swiglu", "n=" + n, "gate", gate, n, F32);
        }
    }

    static void add(OpHarness h) {
        for (int n : new int[] {1, 257, 4099}) {
            Buffer[] x = h.input(h.gaussian(n, 1)), y = h.input(h.gaussian(n, 1));
            h.tested.add(x[0], y[0], n);
            h.ref.add(x[1], y[1], n);
            h.compare("add", "n=" + n, "x", x, n, F32);
        }
    }

    /** Halfway cases round to even, large values round up to infinity, NaN and subnormals survive. */
    static void roundBf16(OpHarness h) {
        float[] edge = {1.00390625f, 1.01171875f, -1.00390625f, 3.3895314e38f, Float.MIN_VALUE, 1e-40f, 0f, -0f,
                Float.POSITIVE_INFINITY, 1.0000001f};
        for (int n : new int[] {1031, 9001}) {   // a vector tail; several slices (the CPU splits them over threads)
            float[] x = h.gaussian(n, 10);
            System.arraycopy(edge, 0, x, 0, edge.length);
            System.arraycopy(edge, 0, x, n - edge.length, edge.length);
            Buffer[] b = h.input(x);
            h.tested.roundToBf16(b[0], x.length);
            h.ref.roundToBf16(b[1], x.length);
            h.compare("round_bf16", "n=" + x.length + " with ties and extremes", "x", b, x.length, 0);
        }
    }

    static void nextTokenScores(OpHarness h) {
        int dim = 24;
        for (DType dt : DTYPES) {
            for (int vocab : new int[] {50, 3}) {   // 7-token chunks: 7 full and one of 1; smaller than k
                float[] head = h.gaussian(vocab * dim, 0.4);
                if (vocab > 40) {
                    System.arraycopy(head, 3 * dim, head, 40 * dim, dim);   // token 40 ties token 3 in another chunk
                    System.arraycopy(head, 3 * dim, head, 4 * dim, dim);    // and token 4 in the same one
                }
                Weight[] w = h.weight(head, dt, vocab, dim);
                for (int rows : new int[] {1, 6}) {
                    Buffer[] hidden = h.input(h.gaussian(rows * dim, 2));
                    int[] targets = new int[rows];
                    for (int r = 0; r < rows; r++) targets[r] = (r * 17 + 49) % vocab;
                    if (rows > 1) targets[rows - 1] = 4 % vocab;   // tied with tokens 3 and 40: all three share a rank
                    for (ScoreOptions o : new ScoreOptions[] {ScoreOptions.LOGPROBS_ONLY, new ScoreOptions(5, true),
                            new ScoreOptions(0, false, true)}) {
                        RowScores got = new RowScores(rows, o), want = new RowScores(rows, o);
                        h.tested.nextTokenScores(hidden[0], rows, w[0], targets, o, got);
                        h.ref.nextTokenScores(hidden[1], rows, w[1], targets, o, want);
                        compareScores(h, "next_token_scores", "rows=" + rows + " vocab=" + vocab + " dim=" + dim + " head=" + dt
                                + " top_k=" + o.topK() + " entropy=" + o.entropy() + " rank=" + o.rank(), got, want, rows, o);
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- coarse ops

    static void addRmsnorm(OpHarness h) {
        for (DType dt : DTYPES) {
            for (int[] s : new int[][] {{1, 64}, {9, 48}}) {
                int rows = s[0], dim = s[1], n = rows * dim;
                Weight[] w = h.weight(h.normWeight(dim), dt, dim);
                Buffer[] x = h.input(h.gaussian(n, 2)), y = h.input(h.gaussian(n, 1)), out = h.output(n);
                String shape = "rows=" + rows + " dim=" + dim + " weight=" + dt;
                h.tested.addRmsnorm(x[0], y[0], w[0], 1e-5f, out[0], rows, dim);
                h.ref.addRmsnorm(x[1], y[1], w[1], 1e-5f, out[1], rows, dim);
                h.compare("add_rmsnorm", shape, "x (residual)", x, n, F32);
                h.compare("add_rmsnorm", shape, "out", out, n, F32);
                if (h.tested.nativeBf16()) {
                    Buffer[] x2 = h.input(h.gaussian(n, 2)), narrow = h.output(DType.BF16, n);
                    h.tested.addRmsnorm(x2[0], y[0], w[0], 1e-5f, narrow[0], rows, dim);
                    h.ref.addRmsnorm(x2[1], y[1], w[1], 1e-5f, narrow[1], rows, dim);
                    h.compare("add_rmsnorm", shape + " out=BF16", "x (residual)", x2, n, F32);
                    h.compare("add_rmsnorm", shape + " out=BF16", "out", narrow, n, BF16);
                }
            }
        }
    }

    /** A small decoder layer's weights on both sides: hidden 48, 4 heads and 2 kv heads of 16, intermediate 40. */
    private record Layer(LayerWeights tested, LayerWeights ref, int hidden, int q, int kv, int inter) {}

    private static Layer layer(OpHarness h, DType dt, boolean biases) {
        int hidden = 48, q = 64, kv = 32, inter = 40;
        Weight[] qw = h.weight(h.gaussian(q * hidden, 0.2), dt, q, hidden), kw = h.weight(h.gaussian(kv * hidden, 0.2), dt, kv, hidden),
                vw = h.weight(h.gaussian(kv * hidden, 0.2), dt, kv, hidden), ow = h.weight(h.gaussian(hidden * q, 0.2), dt, hidden, q),
                gw = h.weight(h.gaussian(inter * hidden, 0.2), dt, inter, hidden), uw = h.weight(h.gaussian(inter * hidden, 0.2), dt, inter, hidden),
                dw = h.weight(h.gaussian(hidden * inter, 0.2), dt, hidden, inter), norm = h.weight(h.normWeight(hidden), dt, hidden),
                qn = h.weight(h.normWeight(16), dt, 16), kn = h.weight(h.normWeight(16), dt, 16);
        Weight[] qb = biases ? h.weight(h.gaussian(q, 1), dt, q) : new Weight[2], kb = biases ? h.weight(h.gaussian(kv, 1), dt, kv) : new Weight[2],
                vb = biases ? h.weight(h.gaussian(kv, 1), dt, kv) : new Weight[2], gb = biases ? h.weight(h.gaussian(inter, 1), dt, inter) : new Weight[2],
                ub = biases ? h.weight(h.gaussian(inter, 1), dt, inter) : new Weight[2], db = biases ? h.weight(h.gaussian(hidden, 1), dt, hidden) : new Weight[2];
        LayerWeights[] sides = new LayerWeights[2];
        for (int s = 0; s < 2; s++) {
            sides[s] = new LayerWeights(norm[s], qw[s], qb[s], kw[s], kb[s], vw[s], vb[s], ow[s], null, qn[s], kn[s], norm[s],
                    gw[s], gb[s], uw[s], ub[s], dw[s], db[s]);
        }
        return new Layer(sides[0], sides[1], hidden, q, kv, inter);
    }

    /** qkv and gate-up + SwiGLU over the layer as the backend prepared it (packed weights on a GPU). */
    static void qkvAndGateUp(OpHarness h) {
        for (DType dt : DTYPES) {
            for (boolean biases : new boolean[] {false, true}) {
                Layer L = layer(h, dt, biases);
                PreparedLayer pt = h.tested.prepare(L.tested()), pr = h.ref.prepare(L.ref());
                for (int rows : new int[] {1, 11}) {
                    for (DType xt : h.activationTypes()) {   // bf16: h as the bf16 pass has it, act out in bf16
                        String shape = "rows=" + rows + " hidden=48 q=64 kv=32 weights=" + dt + (biases ? " biases" : "")
                                + (xt == DType.F32 ? "" : " x=" + xt);
                        Buffer[] x = h.input(xt, h.gaussian(rows * L.hidden(), 1));
                        Buffer[] q = h.output(rows * L.q()), k = h.output(rows * L.kv()), v = h.output(rows * L.kv());
                        Buffer[] scratch = h.output(rows * Math.max(2 * L.inter(), L.q() + 2 * L.kv()));
                        h.tested.qkv(pt, x[0], rows, q[0], k[0], v[0], scratch[0]);
                        h.ref.qkv(pr, x[1], rows, q[1], k[1], v[1], scratch[1]);
                        h.compare("qkv", shape, "q", q, rows * L.q(), h.gemm());
                        h.compare("qkv", shape, "k", k, rows * L.kv(), h.gemm());
                        h.compare("qkv", shape, "v", v, rows * L.kv(), h.gemm());
                        Buffer[] act = h.output(xt, rows * L.inter());
                        h.tested.gateUpSwiglu(pt, x[0], rows, act[0], scratch[0]);
                        h.ref.gateUpSwiglu(pr, x[1], rows, act[1], scratch[1]);
                        h.compare("gate_up_swiglu", shape.replace("q=64 kv=32", "intermediate=40"), "out", act, rows * L.inter(),
                                xt == DType.F32 ? h.gemm() : BF16);
                    }
                }
            }
        }
    }

    static void qkNormRope(OpHarness h) {
        PackedBatch batch = batch(1, 13, 6);
        int rows = batch.tokens(), heads = 4, kv = 2, hd = 16;
        RopeTable table = new RopeTable(hd, 1e6, RopeScaling.NONE, 64);
        for (DType dt : DTYPES) {
            for (boolean norms : new boolean[] {false, true}) {   // Llama-style, Qwen3-style
                Weight[] qn = norms ? h.weight(h.normWeight(hd), dt, hd) : new Weight[2], kn = norms ? h.weight(h.normWeight(hd), dt, hd) : new Weight[2];
                Buffer[] q = h.input(h.gaussian(rows * heads * hd, 1)), k = h.input(h.gaussian(rows * kv * hd, 1));
                try (Pass pt = h.tested.upload(batch, new int[0], new int[0], ScoreOptions.LOGPROBS_ONLY);
                     Pass pr = h.ref.upload(batch, new int[0], new int[0], ScoreOptions.LOGPROBS_ONLY)) {
                    h.tested.qkNormRope(q[0], k[0], qn[0], kn[0], 1e-6f, rows, heads, kv, hd, pt, table);
                    h.ref.qkNormRope(q[1], k[1], qn[1], kn[1], 1e-6f, rows, heads, kv, hd, pr, table);
                }
                String shape = "seqs=1,13,6 heads=4 kv_heads=2 head_dim=16" + (norms ? " q/k-norm=" + dt : "");
                h.compare("qk_norm_rope", shape, "q", q, rows * heads * hd, F32);
                h.compare("qk_norm_rope", shape, "k", k, rows * kv * hd, F32);
            }
        }
    }

    static void matmulAccumulate(OpHarness h) {
        for (DType dt : DTYPES) {
            for (boolean bias : new boolean[] {false, true}) {
                for (DType xt : h.activationTypes()) {
                    int rows = 7, n = 48, k = 40;
                    Weight[] w = h.weight(h.gaussian(n * k, 0.3), dt, n, k), b = bias ? h.weight(h.gaussian(n, 1), dt, n) : new Weight[2];
                    Buffer[] x = h.input(xt, h.gaussian(rows * k, 1)), residual = h.input(h.gaussian(rows * n, 2)), scratch = h.output(rows * n);
                    h.tested.matmulAccumulate(x[0], w[0], b[0], residual[0], rows, scratch[0]);
                    h.ref.matmulAccumulate(x[1], w[1], b[1], residual[1], rows, scratch[1]);
                    h.compare("matmul_accumulate", "rows=7 N=48 K=40 weight=" + dt + (bias ? " bias" : "") + (xt == DType.F32 ? "" : " x=" + xt),
                            "residual", residual, rows * n, h.gemm());
                }
            }
        }
    }

    /** The pass-level ops: embed over the uploaded ids, attention over its cu_seqlens, gather + norm, score. */
    static void passOps(OpHarness h) {
        int vocab = 50, dim = 24, heads = 3, hd = 8;
        PackedBatch batch = batch(1, 37, 8);
        int tokens = batch.tokens();
        for (int t = 0; t < tokens; t++) batch.ids[t] = (t * 31 + 7) % vocab;
        List<Integer> rows = new ArrayList<>();
        for (int s = 0; s < batch.sequences(); s++) {
            for (int i = 0; i + 1 < batch.lengths[s]; i++) if (i % 3 != 1) rows.add(batch.starts[s] + i);   // a subset
        }
        int[] scoreRows = rows.stream().mapToInt(Integer::intValue).toArray(), targets = new int[scoreRows.length];
        for (int i = 0; i < scoreRows.length; i++) targets[i] = batch.ids[scoreRows[i] + 1];
        for (DType dt : DTYPES) {
            Weight[] table = h.weight(h.gaussian(vocab * dim, 1), dt, vocab, dim), norm = h.weight(h.normWeight(dim), dt, dim),
                    head = h.weight(h.gaussian(vocab * dim, 0.4), dt, vocab, dim);
            for (ScoreOptions o : new ScoreOptions[] {ScoreOptions.LOGPROBS_ONLY, new ScoreOptions(3, true, true)}) {
                for (DType ht : h.activationTypes()) {   // the normed rows of a bf16 pass are bf16
                    String shape = "seqs=1,37,8 rows=" + scoreRows.length + " vocab=50 dim=24 weights=" + dt + " top_k=" + o.topK()
                            + " rank=" + o.rank()
                            + (ht == DType.F32 ? "" : " hidden=" + ht);
                    try (Pass pt = h.tested.upload(batch, scoreRows, targets, o); Pass pr = h.ref.upload(batch, scoreRows, targets, o)) {
                        Buffer[] x = h.output(tokens * dim);
                        h.tested.embed(table[0], pt, x[0]);
                        h.ref.embed(table[1], pr, x[1]);
                        h.compare("embed", shape + " (pass)", "x", x, tokens * dim, 0);
                        Buffer[] att = h.output(tokens * dim);   // x as q, k and v of 3 heads of 8
                        h.tested.attention(x[0], x[0], x[0], att[0], pt, heads, heads, hd, 0.3f, 0);
                        h.ref.attention(x[1], x[1], x[1], att[1], pr, heads, heads, hd, 0.3f, 0);
                        h.compare("attention", shape + " (pass)", "out", att, tokens * dim, F32);
                        Buffer[] normed = h.output(ht, scoreRows.length * dim);
                        h.tested.gatherNorm(att[0], pt, norm[0], 1e-6f, normed[0], dim);
                        h.ref.gatherNorm(att[1], pr, norm[1], 1e-6f, normed[1], dim);
                        h.compare("gather_norm", shape, "out", normed, scoreRows.length * dim, ht == DType.F32 ? F32 : BF16);
                        h.tested.score(pt, normed[0], head[0]);
                        h.ref.score(pr, normed[1], head[1]);
                        compareScores(h, "score", shape, pt.results(), pr.results(), scoreRows.length, o);
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static PackedBatch batch(int... lengths) {
        List<int[]> seqs = new ArrayList<>();
        for (int len : lengths) seqs.add(new int[len]);
        return new PackedBatch(seqs);
    }

    /**
     * Log-probs and entropy within {@link OpHarness#gemm}; top-k log-probs too, and the ids exactly, except that two
     * alternatives whose reference log-probs differ by less than 1e-5 (a near tie that summation order may flip; 1e-2
     * where the GEMMs round to fp16) may swap. Exact
     * ties must come lower id first. Ranks exactly (the shapes have no near ties with a target; exact ties share a rank).
     */
    private static void compareScores(OpHarness h, String op, String shape, RowScores got, RowScores want, int rows, ScoreOptions o) {
        h.compare(op, shape, "logprob", got.logprob, want.logprob, h.gemm());
        if (o.entropy()) h.compare(op, shape, "entropy", got.entropy, want.entropy, h.gemm());
        if (o.rank()) {
            for (int r = 0; r < rows; r++) {
                if (got.rank[r] != want.rank[r]) {
                    h.fail(op, shape, "rank", "row " + r + ": rank " + got.rank[r] + ", the reference " + want.rank[r]);
                    return;
                }
            }
        }
        if (o.topK() == 0) return;
        List<Float> gl = new ArrayList<>(), wl = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            int[] gi = got.topIds[r], wi = want.topIds[r];
            if (gi.length != wi.length) {
                h.fail(op, shape, "top-k ids", "row " + r + ": " + gi.length + " alternatives, the reference has " + wi.length);
                return;
            }
            for (int i = 0; i < wi.length; i++) {
                if (gi[i] != wi[i] && !nearTie(want, r, i, gi[i], h.tested.fp16Gemms() ? FP16_NEAR_TIE : F32_NEAR_TIE)) {
                    h.fail(op, shape, "top-k ids", "row " + r + " rank " + i + ": id " + gi[i] + ", the reference " + wi[i]);
                    return;
                }
                gl.add(got.topLogprobs[r][i]);
                wl.add(want.topLogprobs[r][i]);
            }
        }
        float[] g = new float[gl.size()], w = new float[wl.size()];
        for (int i = 0; i < g.length; i++) { g[i] = gl.get(i); w[i] = wl.get(i); }
        h.compare(op, shape, "top-k log-probs", g, w, h.gemm());
    }

    /** Log-prob gaps below which two alternatives may swap: fp32 summation order, or fp16's rounding of the GEMM. */
    private static final double F32_NEAR_TIE = 1e-5, FP16_NEAR_TIE = 1e-2;

    private static boolean nearTie(RowScores want, int r, int i, int id, double gap) {
        for (int j = 0; j < want.topIds[r].length; j++) {
            if (want.topIds[r][j] == id) {
                float a = want.topLogprobs[r][i], b = want.topLogprobs[r][j];
                return a != b && Math.abs(a - b) < gap;
            }
        }
        return false;
    }
}
