package dev.provtrace.engine.cuda;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.model.ModelConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryPlanTest {
    static ModelConfig tiny() throws Exception {
        return ModelConfig.parse(new ObjectMapper().readTree("{\"model_type\": \"llama\", \"vocab_size\": 16, \"hidden_size\": 8,"
                + " \"intermediate_size\": 12, \"num_hidden_layers\": 2, \"num_attention_heads\": 2, \"num_key_value_heads\": 1,"
                + " \"max_position_embeddings\": 64, \"tie_word_embeddings\": false}"), "test");
    }

    @Test
    void weightsAndPerTokenBytesCountedByHand() throws Exception {
        // per layer: q|k|v 8x(8+4+4)=128, o 64, gate/up/down 3x8x12=288, two norms 16 -> 496
        // embeddings and untied head 2x16x8=256, final norm 8: (2x496+256+8) x 2 bytes = 2512
        MemoryPlan p = MemoryPlan.of(tiny(), 2, 2, 16);
        assertEquals(2512, p.weightBytes());
        // residual+sum 64, normed 16, qkv 32, attn out 16, gate|up 48, swiglu 24, logits chunk 64, k/v of 2 layers 32
        assertEquals(296, p.bytesPerToken());
    }

    @Test
    void batchTokensFromFreeMemory() throws Exception {
        MemoryPlan p = MemoryPlan.of(tiny(), 2, 2, 16);
        long free = MemoryPlan.RESERVE_BYTES + 2512 + 296 * 1000 + 295;
        assertEquals(1000, p.batchTokensThatFit(free));
        assertEquals(0, p.batchTokensThatFit(MemoryPlan.RESERVE_BYTES));
        assertEquals(free - 295, p.bytesFor(1000));
    }

    @Test
    void outOfMemorySaysWhichBatchFits() throws Exception {
        MemoryPlan p = MemoryPlan.of(tiny(), 2, 2, 16);
        long free = MemoryPlan.RESERVE_BYTES + 2512 + 296L * 4096;
        DeviceMemoryException e = p.outOfMemory(100_000, free, 2 * free);
        assertTrue(e.getMessage().contains("--batch-tokens 4096 would fit"), e.getMessage());
        assertEquals(p.bytesFor(100_000), e.requested());
        assertTrue(p.outOfMemory(10, 100, 200).getMessage().contains("the weights alone"));
    }
}
