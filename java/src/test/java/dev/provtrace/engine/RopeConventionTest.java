package dev.provtrace.engine;

import dev.provtrace.Fixtures;
import dev.provtrace.Fixtures.Reference;
import dev.provtrace.engine.cpu.CpuBackend;
import dev.provtrace.io.Checkpoint;
import dev.provtrace.io.TensorView;
import dev.provtrace.model.ModelConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proves the fixtures catch a RoPE convention error: the same forward pass with the interleaved pairing
 * (llama2.c / GGUF: dimension 2i with 2i+1) instead of Hugging Face's rotate_half moves the log-probs far
 * beyond the parity tolerance. If this test fails, the parity test could not tell the two conventions apart.
 */
class RopeConventionTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "qwen3", "mistral"})
    void interleavedPairingIsCaughtByTheFixtures(String name) throws Exception {
        Path dir = Fixtures.hfModel(name);
        Reference ref = Fixtures.expected(dir).get(2);   // the 200-token sequence
        ModelConfig config = ModelConfig.load(dir.resolve("config.json"));
        try (Checkpoint ckpt = Checkpoint.open(dir);
             Engine wrong = new Engine(config, ckpt, new InterleavedRope(new CpuBackend(1)), new EngineOptions(1, 4096, false))) {
            TokenScores got = wrong.score(List.of(ref.ids()), ScoreOptions.LOGPROBS_ONLY, null).get(0);
            double worst = 0;
            for (int t = 1; t < ref.ids().length; t++) worst = Math.max(worst, Math.abs(got.logprobs()[t] - ref.logprobs()[t]));
            assertTrue(worst > 0.1, name + ": interleaved RoPE only moved log-probs by " + worst);
        }
    }

    /** Delegates every op but rope, which it does with the interleaved pairing on the heap. */
    private static final class InterleavedRope extends ForwardingBackend {
        InterleavedRope(Backend in) { super(in); }

        @Override
        public void rope(Buffer x, int rows, int heads, int headDim, int[] positions, RopeTable table) {
            int width = heads * headDim, half = headDim / 2;
            int max = 0;
            for (int i = 0; i < rows; i++) max = Math.max(max, positions[i]);
            table.ensure(max + 1);
            float[] v = x.read(0, rows * width);
            for (int t = 0; t < rows; t++) {
                for (int h = 0; h < heads; h++) {
                    for (int i = 0; i < half; i++) {
                        int a = t * width + h * headDim + 2 * i;
                        float c = table.cos()[positions[t] * half + i], s = table.sin()[positions[t] * half + i];
                        float x0 = v[a], x1 = v[a + 1];
                        v[a] = x0 * c - x1 * s;
                        v[a + 1] = x1 * c + x0 * s;
                    }
                }
            }
            x.write(0, v);
        }

        @Override public String name() { return "interleaved-rope"; }
    }
}
