package dev.provtrace.trace;

import dev.provtrace.Fixtures;
import dev.provtrace.engine.EngineOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An entry that fails its read-back check after the scoring pass is scored again, and the same scores come back. */
class RescoringLookupTest {
    @Test
    void aDamagedEntryReadAfterScoringIsScoredAgain(@TempDir Path dir) throws Exception {
        Path model = Files.createDirectories(dir.resolve("llama"));
        Files.copy(Fixtures.hfModel("llama").resolve("config.json"), model.resolve("config.json"));
        Files.copy(Fixtures.hfModel("llama").resolve("model.safetensors"), model.resolve("model.safetensors"));
        Files.copy(Fixtures.resource("cli-logprobs/tokenizer.json"), model.resolve("tokenizer.json"));
        PromptBuilder prompts = PromptBuilder.create(model, PromptBuilder.Format.RAW, null);
        ModelScorer scorer = new ModelScorer("teacher", model, prompts, new EngineOptions(2, 4096, false));
        List<TraceRecord> records = List.of(
                new TraceRecord(1, "a", "Q1?", "The answer is one.", null, null, null),
                new TraceRecord(2, "b", "Q2?", "The answer is two.", null, null, null));
        Path file = dir.resolve("cache/teacher.bin");
        List<String> warnings = new ArrayList<>();
        try (ScoreCache cache = ScoreCache.open(file, "fp", warnings::add); RescoringLookup lookup = new RescoringLookup()) {
            lookup.register(cache, scorer);
            assertTrue(scorer.scoreMissing(records, cache, null).isEmpty());
            cache.sync();
            ScoredText first = lookup.get(cache, records.get(0));
            long sizeBefore = Files.size(file);

            byte[] b = Files.readAllBytes(file);                 // the file changes under the run: a's entry damaged
            byte[] sync = ByteBuffer.allocate(8).putLong(ScoreCache.SYNC).array();
            int at = 0;
            while (!Arrays.equals(b, at, at + 8, sync, 0, 8)) at++;
            b[at + 60] ^= 1;
            Files.write(file, b);

            ScoredText again = lookup.get(cache, records.get(0));
            assertEquals(List.of(file + ": cache entry of record \"a\" at byte " + at + " fails its checksum; scoring it again"),
                    warnings);
            assertArrayEquals(first.ids(), again.ids());
            // scored alone now, in a batch of two before: the same numbers up to float rounding
            assertArrayEquals(first.logprobs(), again.logprobs(), 1e-5f);
            int next = at + 8;
            while (!Arrays.equals(b, next, next + 8, sync, 0, 8)) next++;
            assertEquals(sizeBefore + (next - at), Files.size(file), "one record scored again, appended");
            assertEquals(1, warnings.size());
            assertEquals(first.responseStart(), again.responseStart());
        }
    }
}
