package dev.provtrace.engine;

import dev.provtrace.Fixtures;
import dev.provtrace.Fixtures.Reference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --precision bf16 against transformers' fp32 log-probs (the hf-reference fixtures): bf16 GEMM inputs move the
 * numbers, by a bounded amount (issue 8: mean |Δ| ≤ 0.02, max ≤ 0.15), and they must move at all (else the
 * precision was not applied).
 */
class Bf16PrecisionTest {
    static Stream<Arguments> modelsOnDevices() {
        return HfParityTest.modelsOnDevices();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("modelsOnDevices")
    void bf16StaysCloseToFp32Transformers(String name, String device) throws Exception {
        Path dir = Fixtures.hfModel(name);
        double[] d = deviationFromTransformers(dir, Fixtures.expected(dir), device, Precision.BF16);
        double mean = d[0], worst = d[1];
        System.out.printf("%s on %s, bf16: mean |Δ log-prob| = %.2e, max = %.2e%n", name, device, mean, worst);
        assertTrue(mean <= 0.02, name + " on " + device + ": mean |Δ| " + mean);
        assertTrue(worst <= 0.15, name + " on " + device + ": max |Δ| " + worst);
        assertTrue(worst > 1e-4, name + " on " + device + ": bf16 gave fp32's numbers (max |Δ| " + worst + "): not applied");
    }

    /** {mean, max} of |log-prob − transformers' fp32 log-prob| over every scored token of a fixture at {@code precision}. */
    static double[] deviationFromTransformers(Path dir, List<Reference> refs, String device, Precision precision) throws Exception {
        List<int[]> seqs = new ArrayList<>();
        for (Reference r : refs) seqs.add(r.ids());
        EngineOptions options = new EngineOptions(2, 4096, false).withDevice(device).withPrecision(precision);
        try (Engine engine = Engine.load(dir, options)) {
            List<TokenScores> got = engine.score(seqs, ScoreOptions.LOGPROBS_ONLY, null);
            double sum = 0, worst = 0;
            int n = 0;
            for (int s = 0; s < refs.size(); s++) {
                for (int t = 1; t < refs.get(s).ids().length; t++) {
                    double d = Math.abs(got.get(s).logprobs()[t] - refs.get(s).logprobs()[t]);
                    sum += d;
                    worst = Math.max(worst, d);
                    n++;
                }
            }
            return new double[] {sum / n, worst};
        }
    }

    static Stream<Arguments> modelsOnBf16Devices() {
        return modelsOnDevices().filter(a -> !a.get()[1].equals("cpu"));
    }

    /**
     * Two routes to the same bf16 precision: bf16 buffers and bf16 × bf16 GEMMs (the CUDA backend, and the reference
     * backend's bf16 buffers) against the CPU's fp32 buffers rounded to bf16 before each GEMM. They round the same
     * values at the same points, so they differ only by the order of fp32 sums, and by a bf16 step where that order
     * puts a value on the other side of a rounding boundary, which then carries through the later layers (the CUDA
     * backend's tensor-core attention sums in an order of its own). Measured on the fixtures: mean |Δ| 1.6e-4 to
     * 2.7e-3, max up to 1.8e-2 (the double-sum reference: 5e-4 to 1.6e-3), against a mean of 6e-3 to 8e-3 between
     * bf16 and fp32 itself; with p rounded to one bf16 in the attention's P·V it was 5e-3 to 7e-3.
     */
    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("modelsOnBf16Devices")
    void nativeBf16MatchesTheCpuRoundingRoute(String name, String device) throws Exception {
        Path dir = Fixtures.hfModel(name);
        List<int[]> seqs = new ArrayList<>();
        for (Reference r : Fixtures.expected(dir)) seqs.add(r.ids());
        List<TokenScores> cpu, other;
        try (Engine engine = Engine.load(dir, new EngineOptions(2, 4096, false).withDevice("cpu").withPrecision(Precision.BF16))) {
            cpu = engine.score(seqs, ScoreOptions.LOGPROBS_ONLY, null);
        }
        try (Engine engine = Engine.load(dir, new EngineOptions(2, 4096, false).withDevice(device).withPrecision(Precision.BF16))) {
            other = engine.score(seqs, ScoreOptions.LOGPROBS_ONLY, null);
        }
        double sum = 0, worst = 0;
        int n = 0;
        for (int s = 0; s < seqs.size(); s++) {
            for (int t = 1; t < seqs.get(s).length; t++) {
                double d = Math.abs(other.get(s).logprobs()[t] - cpu.get(s).logprobs()[t]);
                sum += d;
                worst = Math.max(worst, d);
                n++;
            }
        }
        System.out.printf("%s: bf16 on %s vs bf16 on cpu: mean |Δ log-prob| = %.2e, max = %.2e over %d tokens%n", name, device, sum / n, worst, n);
        assertTrue(sum / n <= 3e-3, name + " on " + device + ": mean |Δ| " + sum / n + " from the cpu's bf16");
        assertTrue(worst <= 3e-2, name + " on " + device + ": max |Δ| " + worst + " from the cpu's bf16");
    }

    /**
     * Against transformers run in bf16 itself (expected.compute-bf16.json: every weight and activation bf16, the
     * residual stream included). Transformers' bf16 is about three times further from its fp32 than ours (mean
     * 0.014–0.021 against 0.007–0.010: our residual stream stays fp32, fp32 checkpoints keep fp32 weights), so the
     * distance between the two bf16s is mostly transformers' own rounding: measured mean 0.016–0.023, max ≤ 0.125.
     * Asserted: mean ≤ 0.03 and max ≤ 0.15 from transformers' bf16, the fixture really bf16, and ours no further
     * from fp32 than transformers' bf16 on any model.
     */
    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("modelsOnDevices")
    void bf16IsAsCloseToTransformersInBf16AsBf16Allows(String name, String device) throws Exception {
        Path dir = Fixtures.hfModel(name);
        List<Reference> fp32 = Fixtures.expected(dir);
        List<double[]> hfBf16 = Fixtures.expectedComputeBf16(dir);
        List<int[]> seqs = new ArrayList<>();
        for (Reference r : fp32) seqs.add(r.ids());
        List<TokenScores> got;
        try (Engine engine = Engine.load(dir, new EngineOptions(2, 4096, false).withDevice(device).withPrecision(Precision.BF16))) {
            got = engine.score(seqs, ScoreOptions.LOGPROBS_ONLY, null);
        }
        double sum = 0, worst = 0, oursToFp32 = 0, hfToFp32 = 0;
        int n = 0;
        for (int s = 0; s < seqs.size(); s++) {
            for (int t = 1; t < seqs.get(s).length; t++) {
                double ours = got.get(s).logprobs()[t], hf = hfBf16.get(s)[t], ref = fp32.get(s).logprobs()[t];
                sum += Math.abs(ours - hf);
                worst = Math.max(worst, Math.abs(ours - hf));
                oursToFp32 += Math.abs(ours - ref);
                hfToFp32 += Math.abs(hf - ref);
                n++;
            }
        }
        System.out.printf("%s on %s: bf16 vs transformers bf16: mean |Δ| = %.2e, max = %.2e; mean to transformers fp32: ours %.2e, transformers bf16 %.2e%n",
                name, device, sum / n, worst, oursToFp32 / n, hfToFp32 / n);
        assertTrue(sum / n <= 0.03, name + " on " + device + ": mean |Δ| to transformers bf16 " + sum / n);
        assertTrue(worst <= 0.15, name + " on " + device + ": max |Δ| to transformers bf16 " + worst);
        assertTrue(hfToFp32 / n > 1e-3, name + ": the transformers bf16 fixture is not bf16 (mean " + hfToFp32 / n + " from fp32)");
        assertTrue(oursToFp32 <= hfToFp32, name + " on " + device + ": further from fp32 (" + oursToFp32 / n + ") than transformers bf16 ("
                + hfToFp32 / n + ")");
    }
}
