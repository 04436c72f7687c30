package dev.provtrace.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.demo.DemoCandidates;
import dev.provtrace.demo.DemoTrio;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Kill -9 and rerun: {@code logprobs}, {@code trace} and {@code select} run in a child JVM on the demo trio, are
 * killed with SIGKILL at several points of one run after another (chosen from what the run has put on disk so far:
 * the partial output or the score caches, measured against an uninterrupted run's), and the last rerun goes to the
 * end. Its output folder must then hold exactly the uninterrupted run's files, byte for byte, and nothing else: no
 * partial, progress record or temp file left behind.
 */
class KillResumeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path teacher, student, distilled;

    @BeforeAll
    static void trio() throws Exception {
        DemoTrio.generate(dir.resolve("demo"));
        teacher = DemoTrio.modelDir(dir.resolve("demo"), DemoTrio.Role.TEACHER);
        student = DemoTrio.modelDir(dir.resolve("demo"), DemoTrio.Role.STUDENT);
        distilled = DemoTrio.modelDir(dir.resolve("demo"), DemoTrio.Role.DISTILLED);
    }

    @Test
    void logprobsKilledThreeTimesEndsIdentical() throws Exception {
        List<String> lines = new ArrayList<>();
        List<ObjectNode> records = demoRecords();
        for (int i = 0; i < 360; i++) {
            ObjectNode r = records.get(i % records.size());
            lines.add(JSON.writeValueAsString(JSON.createObjectNode().put("id", i)
                    .put("text", r.get("question").asText() + " " + r.get("response").asText())));
        }
        lines.set(7, "{\"id\": \"empty\", \"text\": \"\"}");   // a bad record before the first kill: counted once, at the end
        Path in = Files.write(dir.resolve("lp-input.jsonl"), lines);
        Path work = Files.createDirectories(dir.resolve("lp")), output = work.resolve("scores.jsonl");
        String[] args = {"logprobs", "--model", teacher.toString(), "--input", in.toString(), "--output", output.toString(),
                "--threads", "1", "--batch-tokens", "128", "--top-k", "2"};

        Reference ref = uninterrupted(work, args);
        Path reference = ref.folder();
        assertTrue(ref.exit() != 0, "the bad record makes the exit code say so");
        long size = Files.size(reference.resolve("scores.jsonl"));
        Path partial = work.resolve(".scores.jsonl.partial");
        LongSupplier partialBytes = () -> sizeOf(partial);

        Child first = Child.start(args);
        first.killWhen("the partial output exists", () -> Files.exists(partial));
        assertFalse(Files.exists(output), "a killed run never leaves the output's name");
        Child second = Child.start(args);
        second.killWhen("a third of the output is in the partial", () -> partialBytes.getAsLong() >= size / 3);
        long before = partialBytes.getAsLong();
        Child third = Child.start(args);
        third.killWhen("two thirds of the output are in the partial", () -> partialBytes.getAsLong() >= 2 * size / 3);
        assertTrue(before >= size / 3 && partialBytes.getAsLong() > before, "the third run added to the second's partial");
        assertFalse(Files.exists(output));
        Child last = Child.start(args);
        int exit = last.waitForEnd();

        Matcher resumed = Pattern.compile("resuming: (\\d+) of 360 records already scored in \\.scores\\.jsonl\\.partial \\(1 bad records among them")
                .matcher(last.stderr());
        assertTrue(resumed.find(), last.stderr());
        long already = Long.parseLong(resumed.group(1));
        assertTrue(already >= 360 * 2 / 3 - 40 && already < 360, "resumed from about two thirds: " + already);
        assertFalse(last.stderr().contains("lp-input.jsonl:8"), "the bad record was reported by the run that read it: " + last.stderr());
        assertTrue(last.stderr().contains("359 records scored"), last.stderr());
        assertEquals(ref.exit(), exit, "the bad record of the first part still counts: " + last.stderr());
        assertSameFiles(reference, work);
    }

    @Test
    void traceKilledWhileScoringEachModelAndWhileWritingEndsIdentical() throws Exception {
        List<String> lines = new ArrayList<>();
        List<ObjectNode> records = demoRecords();
        for (int i = 0; i < 180; i++) {
            ObjectNode r = records.get(i % records.size()).deepCopy();
            r.put("id", r.get("id").asText() + "-" + i).put("question", r.get("question").asText() + " (" + i + ")");
            lines.add(JSON.writeValueAsString(r));
        }
        Path in = Files.write(dir.resolve("trace-input.jsonl"), lines);
        Path work = Files.createDirectories(dir.resolve("trace")), out = work.resolve("out");
        String[] args = {"trace", "--teacher", teacher.toString(), "--student", student.toString(), "--distilled",
                distilled.toString(), "--input", in.toString(), "--out", out.toString(), "--threads", "1"};

        Path reference = uninterrupted(out, args).folder();
        Child.start(args).killWhen("the teacher's cache is half full", cacheAt(reference, out, "teacher", 0.5));
        Child.start(args).killWhen("the student's cache is half full", cacheAt(reference, out, "student", 0.5));
        Child.start(args).killWhen("the distilled model's cache is 90% full", cacheAt(reference, out, "distilled", 0.9));
        Child.start(args).killWhen("sentences.jsonl is being written", writing(out.resolve("sentences.jsonl")));
        assertFalse(Files.exists(out.resolve("summary.json")));
        Child last = Child.start(args);
        assertEquals(0, last.waitForEnd(), last.stderr());
        assertSameFiles(reference, out);
    }

    @Test
    void selectKilledWhileScoringEachModelAndWhileWritingEndsIdentical() throws Exception {
        List<String> lines = new ArrayList<>();
        List<ObjectNode> candidates = DemoCandidates.lines();
        for (int i = 0; i < 6; i++) {
            for (ObjectNode c : candidates) {
                ObjectNode r = c.deepCopy();
                r.put("id", r.get("id").asText() + "-" + i).put("question_id", r.get("question_id").asText() + "-" + i)
                        .put("question", r.get("question").asText() + " (" + i + ")");
                lines.add(JSON.writeValueAsString(r));
            }
        }
        Path in = Files.write(dir.resolve("select-input.jsonl"), lines);
        Path work = Files.createDirectories(dir.resolve("select")), out = work.resolve("out");
        String[] args = {"select", "--teacher", teacher.toString(), "--student", student.toString(), "--input", in.toString(),
                "--output", out.resolve("selected.jsonl").toString(), "--out", out.toString(), "--threads", "1"};

        Path reference = uninterrupted(out, args).folder();
        Child.start(args).killWhen("the teacher's cache is a third full", cacheAt(reference, out, "teacher", 0.33));
        Child.start(args).killWhen("the teacher's cache is 90% full", cacheAt(reference, out, "teacher", 0.9));
        Child.start(args).killWhen("the student's cache is half full", cacheAt(reference, out, "student", 0.5));
        Child.start(args).killWhen("candidates.jsonl is being written", writing(out.resolve("candidates.jsonl")));
        assertFalse(Files.exists(out.resolve("selected.jsonl")));
        Child last = Child.start(args);
        assertEquals(0, last.waitForEnd(), last.stderr());
        assertSameFiles(reference, out);
    }

    /**
     * Runs {@code args} to the end (in this JVM: it is only the yardstick) and moves what it wrote in {@code folder}
     * aside: the reference. The killed runs then write under the very same paths, so paths inside the outputs agree.
     */
    private static Reference uninterrupted(Path folder, String... args) throws Exception {
        List<String> quiet = new ArrayList<>(List.of(args));
        quiet.add("--quiet");
        int exit = Main.run(quiet.toArray(String[]::new));
        assertTrue(exit != 1, "the uninterrupted run failed (exit 1)");
        Path reference = folder.resolveSibling(folder.getFileName() + "-reference");
        Files.move(folder, reference);
        Files.createDirectories(folder);
        return new Reference(reference, exit);
    }

    /** What the uninterrupted run wrote (moved aside) and its exit code. */
    private record Reference(Path folder, int exit) {}

    /** A temp file of {@code output} (".NAME." followed by anything) exists: the run is writing that output. */
    private static Killer writing(Path output) {
        String prefix = "." + output.getFileName() + ".";
        return () -> {
            try (Stream<Path> s = Files.list(output.getParent())) {
                return s.anyMatch(p -> p.getFileName().toString().startsWith(prefix));
            } catch (NoSuchFileException e) {
                return false;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    /** A condition on the size of one model's score cache in {@code out}/cache, as a fraction of the reference's. */
    private static Killer cacheAt(Path reference, Path out, String role, double fraction) throws IOException {
        Path refCache;
        try (Stream<Path> s = Files.list(reference.resolve("cache"))) {
            refCache = s.filter(p -> p.getFileName().toString().startsWith(role + "-")).findFirst().orElseThrow();
        }
        long target = (long) (Files.size(refCache) * fraction);
        Path cache = out.resolve("cache").resolve(refCache.getFileName());
        return () -> sizeOf(cache) >= target;
    }

    /** Every file below {@code want} is below {@code got} with the same bytes, and {@code got} has nothing else. */
    private static void assertSameFiles(Path want, Path got) throws IOException {
        Map<String, Path> wantFiles = files(want), gotFiles = files(got);
        List<String> extra = new ArrayList<>();
        for (String name : gotFiles.keySet()) {
            if (!wantFiles.containsKey(name)) extra.add(name);   // a temp file, a partial, a progress record: none may stay
        }
        assertEquals(List.of(), extra, "left behind in " + got);
        for (Map.Entry<String, Path> e : wantFiles.entrySet()) {
            Path g = gotFiles.get(e.getKey());
            assertTrue(g != null, e.getKey() + " is missing from " + got);
            assertArrayEquals(Files.readAllBytes(e.getValue()), Files.readAllBytes(g), e.getKey() + " differs");
        }
    }

    private static Map<String, Path> files(Path root) throws IOException {
        Map<String, Path> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) out.put(root.relativize(p).toString(), p);
        }
        return out;
    }

    private static List<ObjectNode> demoRecords() throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(DemoTrio.inputFile(dir.resolve("demo")))) out.add((ObjectNode) JSON.readTree(l));
        return out;
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException e) {
            throw new AssertionError(p + ": " + e.getMessage(), e);
        }
    }

    interface Killer {
        boolean due();
    }

    /** {@code provtrace} in a child JVM, stdout and stderr to files beside its working folder. */
    private record Child(Process process, Path stderrFile) {
        private static int count;

        static Child start(String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx512m",
                    "-cp", System.getProperty("java.class.path"), "dev.provtrace.cli.Main"));
            cmd.addAll(List.of(args));
            Path logs = Files.createDirectories(dir.resolve("logs"));
            int n = ++count;
            Path err = logs.resolve(n + ".stderr"), out = logs.resolve(n + ".stdout");
            Process p = new ProcessBuilder(cmd).directory(dir.toFile())
                    .redirectError(err.toFile()).redirectOutput(out.toFile()).start();
            return new Child(p, err);
        }

        /** SIGKILL as soon as {@code killer} says so; fails if the run ended first (the kill would prove nothing). */
        void killWhen(String what, Killer killer) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!killer.due()) {
                if (!process.isAlive()) fail("the run ended (exit " + process.exitValue() + ") before " + what + ":\n" + stderr());
                if (System.nanoTime() > deadline) fail("no " + what + " after 120 s:\n" + stderr());
                Thread.sleep(1);
            }
            process.destroyForcibly();     // SIGKILL on Unix: no shutdown hook, no finally block runs
            assertTrue(process.waitFor(60, TimeUnit.SECONDS));
            assertEquals(137, process.exitValue(), "killed by SIGKILL when " + what + ", not ended by itself:\n" + stderr());
        }

        int waitForEnd() throws Exception {
            if (!process.waitFor(300, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("did not end within 300 s:\n" + stderr());
            }
            return process.exitValue();
        }

        String stderr() {
            try {
                return Files.readString(stderrFile);
            } catch (IOException e) {
                return "(stderr unreadable: " + e.getMessage() + ")";
            }
        }
    }
}
