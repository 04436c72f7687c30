package dev.provtrace.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.io.DType;
import dev.provtrace.model.ModelConfig;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bf16 checkpoint is scored with its weights left in the memory map in bf16: the native memory the engine holds
 * after scoring (scratch + activations) is a small, fixed budget, far below an fp32 copy of the weights.
 */
class Bf16MemoryTest {
    @Test
    void bf16WeightsAreWidenedInBoundedBlocksOnly(@TempDir Path dir) throws Exception {
        ObjectNode cfg = new ObjectMapper().createObjectNode()
                .put("model_type", "llama").put("vocab_size", 50_000).put("hidden_size", 256)
                .put("intermediate_size", 704).put("num_hidden_layers", 2).put("num_attention_heads", 4)
                .put("num_key_value_heads", 4).put("max_position_embeddings", 512).put("tie_word_embeddings", false);
        new ObjectMapper().writeValue(dir.resolve("config.json").toFile(), cfg);
        ModelConfig config = ModelConfig.parse(cfg, "test");
        RandomWeights.write(config, DType.BF16, 7, dir.resolve("model.safetensors"));
        long fp32Weights = config.parameterCount() * 4;                        // ≈ 109 MB

        long before = Pointer.totalBytes();
        try (Engine engine = Engine.load(dir, new EngineOptions(2, 4096, false))) {
            SplittableRandom rnd = new SplittableRandom(1);
            List<int[]> seqs = List.of(rnd.ints(64, 0, 50_000).toArray(), rnd.ints(40, 0, 50_000).toArray());
            List<TokenScores> out = engine.score(seqs, ScoreOptions.LOGPROBS_ONLY, null);
            assertTrue(Float.isFinite(out.get(0).logprobs()[63]));
            long held = Pointer.totalBytes() - before;
            // budget: 16 MiB of widened rows + logits (rows × vocab slice) + activations of 104 tokens
            long budget = (16L << 20) + 104L * 50_000 * 4 + 104L * (4 * 256 + 2 * 704 + 4 * 256) * 4 + (8L << 20);
            assertTrue(held <= budget, "native memory held " + held + " > budget " + budget);
            assertTrue(held < fp32Weights / 2, "held " + held + " vs fp32 weights " + fp32Weights);
        }
        assertTrue(Files.size(dir.resolve("model.safetensors")) < fp32Weights / 2 + 4096, "file is bf16");
    }
}
