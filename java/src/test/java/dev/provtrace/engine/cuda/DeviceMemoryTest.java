package dev.provtrace.engine.cuda;

import dev.provtrace.Fixtures;
import dev.provtrace.engine.Engine;
import dev.provtrace.engine.EngineOptions;
import dev.provtrace.engine.OutOfDeviceMemoryException;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * --batch-tokens from free device memory, and out of device memory as a clear error: on the emulated device behind
 * a device that has only {@code limit} bytes (allocations past it fail as cuMemAlloc would, memoryInfo reports what is
 * left), with a fixture model. The pass the automatic choice makes really fits, and the --batch-tokens the error
 * names really runs.
 */
class DeviceMemoryTest {
    @BeforeAll
    static void load() throws Exception {
        assumeTrue(EmulatedDevice.available() || "true".equals(System.getenv("CI")), "no emulated device in this build");
        EmulatedDevice.load();
    }

    /**
     * A device of {@code limit} bytes of which {@link CudaBackend#RESERVE_BYTES} are taken by what a real device
     * spends beside our allocations (the context, cuBLAS's workspace): memoryInfo reports them free, as
     * cuMemGetInfo does before cuBLAS allocates, but allocations cannot use them.
     */
    static final class Limited extends ForwardingDevice {
        final long limit;

        Limited(long limit) throws java.io.IOException { this.limit = limit; }

        /** Bytes allocated through this device and not freed (the emulated device counts them). */
        long used() { return d.liveBytes(); }

        @Override public long malloc(long bytes) {
            if (used() + bytes > limit - CudaBackend.RESERVE_BYTES) {
                throw new DeviceMemoryException("out of device memory: " + bytes + " bytes asked for, " + (limit - used()) + " free", bytes);
            }
            return super.malloc(bytes);
        }

        @Override public long[] memoryInfo() { return new long[] {limit - used(), limit}; }
    }

    private static final Path MODEL = Fixtures.hfModel("qwen2");

    private static Engine engine(Limited device, int batchTokens) throws Exception {
        ModelConfig config = ModelConfig.load(MODEL.resolve("config.json"));
        Checkpoint ckpt = Checkpoint.open(MODEL);
        CudaBackend backend = new CudaBackend(device, new HostGemm(1, 1 << 20), 8192, 0);
        return new Engine(config, ckpt, backend, new EngineOptions(1, batchTokens, true, false, "cuda-emu", Precision.BF16));
    }

    /** {@code n} sequences of {@code len} tokens. */
    private static List<int[]> sequences(int n, int len, int vocab) {
        List<int[]> out = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            int[] ids = new int[len];
            for (int t = 0; t < len; t++) ids[t] = (s * 131 + t * 17 + 3) % vocab;
            out.add(ids);
        }
        return out;
    }

    /** Device bytes the model's weights take (everything the engine allocates at load). */
    private static long weightBytes() throws Exception {
        Limited probe = new Limited(Long.MAX_VALUE / 4);   // no limit
        try (Engine e = engine(probe, 8)) {
            return probe.used();
        }
    }

    @Test
    void automaticBatchTokensFillFreeMemoryAndThePassFits() throws Exception {
        Limited device = new Limited(weightBytes() + CudaBackend.RESERVE_BYTES + (8L << 20));
        try (Engine e = engine(device, EngineOptions.AUTO_BATCH_TOKENS)) {
            int auto = e.batchTokens(), len = 10, vocab = e.config().vocabSize();
            assertTrue(auto >= 20 && auto < EngineOptions.MAX_AUTO_BATCH_TOKENS, "auto batch tokens " + auto);
            List<TokenScores> scores = e.score(sequences(auto / len, len, vocab), ScoreOptions.LOGPROBS_ONLY, null);
            assertEquals(auto / len, scores.size());   // a full pass ran within the limit
        }
        // and it is most of what fits: twice as many tokens in one pass do not
        try (Engine e = engine(new Limited(device.limit), EngineOptions.AUTO_BATCH_TOKENS)) {
            int twice = 2 * e.batchTokens();
            try (Engine big = engine(new Limited(device.limit), twice)) {
                assertThrows(OutOfDeviceMemoryException.class,
                        () -> big.score(sequences(twice / 10, 10, big.config().vocabSize()), ScoreOptions.LOGPROBS_ONLY, null));
            }
        }
    }

    @Test
    void outOfMemorySaysWhichBatchTokensFitAndThatRuns() throws Exception {
        Limited device = new Limited(weightBytes() + CudaBackend.RESERVE_BYTES + (4L << 20));
        int fits;
        try (Engine e = engine(device, 100_000)) {
            List<int[]> seqs = sequences(200, 100, e.config().vocabSize());   // 20,000 tokens in one pass: too many
            OutOfDeviceMemoryException x = assertThrows(OutOfDeviceMemoryException.class, () -> e.score(seqs, ScoreOptions.LOGPROBS_ONLY, null));
            System.out.println(x.getMessage());
            Matcher m = Pattern.compile("--batch-tokens (\\d+) fits").matcher(x.getMessage());
            assertTrue(x.getMessage().contains("a pass of 20000 tokens") && m.find(), x.getMessage());
            fits = Integer.parseInt(m.group(1));
            assertTrue(fits >= 100 && fits < 20_000, x.getMessage());
        }
        try (Engine e = engine(new Limited(device.limit), fits)) {
            List<int[]> seqs = sequences(fits / 100, 100, e.config().vocabSize());
            assertEquals(fits / 100, e.score(seqs, ScoreOptions.LOGPROBS_ONLY, null).size());
        }
    }

    /**
     * A sequence three times longer than the pass the device holds runs in chunks: with the automatic --batch-tokens
     * (which fills the memory) its kept keys and values do not fit, and the error names a --batch-tokens that leaves
     * room for them; with that one it is scored, and its numbers are the ones of one pass on a device with room.
     */
    @Test
    void aSequenceLongerThanAPassRunsInChunksAndTheHintForItsKeptKeysFits() throws Exception {
        Limited device = new Limited(weightBytes() + CudaBackend.RESERVE_BYTES + (1L << 20));
        int auto, fits;
        List<int[]> one;
        try (Engine e = engine(device, EngineOptions.AUTO_BATCH_TOKENS)) {
            auto = e.batchTokens();
            one = sequences(1, 3 * auto, e.config().vocabSize());
            OutOfDeviceMemoryException x = assertThrows(OutOfDeviceMemoryException.class, () -> e.score(one, ScoreOptions.LOGPROBS_ONLY, null));
            Matcher m = Pattern.compile("--batch-tokens (\\d+) leaves room for them").matcher(x.getMessage());
            assertTrue(x.getMessage().contains("keys and values of a sequence scored in chunks (" + 3 * auto + " positions") && m.find(),
                    x.getMessage());
            fits = Integer.parseInt(m.group(1));
            assertTrue(fits >= 1 && fits < auto, x.getMessage());
        }
        float[] chunked;
        try (Engine e = engine(new Limited(device.limit), fits)) {
            chunked = e.score(one, ScoreOptions.LOGPROBS_ONLY, null).get(0).logprobs();
        }
        float[] whole;
        try (Engine e = engine(new Limited(Long.MAX_VALUE / 4), 4 * auto)) {
            whole = e.score(one, ScoreOptions.LOGPROBS_ONLY, null).get(0).logprobs();
        }
        for (int t = 1; t < whole.length; t++) {
            assertEquals(whole[t], chunked[t], 3e-2, "token " + t + " of " + whole.length + " in chunks of " + fits);
        }
    }
}
