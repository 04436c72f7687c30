package dev.provtrace.engine.check;

import dev.provtrace.engine.Backend;
import dev.provtrace.engine.Backends;
import dev.provtrace.engine.EngineOptions;
import dev.provtrace.engine.ForwardingBackend;
import dev.provtrace.engine.TestDevices;
import dev.provtrace.engine.PackedBatch;
import dev.provtrace.engine.Precision;
import dev.provtrace.engine.RowScores;
import dev.provtrace.engine.ScoreOptions;
import dev.provtrace.engine.cpu.CpuBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The op suite over every backend of this build against the reference, and the suite itself: it must fail a
 * backend with a planted bug in the op that has it (and only there), catch a write past a buffer's end, and go on
 * after an op that throws.
 */
class OpSuiteTest {

    /** Every device of {@link TestDevices#inThisBuild()} but the reference itself. */
    static List<String> devices() {
        return TestDevices.inThisBuild().stream().filter(d -> !d.equals("reference")).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("devices")
    void everyOpOfEveryBackendMatchesTheReference(String device) throws Exception {
        EngineOptions o = new EngineOptions(2, 4096, false).withDevice(device);
        try (Backend be = Backends.provider(device).openForOpTests(o, OpSuite.VOCAB_CHUNK, OpSuite.WIDEN_SLICE)) {
            List<OpResult> results = OpSuite.run(be, op -> true, 42);
            List<OpResult> failed = results.stream().filter(r -> !r.passed()).toList();
            assertTrue(failed.isEmpty(), device + ": " + failed);
            Set<String> ran = results.stream().map(OpResult::op).collect(Collectors.toCollection(TreeSet::new));
            for (String op : List.of("embed", "rmsnorm", "matmul", "rope", "attention", "gather_rows", "swiglu", "add",
                    "round_bf16", "next_token_scores", "add_rmsnorm", "qkv", "gate_up_swiglu", "qk_norm_rope",
                    "matmul_accumulate", "gather_norm", "score")) {
                assertTrue(ran.contains(op), device + " ran no " + op + " case: " + ran);
            }
            assertTrue(results.size() > 150, "cases: " + results.size());
        }
    }

    /** The batch-invariant GEMM kernel (kernels/gemm.cu) through every op that runs GEMMs, fp32 and bf16 inputs. */
    @Test
    void theBatchInvariantGemmKernelMatchesTheReference() throws Exception {
        assumeTrue(dev.provtrace.engine.TestDevices.runsOn("cuda-emu"), "no emulated device in this build");
        EngineOptions o = new EngineOptions(2, 4096, false).withDevice("cuda-emu").withBatchInvariant(true);
        try (Backend be = Backends.provider("cuda-emu").openForOpTests(o, OpSuite.VOCAB_CHUNK, OpSuite.WIDEN_SLICE)) {
            assertTrue(be.name().contains("batch-invariant"), be.name());
            List<String> gemmOps = List.of("matmul", "qkv", "gate_up_swiglu", "matmul_accumulate", "next_token_scores", "score");
            List<OpResult> results = OpSuite.run(be, gemmOps::contains, 42);
            List<OpResult> failed = results.stream().filter(r -> !r.passed()).toList();
            assertTrue(failed.isEmpty(), "batch-invariant GEMMs: " + failed);
            assertTrue(results.size() > 80, "cases: " + results.size());
        }
    }

    @Test
    void theCpusFp16GemmsPassEveryOpWithinTheFp16Bound() throws Exception {
        assumeTrue(TestDevices.fp16Runs("cpu"), "this CPU has no AVX512-FP16");
        EngineOptions o = new EngineOptions(2, 4096, false).withDevice("cpu").withPrecision(Precision.FP16);
        try (Backend be = Backends.open(o)) {
            assertTrue(be.fp16Gemms(), be.name());
            List<OpResult> results = OpSuite.run(be, op -> true, 42);
            List<OpResult> failed = results.stream().filter(r -> !r.passed()).toList();
            assertTrue(failed.isEmpty(), "fp16 GEMMs: " + failed);
            // the GEMM outputs were held to the fp16 bound, and rounding showed in them (else fp16 was not used)
            List<OpResult> matmul = results.stream().filter(r -> r.op().equals("matmul")).toList();
            assertTrue(matmul.size() >= 20 && matmul.stream().allMatch(r -> r.tolerance() == OpSuite.FP16_GEMM), matmul.toString());
            assertTrue(matmul.stream().anyMatch(r -> r.nmse() > 1e-9), "every matmul within fp32's bound: " + matmul);
        }
    }

    @Test
    void anOpCheckedInsideAnotherOpsCasesCanBeChosenAlone() {
        try (Backend be = new CpuBackend(1)) {
            List<OpResult> score = OpSuite.run(be, op -> op.equals("score"), 42);
            assertEquals(8, score.size(), score.toString());   // 2 dtypes × (logprob; logprob, entropy, top-k log-probs)
            assertTrue(score.stream().allMatch(r -> r.op().equals("score") && r.passed()), score.toString());
            assertEquals(OpSuite.ops().size(), OpSuite.ops().stream().distinct().count());
            assertTrue(OpSuite.ops().containsAll(List.of("gather_norm", "score", "gate_up_swiglu", "qkv")), OpSuite.ops().toString());
        }
    }

    @Test
    void nmseIsTheSquaredErrorOverTheSquaredReference() {
        // (1.1 − 1)² + (1.8 − 2)² = 0.01 + 0.04 = 0.05 over 1 + 4 = 5 → 0.01
        assertEquals(0.01, OpHarness.nmse(new float[] {1.1f, 1.8f}, new float[] {1, 2}), 1e-7);
        assertEquals(0.25, OpHarness.nmse(new float[] {0.5f}, new float[] {0}), 1e-12, "an all-zero reference: the squared error");
        assertEquals(0, OpHarness.nmse(new float[] {Float.POSITIVE_INFINITY, Float.NaN}, new float[] {Float.POSITIVE_INFINITY, Float.NaN}));
        assertTrue(Double.isNaN(OpHarness.nmse(new float[] {Float.NaN}, new float[] {1})), "NaN on one side fails");
    }

    /** The CPU backend with one op replaced. */
    private static class Planted extends ForwardingBackend {
        Planted() { super(new CpuBackend(1)); }
    }

    private static List<String> failedOps(Backend be) {
        try (be) {
            return OpSuite.run(be, op -> true, 7).stream().filter(r -> !r.passed()).map(OpResult::op).distinct().sorted().toList();
        }
    }

    @Test
    void aWrongRmsnormFailsRmsnormAndWhatIsBuiltOnItOnly() {
        List<String> failed = failedOps(new Planted() {
            @Override
            public void rmsnorm(Buffer x, Weight weight, float eps, Buffer out, int rows, int dim) {
                super.rmsnorm(x, weight, eps * 1000 + 1e-3f, out, rows, dim);   // a wrong epsilon
            }
        });
        assertEquals(List.of("add_rmsnorm", "gather_norm", "qk_norm_rope", "rmsnorm", "score"), failed);
    }

    @Test
    void anAttentionIgnoringTheWindowFails() {
        List<String> failed = failedOps(new Planted() {
            @Override
            public void attention(Buffer q, Buffer k, Buffer v, Buffer out, PackedBatch batch, int heads, int kvHeads,
                                  int headDim, float scale, int window) {
                super.attention(q, k, v, out, batch, heads, kvHeads, headDim, scale, 0);
            }
        });
        assertEquals(List.of("attention"), failed);
    }

    @Test
    void topKTiesBrokenByTheHigherIdFail() {
        List<String> failed = failedOps(new Planted() {
            @Override
            public void nextTokenScores(Buffer hidden, int rows, Weight lmHead, int[] targets, ScoreOptions options, RowScores out) {
                super.nextTokenScores(hidden, rows, lmHead, targets, options, out);
                for (int r = 0; options.topK() > 0 && r < rows; r++) {
                    int[] ids = out.topIds[r];
                    for (int i = 0; i + 1 < ids.length; i++) {
                        if (out.topLogprobs[r][i] == out.topLogprobs[r][i + 1] && ids[i] < ids[i + 1]) {
                            int t = ids[i]; ids[i] = ids[i + 1]; ids[i + 1] = t;
                        }
                    }
                }
            }
        });
        assertTrue(failed.contains("next_token_scores"), failed.toString());
    }

    @Test
    void aWritePastTheEndIsCaughtByTheGuard() {
        Planted be = new Planted() {
            @Override
            public void add(Buffer x, Buffer y, long n) {
                super.add(x, y, n);
                x.write(n, new float[] {0});   // one float too many
            }
        };
        try (be) {
            List<OpResult> add = OpSuite.run(be, op -> op.equals("add"), 7);
            assertEquals(3, add.size());
            for (OpResult r : add) {
                assertFalse(r.passed());
                assertTrue(r.failure().startsWith("wrote past the end of its output: guard float 0"), r.failure());
            }
        }
    }

    @Test
    void anOpThatThrowsIsOneFailureAndTheOthersStillRun() {
        Planted be = new Planted() {
            @Override
            public void swiglu(Buffer gate, Buffer up, long n) {
                throw new IllegalStateException("no kernel for swiglu");
            }
        };
        try (be) {
            List<OpResult> results = OpSuite.run(be, op -> op.equals("swiglu") || op.equals("add"), 7);
            List<OpResult> failed = results.stream().filter(r -> !r.passed()).toList();
            assertEquals(1, failed.size(), results.toString());
            assertEquals("swiglu", failed.get(0).op());
            assertTrue(failed.get(0).failure().contains("no kernel for swiglu"));
            assertEquals(3, results.stream().filter(r -> r.op().equals("add") && r.passed()).count());
        }
    }

    @Test
    void aForgottenOutputElementFails() {
        Planted be = new Planted() {
            @Override
            public void gatherRows(Buffer src, int[] rows, int width, Buffer dst) {
                super.gatherRows(src, java.util.Arrays.copyOf(rows, rows.length - 1), width, dst);   // the last row unwritten
            }
        };
        try (be) {
            List<OpResult> results = OpSuite.run(be, op -> op.equals("gather_rows"), 7);
            assertEquals(2, results.size());
            for (OpResult r : results) assertFalse(r.passed(), r.toString());
        }
    }
}
