package dev.provtrace.trace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.provtrace.io.LockHolder;
import dev.provtrace.io.RunLock;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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

    /** Offsets of the entries of a cache file (where each SYNC marker starts). */
    private static List<Long> entryOffsets(Path f) throws IOException {
        byte[] b = Files.readAllBytes(f);
        byte[] sync = ByteBuffer.allocate(8).putLong(ScoreCache.SYNC).array();
        List<Long> at = new ArrayList<>();
        for (int i = 0; i + 8 <= b.length; i++) if (java.util.Arrays.equals(b, i, i + 8, sync, 0, 8)) at.add((long) i);
        return at;
    }

    private static void flip(Path f, long at) throws IOException {
        byte[] b = Files.readAllBytes(f);
        b[(int) at] ^= 0x40;
        Files.write(f, b);
    }

    private static Path cacheOf(Path dir, int entries) throws IOException {
        Path f = dir.resolve("m.bin");
        try (ScoreCache c = ScoreCache.open(f, "fp", w -> { throw new AssertionError(w); })) {
            for (int i = 0; i < entries; i++) c.put("r" + i, sample(3 + i, -i));
        }
        return f;
    }

    private static void assertSample(ScoredText st, int i) {
        assertNotNull(st, "r" + i);
        assertArrayEquals(sample(3 + i, -i).ids(), st.ids());
        assertArrayEquals(sample(3 + i, -i).logprobs(), st.logprobs());
    }

    @Test
    void aDamagedEntryInTheMiddleIsSkippedAloneAndTheFileRepaired(@TempDir Path dir) throws IOException {
        Path f = cacheOf(dir, 25);
        long at = entryOffsets(f).get(1);
        flip(f, at + 40);                                    // a byte of r1's token ids
        long before = Files.size(f);
        List<String> warnings = new ArrayList<>();
        try (ScoreCache c = ScoreCache.open(f, "fp", warnings::add)) {
            assertEquals(List.of(f + ": 1 damaged entry skipped (byte " + at + "), 23 entries after it kept; "
                    + "its record is scored again"), warnings);
            assertEquals(24, c.size());
            assertFalse(c.contains("r1"));
            for (int i = 0; i < 25; i++) if (i != 1) assertSample(c.get("r" + i), i);
            c.put("r1", sample(4, -1));                      // the caller scores it again
        }
        assertEquals(before, Files.size(f), "the damaged entry was cut out and the rescored one appended");
        try (ScoreCache c = ScoreCache.open(f, "fp", w -> { throw new AssertionError(w); })) {
            assertEquals(25, c.size());
            for (int i = 0; i < 25; i++) assertSample(c.get("r" + i), i);
        }
        assertFalse(Files.exists(dir.resolve("m.bin.rewrite")), "no temp file left");
    }

    @Test
    void aFlippedByteInAKeyOrMarkerOrLengthIsSkippedNotMisread(@TempDir Path dir) throws IOException {
        Path f = cacheOf(dir, 6);
        List<Long> at = entryOffsets(f);
        flip(f, at.get(1) + 14);                             // r1's key: "r1" becomes "rq"
        flip(f, at.get(3) + 2);                              // r3's SYNC marker
        flip(f, at.get(4) + 9);                              // r4's length
        List<String> warnings = new ArrayList<>();
        try (ScoreCache c = ScoreCache.open(f, "fp", warnings::add)) {
            assertEquals(List.of(f + ": 3 damaged entries skipped (bytes " + at.get(1) + ", " + at.get(3) + ", " + at.get(4)
                    + "), 2 entries after them kept; their records are scored again"), warnings);
            assertEquals(3, c.size());
            for (int i : new int[] {0, 2, 5}) assertSample(c.get("r" + i), i);
        }
    }

    @Test
    void aDamagedLastEntryIsACutTail(@TempDir Path dir) throws IOException {
        Path f = cacheOf(dir, 3);
        long at = entryOffsets(f).get(2);
        flip(f, at + 30);
        List<String> warnings = new ArrayList<>();
        try (ScoreCache c = ScoreCache.open(f, "fp", warnings::add)) {
            assertEquals(List.of(f + ": the cache ends in an incomplete entry at byte " + at
                    + " (an interrupted run?); it is cut off there and that record is scored again"), warnings);
            assertEquals(2, c.size());
        }
        assertEquals(at, Files.size(f));
    }

    @Test
    void everyGetChecksTheEntryAgainstItsCrcAndKey(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("m.bin");
        List<String> warnings = new ArrayList<>();
        try (ScoreCache c = ScoreCache.open(f, "fp", warnings::add)) {
            c.put("r0", sample(3, 0f));
            c.put("ra", sample(5, -1f));
            c.put("rb", sample(5, -7f));
            c.put("r3", sample(6, -3f));
            c.sync();
            // the file changes under the open cache: r0's entry damaged, ra and rb (same size) swapped
            List<Long> at = entryOffsets(f);
            flip(f, at.get(0) + 30);
            swap(f, at.get(1), at.get(2), at.get(3));
            assertNull(c.get("r0", "q7-r0"));
            assertEquals(List.of(f + ": cache entry of record \"q7-r0\" at byte " + at.get(0)
                    + " fails its checksum; scoring it again"), warnings);
            assertFalse(c.contains("r0"), "dropped, so the caller scores it again");
            assertNull(c.get("ra", "q7-ra"), "rb's entry at ra's offset is never read as ra's scores");
            assertEquals(f + ": cache entry of record \"q7-ra\" at byte " + at.get(1)
                    + " holds the scores of another record (key rb); scoring it again", warnings.get(1));
            assertNull(c.get("rb", "q7-rb"));
            assertEquals(3, warnings.size());
            assertEquals(-8f, c.get("r3").logprobs()[5]);
            c.put("r0", sample(3, 0f));
            assertEquals(-2f, c.get("r0").logprobs()[2]);
        }
    }

    /** Swaps two adjacent entries of the same size: [a, b) and [b, end). */
    private static void swap(Path f, long a, long b, long end) throws IOException {
        byte[] bytes = Files.readAllBytes(f);
        int n = (int) (b - a);
        assertEquals(n, end - b, "entries of the same size");
        byte[] first = java.util.Arrays.copyOfRange(bytes, (int) a, (int) b);
        System.arraycopy(bytes, (int) b, bytes, (int) a, n);
        System.arraycopy(first, 0, bytes, (int) b, n);
        Files.write(f, bytes);
    }

    @Test
    void aSwappedEntryWithAValidCrcIsReadUnderItsOwnKey(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("m.bin");
        try (ScoreCache c = ScoreCache.open(f, "fp", w -> {})) {
            c.put("ra", sample(5, -1f));
            c.put("rb", sample(5, -7f));
        }
        List<Long> at = entryOffsets(f);
        swap(f, at.get(0), at.get(1), Files.size(f));
        try (ScoreCache c = ScoreCache.open(f, "fp", w -> { throw new AssertionError(w); })) {
            assertArrayEquals(sample(5, -1f).logprobs(), c.get("ra").logprobs());
            assertArrayEquals(sample(5, -7f).logprobs(), c.get("rb").logprobs());
        }
    }

    @Test
    void aFormat1CacheIsConverted(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("old.bin");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(f))) {
            out.writeInt(0x50545343);
            out.writeInt(1);
            out.writeUTF("fp");
            for (String key : List.of("r1", "r2")) {
                java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
                DataOutputStream d = new DataOutputStream(body);
                d.writeUTF(key);
                d.writeInt(2);
                for (int v : new int[] {7, 8, 0, 1, 1, 2}) d.writeInt(v);
                d.writeFloat(Float.NaN);
                d.writeFloat(key.equals("r1") ? -1f : -2f);
                d.writeInt(0);
                d.writeInt(2);
                byte[] bytes = body.toByteArray();
                java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                crc.update(bytes);
                out.writeInt(bytes.length);
                out.write(bytes);
                out.writeLong(crc.getValue());
            }
            out.write(new byte[] {0, 0, 1});                 // a cut tail
        }
        List<String> warnings = new ArrayList<>();
        try (ScoreCache c = ScoreCache.open(f, "fp", warnings::add)) {
            assertEquals(1, warnings.size());
            assertTrue(warnings.get(0).startsWith(f + ": score cache of format 1 (an older provtrace) converted to format 2; "
                    + "2 entries kept, an incomplete tail at byte "), warnings.get(0));
            assertEquals(-2f, c.get("r2").logprobs()[1]);
            assertArrayEquals(new int[] {7, 8}, c.get("r1").ids());
        }
        try (ScoreCache c = ScoreCache.open(f, "fp", w -> { throw new AssertionError(w); })) {
            assertEquals(2, c.size());
        }
    }

    @Test
    void aCacheOpenElsewhereIsRefusedNamingTheHolder(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.bin");
        try (ScoreCache first = ScoreCache.open(f, "fp", w -> {})) {
            first.put("r1", sample(2, 0f));
            IOException e = assertThrows(RunLock.InUseException.class, () -> ScoreCache.open(f, "fp", w -> {}));
            assertTrue(e.getMessage().startsWith("score cache " + f + " is in use by another provtrace run (pid "
                    + ProcessHandle.current().pid() + ", started "), e.getMessage());
            assertTrue(e.getMessage().endsWith("); wait for it to finish or use another --cache"), e.getMessage());
            assertEquals(-1f, first.get("r1").logprobs()[1], "the first holder goes on unharmed");
        }
        Process child = LockHolder.start(dir.resolve("m.bin.lock"));
        try {
            IOException e = assertThrows(RunLock.InUseException.class, () -> ScoreCache.open(f, "fp", w -> {}));
            assertTrue(e.getMessage().contains("(pid " + child.pid() + ", started "), e.getMessage());
        } finally {
            child.destroyForcibly().waitFor();
        }
        try (ScoreCache c = ScoreCache.open(f, "fp", w -> {})) {
            assertEquals(1, c.size());
        }
    }
}
