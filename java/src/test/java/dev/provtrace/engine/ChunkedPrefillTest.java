package dev.provtrace.engine;

import dev.provtrace.Fixtures;
import dev.provtrace.io.Checkpoint;
import dev.provtrace.model.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Chunked prefill: a sequence longer than --batch-tokens runs in chunks of that many tokens, each chunk's attention
 * reading the earlier chunks' keys and values kept on the backend. Its log-probs are transformers' (1e-4, the HF
 * parity bound, in fp32) and the ones of one pass over the whole sequence: bitwise on the CUDA backend with
 * --batch-invariant in fp32 and bf16 (its attention tiles start at the same keys wherever a chunk starts), within 1e-5
 * on the CPU and the reference in fp32 (and the reference in bf16), within the bf16 bound on the CPU in bf16.
 */
class ChunkedPrefillTest {
    /** The passes as the engine planned them: (sequence, from, to) pieces, hand-worked for passes of 8 tokens. */
    @Test
    void longSequencesStartAPassAndRunInChunksOthersArePackedAfterTheirLastChunk() {
        List<int[]> seqs = new ArrayList<>();
        for (int len : new int[] {3, 10, 4, 2, 25, 5}) seqs.add(new int[len]);
        List<Engine.Plan> plans = Engine.plan(seqs, 8);
        String[] want = {
                "[0:0-3] 3",                     // 10 does not fit after 3: it starts a pass of its own
                "[1:0-8] 8 keep",
                "[1:8-10 2:0-4 3:0-2] 8",        // its last chunk, then what fits
                "[4:0-8] 8 keep", "[4:8-16] 8 keep", "[4:16-24] 8 keep",
                "[4:24-25 5:0-5] 6"};
        List<String> got = new ArrayList<>();
        for (Engine.Plan p : plans) {
            StringBuilder b = new StringBuilder("[");
            for (Engine.Piece piece : p.pieces()) {
                if (b.length() > 1) b.append(' ');
                b.append(piece.seq()).append(':').append(piece.from()).append('-').append(piece.to());
            }
            got.add(b.append("] ").append(p.tokens()).append(p.keepKv() ? " keep" : "").toString());
        }
        assertEquals(List.of(want), got);
    }

    static final String[] MODELS = {"qwen2", "qwen3", "mistral-sliding", "llama-bf16"};

    static Stream<Arguments> modelsOnDevices() {
        List<String> devices = new ArrayList<>(TestDevices.inThisBuild());
        if (!devices.contains("reference")) devices.add("reference");
        return devices.stream().flatMap(d -> Stream.of(MODELS).map(m -> Arguments.of(m, d)));
    }

    /** A backend that hands every call to {@code inner} and records the batch of each pass. */
    private static Backend recording(Backend inner, List<PackedBatch> passes) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (proxy, m, args) -> {
            if (m.getName().equals("upload")) passes.add((PackedBatch) args[0]);
            try {
                return m.invoke(inner, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    private static List<TokenScores> score(Path dir, String device, Precision p, int batchTokens, boolean invariant,
                                           List<int[]> seqs, List<PackedBatch> passes) throws Exception {
        EngineOptions o = new EngineOptions(2, batchTokens, false).withDevice(device).withPrecision(p).withBatchInvariant(invariant);
        ModelConfig config = ModelConfig.load(dir.resolve("config.json"));
        Checkpoint ckpt = Checkpoint.open(dir);
        try (Engine e = new Engine(config, ckpt, recording(Backends.open(o), passes), o)) {
            return e.score(seqs, new ScoreOptions(3, true), null);
        }
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("modelsOnDevices")
    void chunksGiveTransformersNumbersAndTheWholePasses(String name, String device) throws Exception {
        Path dir = Fixtures.hfModel(name);
        List<Fixtures.Reference> refs = Fixtures.expected(dir);
        List<int[]> seqs = new ArrayList<>();
        for (Fixtures.Reference r : refs) seqs.add(r.ids());
        boolean invariant = device.startsWith("cuda");
        for (Precision p : TestDevices.precisions(device)) {
            List<PackedBatch> wholePasses = new ArrayList<>(), chunkPasses = new ArrayList<>();
            List<TokenScores> whole = score(dir, device, p, 4096, invariant, seqs, wholePasses);
            List<TokenScores> chunked = score(dir, device, p, 7, invariant, seqs, chunkPasses);

            assertEquals(1, wholePasses.size());
            int continued = 0;
            for (PackedBatch b : chunkPasses) {
                assertTrue(b.tokens() <= 7, "a pass of " + b.tokens() + " tokens with --batch-tokens 7");
                if (b.hasCached()) continued++;
            }
            assertTrue(continued >= 4, continued + " passes continued a sequence");   // the sliding-window model's window is 8

            for (int s = 0; s < refs.size(); s++) {
                int[] ids = refs.get(s).ids();
                TokenScores w = whole.get(s), c = chunked.get(s);
                assertTrue(Float.isNaN(c.logprobs()[0]));
                for (int t = 1; t < ids.length; t++) {
                    String at = name + " on " + device + " " + p + " seq " + s + " token " + t;
                    if (p == Precision.FP32) {
                        assertTrue(Math.abs(c.logprobs()[t] - refs.get(s).logprobs()[t]) <= HfParityTest.TOLERANCE,
                                at + ": chunked " + c.logprobs()[t] + ", transformers " + refs.get(s).logprobs()[t]);
                    }
                    if (invariant) {
                        assertEquals(Float.floatToIntBits(w.logprobs()[t]), Float.floatToIntBits(c.logprobs()[t]),
                                at + ": whole " + w.logprobs()[t] + ", chunked " + c.logprobs()[t]);
                        assertEquals(Float.floatToIntBits(w.entropy()[t]), Float.floatToIntBits(c.entropy()[t]), at + " entropy");
                    } else {
                        // bf16 GEMM inputs turn the fp32 rounding of a GEMM that depends on the rows beside it (OpenBLAS)
                        // into a bf16 step now and then: the native-vs-emulated bf16 bound of Bf16PrecisionTest
                        double tolerance = p == Precision.FP32 || device.equals("reference") ? 1e-5 : 3e-2;
                        assertEquals(w.logprobs()[t], c.logprobs()[t], tolerance, at + ": whole vs chunked");
                        assertEquals(w.entropy()[t], c.entropy()[t], tolerance, at + " entropy");
                    }
                    if (p == Precision.FP32) assertEquals(w.topIds()[t][0], c.topIds()[t][0], at + " top id");
                }
            }
        }
    }
}
