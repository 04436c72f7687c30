package dev.provtrace.engine;

import dev.provtrace.Fixtures;
import dev.provtrace.Fixtures.Reference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --precision fp16 on the CPU (AVX512-FP16 GEMMs) against transformers' fp32 log-probs (the hf-reference fixtures):
 * within the bounds asked of a reduced precision (mean |Δ| ≤ 0.02, max ≤ 0.15), moved at all (else the fp16 GEMM
 * was not used), and no farther from fp32 than bf16 is: fp16 keeps 11 significant bits of every weight and GEMM
 * input where bf16 keeps 8, and its partial sums stay short enough not to undo that.
 */
class Fp16PrecisionTest {
    static Stream<String> models() {
        return Stream.of(HfParityTest.MODELS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void fp16StaysCloserToFp32TransformersThanBf16(String name) throws Exception {
        Assumptions.assumeTrue(TestDevices.fp16Runs("cpu"), "this CPU has no AVX512-FP16");
        Path dir = Fixtures.hfModel(name);
        List<Reference> refs = Fixtures.expected(dir);
        double[] fp16 = Bf16PrecisionTest.deviationFromTransformers(dir, refs, "cpu", Precision.FP16);
        double[] bf16 = Bf16PrecisionTest.deviationFromTransformers(dir, refs, "cpu", Precision.BF16);
        System.out.printf("%s on cpu: fp16 mean |Δ log-prob| = %.2e, max = %.2e; bf16 mean %.2e, max %.2e%n",
                name, fp16[0], fp16[1], bf16[0], bf16[1]);
        assertTrue(fp16[0] <= 0.02, name + ": fp16 mean |Δ| " + fp16[0]);
        assertTrue(fp16[1] <= 0.15, name + ": fp16 max |Δ| " + fp16[1]);
        assertTrue(fp16[1] > 1e-5, name + ": fp16 gave fp32's numbers (max |Δ| " + fp16[1] + "): not applied");
        assertTrue(fp16[0] <= bf16[0], name + ": fp16 mean |Δ| " + fp16[0] + " above bf16's " + bf16[0]);
    }
}
