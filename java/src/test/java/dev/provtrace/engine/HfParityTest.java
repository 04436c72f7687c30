package dev.provtrace.engine;

import dev.provtrace.Fixtures;
import dev.provtrace.Fixtures.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The forward pass against Hugging Face transformers' own numbers (tiny random checkpoints, see
 * hf-reference/README.md): every token log-prob within 1e-4, top-5 alternatives, batched = alone.
 */
class HfParityTest {
    static final double TOLERANCE = 1e-4;

    /** Entropy in nats of softmax(logits), in double. */
    static double entropy(double[] logits) {
        double max = Double.NEGATIVE_INFINITY, z = 0, moment = 0;
        for (double l : logits) max = Math.max(max, l);
        for (double l : logits) {
            z += Math.exp(l - max);
            moment += Math.exp(l - max) * l;
        }
        return max + Math.log(z) - moment / z;
    }

    /**
     * HF's rank of {@code target} in these logits (1 + the number of larger logits), as bounds: a logit within
     * {@code band} of the target's is a near tie that fp32 sums may order either way.
     */
    static int[] rankBounds(double[] logits, int target, double band) {
        int surelyAbove = 0, maybeAbove = 0;
        for (int j = 0; j < logits.length; j++) {
            if (j == target) continue;
            if (logits[j] > logits[target] + band) surelyAbove++;
            if (logits[j] > logits[target] - band) maybeAbove++;
        }
        return new int[] {1 + surelyAbove, 1 + maybeAbove};
    }

    static final String[] MODELS = {"llama", "qwen2", "qwen3", "mistral", "llama-bf16",
            "llama-linear", "qwen2-yarn", "mistral-sliding", "llama-sharded", "qwen2-bf16"};

    /**
     * Every fixture on every device this build has: cpu, cuda-emu where the emulated device was built (in CI it
     * must be: there a missing one fails instead of being left out), and a real GPU where one is usable (never in CI).
     */
    static Stream<Arguments> modelsOnDevices() {
        return TestDevices.inThisBuild().stream().flatMap(d -> Stream.of(MODELS).map(m -> Arguments.of(m, d)));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("modelsOnDevices")
    void logprobsMatchTransformers(String name, String device) throws Exception {
        Path dir = Fixtures.hfModel(name);
        List<Reference> refs = Fixtures.expected(dir);
        List<int[]> seqs = new ArrayList<>();
        for (Reference r : refs) seqs.add(r.ids());
        try (Engine engine = Engine.load(dir, new EngineOptions(2, 4096, false).withDevice(device))) {
            List<TokenScores> batched = engine.score(seqs, new ScoreOptions(5, true, true), null);
            double worst = 0;
            for (int s = 0; s < refs.size(); s++) {
                Reference ref = refs.get(s);
                TokenScores got = batched.get(s);
                assertEquals(ref.ids().length, got.length());
                assertTrue(Float.isNaN(got.logprobs()[0]), "position 0 has no prefix");
                for (int t = 1; t < ref.ids().length; t++) {
                    double d = Math.abs(got.logprobs()[t] - ref.logprobs()[t]);
                    worst = Math.max(worst, d);
                    assertTrue(d <= TOLERANCE, name + " on " + device + " seq " + s + " token " + t + ": got " + got.logprobs()[t]
                            + ", transformers " + ref.logprobs()[t]);
                }
                for (int p = 0; p < ref.top5Positions().length; p++) {
                    int pos = ref.top5Positions()[p];
                    if (pos + 1 >= ref.ids().length) continue;      // the distribution after the last token is not scored
                    assertArrayEquals(ref.top5Ids()[p], got.topIds()[pos + 1], name + " top-5 ids after position " + pos);
                    for (int k = 0; k < 5; k++) {
                        assertEquals(ref.top5Logprobs()[p][k], got.topLogprobs()[pos + 1][k], TOLERANCE);
                    }
                }
                for (int p = 0; p < ref.logitsPositions().length; p++) {
                    int pos = ref.logitsPositions()[p];
                    if (pos + 1 >= ref.ids().length) continue;
                    assertEquals(entropy(ref.logits()[p]), got.entropy()[pos + 1], TOLERANCE,
                            name + " entropy of the distribution after position " + pos + " (from HF's logits)");
                    int[] rank = rankBounds(ref.logits()[p], ref.ids()[pos + 1], TOLERANCE);
                    int ours = got.rank()[pos + 1];
                    assertTrue(ours >= rank[0] && ours <= rank[1], name + " on " + device + ": rank of token " + (pos + 1)
                            + " is " + ours + ", from HF's logits " + rank[0] + (rank[1] > rank[0] ? ".." + rank[1] : ""));
                }
            }
            System.out.printf("%s on %s: max |Δ log-prob| vs transformers = %.2e%n", name, device, worst);

            // each sequence alone gives the same numbers as the packed batch
            for (int s = 0; s < seqs.size(); s++) {
                TokenScores alone = engine.score(List.of(seqs.get(s)), ScoreOptions.LOGPROBS_ONLY, null).get(0);
                for (int t = 1; t < alone.length(); t++) {
                    assertEquals(batched.get(s).logprobs()[t], alone.logprobs()[t], 1e-5, name + " seq " + s + " token " + t);
                }
            }
        }
    }
}
