package dev.provtrace.engine.cuda;

import dev.provtrace.Fixtures;
import dev.provtrace.engine.Engine;
import dev.provtrace.engine.EngineOptions;
import dev.provtrace.engine.Precision;
import dev.provtrace.engine.ScoreOptions;
import dev.provtrace.engine.TokenScores;
import dev.provtrace.io.Checkpoint;
import dev.provtrace.model.ModelConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Passes in steady state neither allocate nor free device memory (cuMemFree waits for the whole device, which would
 * stall the host packing pass i+1 while pass i runs): scoring the same texts a second time makes no allocation and
 * no free at all, and gives the same numbers.
 */
class SteadyStateAllocationTest {
    @BeforeAll
    static void load() throws Exception {
        assumeTrue(EmulatedDevice.available() || "true".equals(System.getenv("CI")), "no emulated device in this build");
        EmulatedDevice.load();
    }

    /** Counts the allocations and frees made through it. */
    static final class Counting extends ForwardingDevice {
        long mallocs, frees;

        Counting() throws java.io.IOException {}

        @Override public long malloc(long bytes) { mallocs++; return super.malloc(bytes); }
        @Override public void free(long address) { frees++; super.free(address); }
    }

    @Test
    void aSecondRunOfTheSamePassesAllocatesNothing() throws Exception {
        Path model = Fixtures.hfModel("qwen2");
        Counting device = new Counting();
        ModelConfig config = ModelConfig.load(model.resolve("config.json"));
        CudaBackend backend = new CudaBackend(device, new HostGemm(1, 1 << 20), 8192, 0);
        try (Engine e = new Engine(config, Checkpoint.open(model), backend, new EngineOptions(1, 40, false, false, "cuda-emu", Precision.BF16))) {
            List<int[]> seqs = new ArrayList<>();
            for (int s = 0; s < 7; s++) {   // several passes of 40 tokens, of different lengths
                int[] ids = new int[5 + 4 * s];
                for (int t = 0; t < ids.length; t++) ids[t] = (s * 37 + t * 11 + 1) % config.vocabSize();
                seqs.add(ids);
            }
            ScoreOptions o = new ScoreOptions(3, true);
            List<TokenScores> first = e.score(seqs, o, null);
            long mallocs = device.mallocs, frees = device.frees;
            List<TokenScores> second = e.score(seqs, o, null);
            assertEquals(mallocs, device.mallocs, "device allocations in the second run");
            assertEquals(frees, device.frees, "device frees in the second run");
            for (int s = 0; s < seqs.size(); s++) assertArrayEquals(first.get(s).logprobs(), second.get(s).logprobs(), "text " + s);
        }
    }
}
