package dev.provtrace.cli;

import dev.provtrace.io.LockHolder;
import dev.provtrace.io.RunLock;
import dev.provtrace.io.RunManifest;
import dev.provtrace.engine.EngineOptions;
import dev.provtrace.trace.BetaChoice;
import dev.provtrace.trace.ModelFingerprint;
import dev.provtrace.trace.PromptBuilder;
import dev.provtrace.trace.ScoreCache;
import dev.provtrace.trace.TraceJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * trace and select beside other runs: a second run on a folder or cache is refused naming the holder (in this JVM or
 * another process) and writes nothing; a damaged cache entry is scored again alone and the outputs come out the
 * same; outputs of other settings are refused naming the difference, and --overwrite starts afresh.
 */
class RunSafetyTest {
    private static final String TEMPLATE = "{% for m in messages %}User: {{ m['content'] }}\n{% endfor %}"
            + "{% if add_generation_prompt %}Assistant: {% endif %}";
    private static final String ME = "pid " + ProcessHandle.current().pid() + ", started ";

    private record Models(Path teacher, Path student, Path distilled, Path other) {}

    private static Models models(Path dir) throws Exception {
        return new Models(TraceCommandTest.model(dir, "llama", TEMPLATE), TraceCommandTest.model(dir, "qwen2", TEMPLATE),
                TraceCommandTest.model(dir, "mistral", TEMPLATE), TraceCommandTest.model(dir.resolve("other"), "qwen2", "Q: "
                        + TEMPLATE));
    }

