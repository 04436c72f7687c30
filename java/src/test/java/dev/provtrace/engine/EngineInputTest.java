package dev.provtrace.engine;

import dev.provtrace.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad token sequences are refused with the sequence and token named; nothing is truncated behind the user's back. */
class EngineInputTest {
    @Test
    void badSequencesAreNamed() throws Exception {
        try (Engine e = Engine.load(Fixtures.hfModel("llama"), new EngineOptions(1, 64, false))) {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> e.score(List.of(new int[] {1, 2}, new int[] {3, 512}), ScoreOptions.LOGPROBS_ONLY, null));
            assertTrue(ex.getMessage().contains("sequence 1, token 1") && ex.getMessage().contains("512"), ex.getMessage());
            ex = assertThrows(IllegalArgumentException.class, () -> e.score(List.of(new int[0]), ScoreOptions.LOGPROBS_ONLY, null));
            assertTrue(ex.getMessage().contains("empty"), ex.getMessage());
            int[] tooLong = IntStream.range(0, 513).map(i -> i % 500).toArray();
            ex = assertThrows(IllegalArgumentException.class, () -> e.score(List.of(tooLong), ScoreOptions.LOGPROBS_ONLY, null));
            assertTrue(ex.getMessage().contains("513 tokens") && ex.getMessage().contains("max_position_embeddings 512"), ex.getMessage());
        }
    }

    @Test
    void longSequencesRunAloneAndBatchesKeepInputOrder() throws Exception {
        // batchTokens 64: the 200-token sequence exceeds it and must run alone, whole
        int[] a = IntStream.range(0, 200).map(i -> (i * 7) % 512).toArray(), b = {5, 6, 7}, c = {8, 9};
        try (Engine e = Engine.load(Fixtures.hfModel("llama"), new EngineOptions(1, 64, false))) {
            long[] progress = {0};
            List<TokenScores> got = e.score(List.of(b, a, c), ScoreOptions.LOGPROBS_ONLY, n -> progress[0] += n);
            assertEquals(3, got.get(0).length());
            assertEquals(200, got.get(1).length());
            assertEquals(2, got.get(2).length());
            assertEquals(205, progress[0], "progress counts every token once");
            TokenScores alone = e.score(List.of(a), ScoreOptions.LOGPROBS_ONLY, null).get(0);
            for (int t = 1; t < 200; t++) assertEquals(alone.logprobs()[t], got.get(1).logprobs()[t], 1e-6);
        }
        try (Engine e = Engine.load(Fixtures.hfModel("llama"), new EngineOptions(1, 64, true))) {
            int[] tooLong = IntStream.range(0, 600).map(i -> i % 500).toArray();
            TokenScores s = e.score(List.of(tooLong), ScoreOptions.LOGPROBS_ONLY, null).get(0);
            assertEquals(600, s.length(), "--allow-long scores past max_position_embeddings, whole");
            assertTrue(Float.isFinite(s.logprobs()[599]));
        }
    }
}
