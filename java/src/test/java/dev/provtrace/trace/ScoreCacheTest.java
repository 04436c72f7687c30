package dev.provtrace.trace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScoreCacheTest {
    private static ScoredText sample(int n, float base) {
        int[] ids = new int[n], s = new int[n], e = new int[n];
        float[] lp = new float[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 100 + i;
            s[i] = 3 * i;
            e[i] = 3 * i + 2;
            lp[i] = i == 0 ? Float.NaN : base - i;
        }
        return new ScoredText(ids, s, e, lp, 4, 3 * n);
    }

    @Test
    void entriesSurviveReopening(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("cache/m.bin");
        try (ScoreCache c = ScoreCache.open(f, "model-a", w -> {})) {
            c.put("r1", sample(5, -1f));
            c.put("r2", sample(3, -2f));
        }
        try (ScoreCache c = ScoreCache.open(f, "model-a", w -> {})) {
            assertEquals(2, c.size());
            ScoredText r1 = c.get("r1");
            assertArrayEquals(sample(5, -1f).ids(), r1.ids());
            assertArrayEquals(sample(5, -1f).ends(), r1.ends());
            assertTrue(Float.isNaN(r1.logprobs()[0]));
            assertEquals(-5f, r1.logprobs()[4]);
            assertEquals(4, r1.responseStart());
            assertEquals(-4f, c.get("r2").logprobs()[2]);
            assertNull(c.get("r3"));
            c.put("r3", sample(2, -3f));
            assertEquals(-4f, c.get("r3").logprobs()[1]);
        }
    }

    @Test
    void aCutTailIsDroppedWithAWarningAndTheRestKept(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("m.bin");
        try (ScoreCache c = ScoreCache.open(f, "fp", w -> {})) {
            c.put("r1", sample(5, -1f));
            c.put("r2", sample(50, -1f));
        }
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 10);                       // a crash in the middle of writing r2
        }
        List<String> warnings = new ArrayList<>();
        try (ScoreCache c = ScoreCache.open(f, "fp", warnings::add)) {
            assertTrue(c.contains("r1"));
            assertFalse(c.contains("r2"));
            assertEquals(1, warnings.size());
            assertTrue(warnings.get(0).contains("incomplete"), warnings.get(0));
            c.put("r2", sample(50, -1f));                      // rescored, appended after the good part
        }
        try (ScoreCache c = ScoreCache.open(f, "fp", w -> { throw new AssertionError(w); })) {
            assertEquals(2, c.size());
            assertEquals(-50f, c.get("r2").logprobs()[49]);
        }
    }

    @Test
    void anotherModelsCacheIsRefused(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("m.bin");
        try (ScoreCache c = ScoreCache.open(f, "model-a", w -> {})) {
            c.put("r1", sample(2, 0f));
        }
        IOException e = assertThrows(IOException.class, () -> ScoreCache.open(f, "model-b", w -> {}));
        assertTrue(e.getMessage().contains("another model"), e.getMessage());
        Files.writeString(dir.resolve("junk.bin"), "not a cache at all");
        e = assertThrows(IOException.class, () -> ScoreCache.open(dir.resolve("junk.bin"), "x", w -> {}));
        assertTrue(e.getMessage().contains("not a provtrace score cache"), e.getMessage());
    }
}
