package dev.provtrace.engine;

import dev.provtrace.Fixtures;
import dev.provtrace.engine.cpu.CpuBackend;
import dev.provtrace.io.Checkpoint;
import dev.provtrace.model.ModelConfig;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scoring only the rows that are needed (Engine.score with a first token per sequence) gives the numbers of scoring
 * every row for those rows, NaN before; and the pipeline issues pass i+1 before it reads the results of pass i.
 */
class ScoredRowsTest {
    static final int[] A = IntStream.range(0, 40).map(i -> (i * 13 + 3) % 500).toArray();
    static final int[] B = IntStream.range(0, 25).map(i -> (i * 29 + 1) % 500).toArray();
    static final int[] C = {7, 8, 9};

    @Test
    void scoringFromALaterTokenGivesTheSameNumbersForThoseTokens() throws Exception {
        for (String device : List.of("cpu", "cuda-emu")) {
            if (device.equals("cuda-emu") && !TestDevices.runsOn("cuda-emu")) continue;
            try (Engine e = Engine.load(Fixtures.hfModel("qwen2"), new EngineOptions(1, 4096, false).withDevice(device))) {
                ScoreOptions opts = new ScoreOptions(3, true);
                List<TokenScores> all = e.score(List.of(A, B, C), opts, null);
                int[] from = {17, 1, 3};       // C: its length, so nothing of it is scored
                List<TokenScores> part = e.score(List.of(A, B, C), from, opts, null);
                for (int s = 0; s < 3; s++) {
                    TokenScores want = all.get(s), got = part.get(s);
                    assertEquals(want.length(), got.length());
                    for (int t = 0; t < got.length(); t++) {
                        String where = device + " seq " + s + " token " + t;
                        if (t < from[s]) {
                            assertTrue(Float.isNaN(got.logprobs()[t]), where + " is not scored");
                            assertTrue(Float.isNaN(got.entropy()[t]), where);
                            assertNull(got.topIds()[t], where);
                            continue;
                        }
                        assertEquals(want.logprobs()[t], got.logprobs()[t], 1e-6, where);
                        assertEquals(want.entropy()[t], got.entropy()[t], 1e-6, where);
                        assertEquals(want.topIds()[t][0], got.topIds()[t][0], where);
                    }
                }
                assertEquals(null, FiniteScores.problem(part.get(0), from[0]), "NaN before the first scored token is no failure");
                assertTrue(FiniteScores.problem(part.get(0)) != null, "but it is when every token should be scored");
            }
        }
    }

    @Test
    void firstScoredOutsideTheSequenceIsRefused() throws Exception {
        try (Engine e = Engine.load(Fixtures.hfModel("llama"), new EngineOptions(1, 64, false))) {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> e.score(List.of(C), new int[] {4}, ScoreOptions.LOGPROBS_ONLY, null));
            assertEquals("sequence 0: first token to score 4 is outside [1, 3]", ex.getMessage());
            ex = assertThrows(IllegalArgumentException.class,
                    () -> e.score(List.of(C, C), new int[] {1}, ScoreOptions.LOGPROBS_ONLY, null));
            assertTrue(ex.getMessage().contains("1 first-scored tokens for 2 sequences"), ex.getMessage());
        }
    }

    /**
     * With a pass per sequence (batchTokens smaller than two of them; the longest runs in two chunks), the engine
     * uploads and enqueues pass i+1 before it
     * reads pass i's results, reads every pass's results once, and still returns them in input order with each
     * sequence's own numbers.
     */
    @Test
    void passIPlusOneIsIssuedBeforeTheResultsOfPassIAreRead() throws Exception {
        Path dir = Fixtures.hfModel("llama");
        List<String> events = new ArrayList<>();
        Backend cpu = new CpuBackend(1);
        Backend recording = recording(cpu, events);
        ModelConfig config = ModelConfig.load(dir.resolve("config.json"));
        List<TokenScores> piped;
        try (Engine e = new Engine(config, Checkpoint.open(dir), recording, new EngineOptions(1, 26, false))) {
            piped = e.score(List.of(A, B, C), ScoreOptions.LOGPROBS_ONLY, null);
        }
        // A (40 tokens) in chunks of 26 and 14, its second chunk's results read after it was issued too
        assertEquals(List.of("upload 26", "score 26", "upload 14", "score 14", "results 26",
                "upload 25", "score 25", "results 14", "upload 3", "score 3", "results 25", "results 3"), events);
        try (Engine e = Engine.load(dir, new EngineOptions(1, 4096, false))) {
            int[][] seqs = {A, B, C};
            for (int s = 0; s < 3; s++) {
                TokenScores alone = e.score(List.of(seqs[s]), ScoreOptions.LOGPROBS_ONLY, null).get(0);
                // 1e-5: A's chunks run GEMMs of other row counts, which OpenBLAS rounds differently (ChunkedPrefillTest's bound)
                for (int t = 1; t < alone.length(); t++) assertEquals(alone.logprobs()[t], piped.get(s).logprobs()[t], 1e-5);
            }
        }
    }

    /**
     * The backend, recording upload / score of each pass (by token count) and each read of a pass's results. The
     * engine gets a wrapped pass (to see results() read); every op is handed the backend's own pass back.
     */
    private static Backend recording(Backend inner, List<String> events) {
        java.util.Map<Object, Pass> real = new java.util.IdentityHashMap<>();
        InvocationHandler h = (proxy, method, args) -> {
            if (args != null) for (int i = 0; i < args.length; i++) if (real.containsKey(args[i])) args[i] = real.get(args[i]);
            if (method.getName().equals("score")) events.add("score " + ((Pass) args[0]).batch().tokens());
            Object out;
            try {
                out = method.invoke(inner, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (!method.getName().equals("upload")) return out;
            Pass p = (Pass) out;
            int tokens = p.batch().tokens();
            events.add("upload " + tokens);
            Object wrapped = Proxy.newProxyInstance(Pass.class.getClassLoader(), new Class<?>[] {Pass.class}, (pp, m, a) -> {
                if (m.getName().equals("results")) events.add("results " + tokens);
                try {
                    return m.invoke(p, a);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
            real.put(wrapped, p);
            return wrapped;
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, h);
    }
}