    private static Path input(Path dir, String name, int n) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add("{\"id\": \"q" + i + "\", \"question_id\": \"q" + (i / 2) + "\", \"question\": \"What is " + i + " plus " + i
                    + "?\", \"response\": \"Let me add them. " + i + " plus " + i + " is " + (2 * i) + ". So the answer is "
                    + (2 * i) + ".\"}");
        }
        return Files.write(dir.resolve(name), lines);
    }

    private static TraceCommandTest.Run trace(Models m, Path in, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("trace", "--teacher", m.teacher().toString(), "--student",
                m.student().toString(), "--distilled", m.distilled().toString(), "--input", in.toString(),
                "--out", out.toString(), "--threads", "2", "--quiet"));
        args.addAll(Arrays.asList(more));
        return TraceCommandTest.run(args.toArray(String[]::new));
    }

    private static Path cacheFile(Path cacheDir, String role) throws Exception {
        try (Stream<Path> files = Files.list(cacheDir)) {
            return files.filter(p -> p.getFileName().toString().matches(role + "-[0-9a-f]{16}\\.bin")).findFirst().orElseThrow();
        }
    }

    private static List<Long> entryOffsets(Path f) throws Exception {
        byte[] b = Files.readAllBytes(f);
        byte[] sync = ByteBuffer.allocate(8).putLong(0xC35A718E5054454EL).array();
        List<Long> at = new ArrayList<>();
        for (int i = 0; i + 8 <= b.length; i++) if (Arrays.equals(b, i, i + 8, sync, 0, 8)) at.add((long) i);
        return at;
    }

    @Test
    void aSecondRunOnAFolderOrCacheIsRefusedNamingTheHolderAndWritesNothing(@TempDir Path dir) throws Exception {
        Models m = models(dir);
        Path in = input(dir, "in.jsonl", 3), cache = dir.resolve("shared-cache");
        try (RunLock other = RunLock.folder(cache, "--cache")) {            // another run of this JVM on the cache
            TraceCommandTest.Run r = trace(m, in, dir.resolve("out1"), "--cache", cache.toString());
            assertEquals(1, r.exit());
            assertEquals("error: " + cache + " is in use by another provtrace run (" + other.holder()
                    + "); wait for it to finish or use another --cache\n", r.err());
            assertTrue(other.holder().startsWith(ME), other.holder());
        }
        assertFalse(Files.exists(dir.resolve("out1/sentences.jsonl")));
        assertFalse(Files.exists(dir.resolve("out1").resolve(RunManifest.FILE)), "refused before the manifest");

        Path out2 = dir.resolve("out2");
        Files.createDirectories(out2);
        Process child = LockHolder.start(out2.resolve(RunLock.FOLDER_LOCK));  // a run in another process on the folder
        try {
            TraceCommandTest.Run r = trace(m, in, out2);
            assertEquals(1, r.exit());
            assertTrue(r.err().startsWith("error: " + out2 + " is in use by another provtrace run (pid " + child.pid()
                    + ", started "), r.err());
            assertTrue(r.err().endsWith("); wait for it to finish or use another --out\n"), r.err());

            // select on a cache the child holds: refused the same way
            Process cacheHolder = LockHolder.start(Files.createDirectories(dir.resolve("sel-cache")).resolve(RunLock.FOLDER_LOCK));
            try {
                TraceCommandTest.Run s = TraceCommandTest.run("select", "--teacher", m.teacher().toString(), "--student",
                        m.student().toString(), "--input", in.toString(), "--output", dir.resolve("sel.jsonl").toString(),
                        "--cache", dir.resolve("sel-cache").toString(), "--quiet");
                assertEquals(1, s.exit());
                assertTrue(s.err().startsWith("error: " + dir.resolve("sel-cache") + " is in use by another provtrace run (pid "
                        + cacheHolder.pid() + ", started "), s.err());
                assertFalse(Files.exists(dir.resolve("sel.jsonl")));
            } finally {
                cacheHolder.destroyForcibly().waitFor();
            }
        } finally {
            child.destroyForcibly().waitFor();                               // kill -9: its lock goes with it
        }
        TraceCommandTest.Run r = trace(m, in, out2);
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.isRegularFile(out2.resolve("sentences.jsonl")));
    }

    @Test
    void aFlippedByteInTheMiddleOfACacheIsRescoredAloneWithTheSameOutputs(@TempDir Path dir) throws Exception {
        Models m = models(dir);
        Path in = input(dir, "in.jsonl", 5), out = dir.resolve("out");
        // the record is scored alone the second time and with the others the first: bitwise the same only where a
        // text's numbers do not depend on its batch (the CPU's do, by fp32 rounding: OpenBLAS picks kernels by rows)
        String[] invariant = {"--device", "cuda-emu", "--precision", "fp32", "--batch-invariant"};
        assertEquals(0, trace(m, in, out, invariant).exit());
        List<byte[]> clean = new ArrayList<>();
        for (String f : List.of("sentences.jsonl", "trajectories.jsonl", "summary.json")) clean.add(Files.readAllBytes(out.resolve(f)));
        Path teacher = cacheFile(out.resolve("cache"), "teacher");
        byte[] studentCache = Files.readAllBytes(cacheFile(out.resolve("cache"), "student"));
        byte[] before = Files.readAllBytes(teacher);
        List<Long> at = entryOffsets(teacher);
        assertEquals(5, at.size());
        byte[] damaged = before.clone();
        damaged[(int) (at.get(2) + (at.get(3) - at.get(2)) / 2)] ^= 1;            // one bit in the middle of the 3rd entry
        Files.write(teacher, damaged);

        TraceCommandTest.Run r = trace(m, in, out, invariant);
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("warning: " + teacher + ": 1 damaged entry skipped (byte " + at.get(2) + "), 2 entries after it kept; "
                + "its record is scored again"), r.err().lines().filter(l -> !l.startsWith("read ") && !l.startsWith("device: ")).toList());
        // exactly one record was scored again: the cache lost the damaged entry, gained one, and is as long as before
        byte[] after = Files.readAllBytes(teacher);
        assertEquals(before.length, after.length);
        assertArrayEquals(Arrays.copyOf(before, at.get(2).intValue()), Arrays.copyOf(after, at.get(2).intValue()));
        assertArrayEquals(Arrays.copyOfRange(before, at.get(3).intValue(), before.length),
                Arrays.copyOfRange(after, at.get(2).intValue(), at.get(2).intValue() + before.length - at.get(3).intValue()),
                "the entries after the damaged one kept as they were");
        assertArrayEquals(Arrays.copyOfRange(before, at.get(2).intValue(), at.get(3).intValue()),
                Arrays.copyOfRange(after, after.length - (int) (at.get(3) - at.get(2)), after.length),
                "the record scored again, appended: the same bytes as the first time");
        assertArrayEquals(studentCache, Files.readAllBytes(cacheFile(out.resolve("cache"), "student")), "the other caches untouched");
        List<String> names = List.of("sentences.jsonl", "trajectories.jsonl", "summary.json");
        for (int i = 0; i < names.size(); i++) assertArrayEquals(clean.get(i), Files.readAllBytes(out.resolve(names.get(i))), names.get(i));
        String fp = ModelFingerprint.of(m.teacher(), PromptBuilder.create(m.teacher(), PromptBuilder.Format.CHAT, null).fingerprint(),
                "cuda-emu", dev.provtrace.engine.Precision.FP32, true);
        try (ScoreCache c = ScoreCache.open(teacher, fp, w -> { throw new AssertionError(w); })) {
            assertEquals(5, c.size());
        }
    }

    @Test
    void outputsOfOtherSettingsAreRefusedNamingTheDifferenceAndOverwriteStartsAfresh(@TempDir Path dir) throws Exception {
        Models m = models(dir);
        Path in = input(dir, "in.jsonl", 3), out = dir.resolve("out");
        assertEquals(0, trace(m, in, out).exit());
        Files.writeString(out.resolve("notes.txt"), "mine");
        byte[] sentences = Files.readAllBytes(out.resolve("sentences.jsonl"));
        Path oldStudentCache = cacheFile(out.resolve("cache"), "student");

        Models changed = new Models(m.teacher(), m.other(), m.distilled(), m.other());
        String studentWas = m.student() + " (fingerprint ", studentNow = m.other() + " (fingerprint ";
        TraceCommandTest.Run r = trace(changed, in, out, "--alpha", "0.2");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("error: " + out + " was made with --student " + studentWas), r.err());
        assertTrue(r.err().contains("), now " + studentNow), r.err());
        assertTrue(r.err().endsWith("); --alpha 0.1, now 0.2; use another --out, or --overwrite to start afresh\n"), r.err());
        assertArrayEquals(sentences, Files.readAllBytes(out.resolve("sentences.jsonl")), "nothing written");

        Path in2 = input(dir, "in2.jsonl", 2);
        r = trace(m, in2, out, "--prompt-format", "raw");
        assertEquals("error: " + out + " was made with --input " + in + ", now " + in2 + "; --prompt-format chat, now raw; "
                + "use another --out, or --overwrite to start afresh\n", r.err());

        // the same settings: accepted, served from the caches
        long studentBytes = Files.size(oldStudentCache);
        assertEquals(0, trace(m, in, out).exit());
        assertEquals(studentBytes, Files.size(oldStudentCache));

        // --overwrite: provtrace's files go (the old student's cache too), the user's stay, and the run starts afresh
        r = trace(changed, in, out, "--alpha", "0.2", "--overwrite");
        assertEquals(0, r.exit(), r.err());
        assertFalse(Files.exists(oldStudentCache), "the old run's cache deleted");
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
        Path fresh = dir.resolve("fresh");
        assertEquals(0, trace(changed, in, fresh, "--alpha", "0.2").exit());
        for (String f : List.of("sentences.jsonl", "trajectories.jsonl")) {
            assertArrayEquals(Files.readAllBytes(fresh.resolve(f)), Files.readAllBytes(out.resolve(f)), f);
        }
        try (Stream<Path> files = Files.list(out.resolve("cache"))) {
            assertEquals(List.of(".provtrace.lock", "distilled", "student", "teacher"), files
                    .map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".lock") || n.startsWith("."))
                    .map(n -> n.startsWith(".") ? n : n.substring(0, n.indexOf('-'))).sorted().toList(),
                    "one cache per model of this run, no leftovers");
        }
        // and the new settings are the folder's now
        r = trace(m, in, out);
        assertTrue(r.err().contains("was made with --student " + studentNow), r.err());
    }

    @Test
    void aRunThatMeetsARunningJobOnItsCacheIsRefusedAndTheJobsOutputIsRight(@TempDir Path dir) throws Exception {
        Models m = models(dir);
        Path in = input(dir, "in.jsonl", 4), cache = dir.resolve("cache");
        java.util.concurrent.CountDownLatch paused = new java.util.concurrent.CountDownLatch(1),
                resume = new java.util.concurrent.CountDownLatch(1);
        TraceJob job = new TraceJob(new TraceJob.Models(m.teacher(), m.student(), m.distilled()),
                new TraceJob.Options(PromptBuilder.Format.CHAT, null, 0.1, new BetaChoice(false, 0.1),
                        new EngineOptions(2, 4096, false)), System.err);
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread a = new Thread(() -> {
            try {
                job.run(in, dir.resolve("a"), cache, (role, done, total) -> {
                    if (role.equals("student") && done == 0) {           // teacher scored, student's cache open
                        paused.countDown();
                        try {
                            resume.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                });
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        a.start();
        try {
            paused.await();
            TraceCommandTest.Run b = trace(m, in, dir.resolve("b"), "--cache", cache.toString());
            assertEquals(1, b.exit());
            assertTrue(b.err().startsWith("error: score cache " + cache.resolve("teacher-")), b.err());
            assertTrue(b.err().contains(" is in use by another provtrace run (" + ME), b.err());
            assertFalse(Files.exists(dir.resolve("b/sentences.jsonl")));
        } finally {
            resume.countDown();
            a.join();
        }
        assertEquals(null, failure.get());
        assertEquals(0, trace(m, in, dir.resolve("reference")).exit());
        for (String f : List.of("sentences.jsonl", "trajectories.jsonl")) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("reference").resolve(f)), Files.readAllBytes(dir.resolve("a").resolve(f)), f);
        }
    }

    @Test
    void selectsOutIsGuardedTooAndOverwriteDeletesOnlyThisRunsCaches(@TempDir Path dir) throws Exception {
        Models m = models(dir);
        Path in = input(dir, "in.jsonl", 4), out = dir.resolve("sel"), cache = dir.resolve("shared-cache");
        List<String> base = List.of("select", "--teacher", m.teacher().toString(), "--student", m.student().toString(),
                "--input", in.toString(), "--output", dir.resolve("selected.jsonl").toString(), "--out", out.toString(),
                "--cache", cache.toString(), "--threads", "2", "--quiet");
        TraceCommandTest.Run first = TraceCommandTest.run(base.toArray(String[]::new));
        assertEquals(0, first.exit(), first.err());
        byte[] candidates = Files.readAllBytes(out.resolve("candidates.jsonl"));
        Path teacherCache = cacheFile(cache, "teacher");
        // another run's cache in the shared folder (another teacher) must survive this run's --overwrite
        Path foreign = Files.writeString(cache.resolve("teacher-00000000000000ff.bin"), "another run's cache");

        List<String> other = new ArrayList<>(base);
        other.addAll(List.of("--beta", "0.2", "--strategy", "random", "--seed", "7"));
        TraceCommandTest.Run refused = TraceCommandTest.run(other.toArray(String[]::new));
        assertEquals(1, refused.exit());
        assertEquals("error: " + out + " was made with --beta 0.1, now 0.2; --strategy max-teacher-count, now random; "
                + "--seed (not used), now 7; use another --out, or --overwrite to start afresh\n", refused.err());
        assertArrayEquals(candidates, Files.readAllBytes(out.resolve("candidates.jsonl")));

        java.nio.file.attribute.FileTime epoch = java.nio.file.attribute.FileTime.fromMillis(0);
        Files.setLastModifiedTime(teacherCache, epoch);                  // a cache kept as it is would keep this time
        other.add("--overwrite");
        TraceCommandTest.Run fresh = TraceCommandTest.run(other.toArray(String[]::new));
        assertEquals(0, fresh.exit(), fresh.err());
        assertEquals("another run's cache", Files.readString(foreign), "not this run's: kept");
        assertTrue(Files.getLastModifiedTime(teacherCache).compareTo(epoch) > 0, "this run's cache deleted and scored afresh");
        assertEquals("random", RunManifest.read(out).settings().get("--strategy").value());
    }
}
