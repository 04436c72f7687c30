package dev.provtrace.engine;

import dev.provtrace.Fixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --batch-invariant: a text's log-probs are bitwise the same scored alone, packed with others into one pass, and in
 * passes of another size, on the CUDA backend (cuda-emu here) in fp32 and bf16; and the mode still gives the model's
 * numbers (within HF parity of transformers' fp32 log-probs in fp32). The CPU refuses the option: its numbers depend
 * on the batch by fp32 rounding (OpenBLAS picks kernels by the number of rows).
 */
class BatchInvarianceTest {
    static Stream<String> devices() {
        return TestDevices.inThisBuild().stream().filter(d -> !d.equals("reference") && !d.equals("cpu"));
    }

    private static List<TokenScores> score(Path dir, String device, Precision p, int batchTokens, List<int[]> seqs) throws Exception {
        EngineOptions o = new EngineOptions(2, batchTokens, false).withDevice(device).withPrecision(p).withBatchInvariant(true);
        try (Engine e = Engine.load(dir, o)) {
            return e.score(seqs, ScoreOptions.LOGPROBS_ONLY, null);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("devices")
    void aTextsNumbersDoNotDependOnItsBatch(String device) throws Exception {
        Path dir = Fixtures.hfModel("qwen2");
        List<Fixtures.Reference> refs = Fixtures.expected(dir);
        int[] text = refs.get(1).ids();   // 17 tokens
        List<int[]> crowd = new ArrayList<>();
        for (int s = 0; s < 5; s++) {
            int[] other = new int[23 + 9 * s];
            for (int t = 0; t < other.length; t++) other[t] = (s * 41 + t * 13 + 5) % 512;
            crowd.add(other);
        }
        List<int[]> packed = new ArrayList<>(crowd);
        packed.add(2, text);
        for (Precision p : TestDevices.precisions(device)) {
            float[] alone = score(dir, device, p, 4096, List.of(text)).get(0).logprobs();
            float[] inBatch = score(dir, device, p, 4096, packed).get(2).logprobs();
            float[] smallPasses = score(dir, device, p, 40, packed).get(2).logprobs();
            for (int t = 1; t < text.length; t++) {
                assertEquals(Float.floatToIntBits(alone[t]), Float.floatToIntBits(inBatch[t]),
                        device + " " + p + " token " + t + ": alone " + alone[t] + ", in a batch of " + packed.size() + " " + inBatch[t]);
                assertEquals(Float.floatToIntBits(alone[t]), Float.floatToIntBits(smallPasses[t]),
                        device + " " + p + " token " + t + ": alone " + alone[t] + ", in passes of 40 tokens " + smallPasses[t]);
            }
            if (p == Precision.FP32) {
                for (int t = 1; t < text.length; t++) {
                    assertTrue(Math.abs(alone[t] - refs.get(1).logprobs()[t]) <= 1e-4, device + " token " + t + ": " + alone[t]
                            + " vs transformers " + refs.get(1).logprobs()[t]);
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void theCpuRefusesItNamingTheDevicesThatHaveIt() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> score(Fixtures.hfModel("qwen2"), "cpu", Precision.FP32, 4096, List.of(new int[] {1, 2, 3})));
        assertTrue(e.getMessage().contains("--batch-invariant is built for the CUDA backend (--device cuda or cuda-emu)"), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void itIsPartOfTheScoresCacheKey() throws Exception {
        Path dir = Fixtures.hfModel("qwen2");
        String plain = dev.provtrace.trace.ModelFingerprint.of(dir, "p", "cuda", Precision.BF16, false);
        assertEquals(plain, dev.provtrace.trace.ModelFingerprint.of(dir, "p", "cuda", Precision.BF16));
        assertTrue(!plain.equals(dev.provtrace.trace.ModelFingerprint.of(dir, "p", "cuda", Precision.BF16, true)));
    }
}
