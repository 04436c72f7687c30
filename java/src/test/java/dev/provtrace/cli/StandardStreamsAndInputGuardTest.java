package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.demo.DemoCandidates;
import dev.provtrace.demo.DemoTrio;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code -} as --input (a replaced System.in) and --output (a captured System.out) for segment, logprobs, select
 * and trace; an output that is an input is refused before anything is written, whatever path leads to it; no
 * temp file is left after a run, and a stale one is replaced; /dev/null works as an output.
 */
class StandardStreamsAndInputGuardTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path demo;

    @BeforeAll
    static void trio() throws Exception {
        DemoTrio.generate(demo);
        DemoCandidates.write(demo.resolve(DemoCandidates.FILE));
    }

    record Run(int exit, String out, String err) {}

    /** Runs a command line with {@code stdin} as System.in (null: none) and System.out/err captured. */
    static Run run(byte[] stdin, String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        InputStream oldIn = System.in;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            if (stdin != null) System.setIn(new ByteArrayInputStream(stdin));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = Main.run(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(oldIn);
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private static Path segmentInput(Path dir) throws Exception {
        Path in = dir.resolve("c.jsonl");
        Files.write(in, List.of("{\"id\": \"a\", \"response\": \"One. Two?\"}", "{\"id\": 2, \"response\": \"Three.\"}"));
        return in;
    }

    private static List<String> tempFiles(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".provtrace-tmp") || n.endsWith(".tmp")).toList();
        }
    }

    private static final String SEGMENTED = "{\"id\":\"a\",\"sentences\":[{\"start\":0,\"end\":4,\"text\":\"One.\"},"
            + "{\"start\":5,\"end\":9,\"text\":\"Two?\"}]}\n{\"id\":2,\"sentences\":[{\"start\":0,\"end\":6,\"text\":\"Three.\"}]}\n";

    @Test
    void segmentWritesDashToStandardOutputAndMessagesToStderr(@TempDir Path dir) throws Exception {
        Path in = segmentInput(dir);
        Run r = run(null, "segment", "--input", in.toString(), "--output", "-");
        assertEquals(0, r.exit(), r.err());
        assertEquals(SEGMENTED, r.out(), "standard output carries the lines and nothing else");
        assertEquals("2 records segmented (3 sentences) -> standard output\nread 2, written 2, rejected 0\n", r.err());
        assertFalse(Files.exists(Path.of("-")), "no file named - is made");
    }

    @Test
    void segmentReadsDashFromStandardInput(@TempDir Path dir) throws Exception {
        byte[] records = Files.readAllBytes(segmentInput(dir));
        Path output = dir.resolve("seg.jsonl");
        Run r = run(records, "segment", "--input", "-", "--output", output.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(SEGMENTED, Files.readString(output));
        Run both = run(records, "segment", "--input", "-");
        assertEquals(SEGMENTED, both.out(), "stdin to stdout");
    }

    @Test
    void anOutputThatIsTheInputIsRefusedWhateverPathLeadsToIt(@TempDir Path dir) throws Exception {
        Path in = segmentInput(dir);
        byte[] before = Files.readAllBytes(in);
        Path link = Files.createSymbolicLink(dir.resolve("link.jsonl"), in.getFileName());
        Path hard = Files.createLink(dir.resolve("hard.jsonl"), in);
        for (Path output : List.of(in, dir.resolve("./c.jsonl"), dir.resolve("sub/../c.jsonl"), link, hard)) {
            if (output.toString().contains("sub/")) Files.createDirectories(dir.resolve("sub"));
            Run r = run(null, "segment", "--input", in.toString(), "--output", output.toString());
            assertEquals(2, r.exit(), r.err());
            assertEquals("error: --output " + output + " is the same file as --input " + in + ": refusing to overwrite the input\n",
                    r.err());
            assertArrayEquals(before, Files.readAllBytes(in), "the input is untouched");
        }
        assertTrue(Files.isSymbolicLink(link));
        assertEquals(List.of(), tempFiles(dir), "nothing was written, not even a temp file");
    }

    @Test
    void aStaleTempFileIsReplacedAndNoneIsLeftAfterARun(@TempDir Path dir) throws Exception {
        Path in = segmentInput(dir);
        Path output = dir.resolve("seg.jsonl");
        Files.writeString(dir.resolve(".seg.jsonl.provtrace-tmp"), "half a line from a killed run");
        Run r = run(null, "segment", "--input", in.toString(), "--output", output.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(SEGMENTED, Files.readString(output));
        assertEquals(List.of(), tempFiles(dir));
    }

    @Test
    void rejectedRecordsOfAnOutputThatIsNoFileGoToStderrOnlyNeverBesideADevice(@TempDir Path dir) throws Exception {
        Path in = Files.write(dir.resolve("bad.jsonl"), List.of("{\"id\": \"a\", \"response\": \"One.\"}", "{\"id\": true, \"response\": \"x\"}"));
        for (String output : List.of("/dev/null", "/dev/stdout", "-")) {
            Run r = run(null, "segment", "--input", in.toString(), "--output", output);
            assertEquals(3, r.exit(), r.err());
            assertTrue(r.err().contains("1 bad records reported above and skipped (listed in stderr only)"), output + ": " + r.err());
            assertTrue(r.err().contains(in + ":2: \"id\" must be a string or an integer"), r.err());
            assertFalse(Files.exists(Path.of(output + ".rejected.jsonl")), output + ": nothing written beside a device");
        }
        Path target = dir.resolve("real.jsonl"), link = Files.createSymbolicLink(dir.resolve("link.jsonl"), target);
        Run r = run(null, "segment", "--input", in.toString(), "--output", link.toString());
        assertEquals(3, r.exit(), r.err());
        assertTrue(Files.isSymbolicLink(link) && Files.isRegularFile(target), "the link is kept and its target written");
        assertEquals(1, Files.readAllLines(dir.resolve("real.jsonl.rejected.jsonl")).size(), "the rejected list sits beside the target");
    }

    @Test
    void devNullIsAnOutput(@TempDir Path dir) throws Exception {
        Run r = run(null, "segment", "--input", segmentInput(dir).toString(), "--output", "/dev/null");
        assertEquals(0, r.exit(), r.err());
        assertEquals("2 records segmented (3 sentences) -> /dev/null\nread 2, written 2, rejected 0\n", r.err());
        assertTrue(Files.isWritable(Path.of("/dev/null")) && !Files.isRegularFile(Path.of("/dev/null")));
    }

    @Test
    void logprobsReadsAndWritesTheStandardStreams(@TempDir Path dir) throws Exception {
        Path model = LogprobsCommandTest.modelWithTokenizer(dir);
        byte[] records = "{\"id\": 1, \"text\": \"hello world\"}\n{\"id\": \"b\", \"input_ids\": [5, 9, 2]}\n"
                .getBytes(StandardCharsets.UTF_8);
        Path in = Files.write(dir.resolve("in.jsonl"), records), fromFile = dir.resolve("out.jsonl");
        Run file = run(null, "logprobs", "--model", model.toString(), "--input", in.toString(), "--output", fromFile.toString(),
                "--threads", "1", "--quiet");
        assertEquals(0, file.exit(), file.err());
        Run streams = run(records, "logprobs", "--model", model.toString(), "--input", "-", "--output", "-",
                "--threads", "1", "--quiet");
        assertEquals(0, streams.exit(), streams.err());
        assertEquals(Files.readString(fromFile), streams.out(), "the same lines as from and to files");
        assertTrue(streams.err().contains("2 records scored") && streams.err().contains("-> standard output"), streams.err());
    }

    @Test
    void logprobsRefusesToOverwriteItsInputBeforeLoadingTheModel(@TempDir Path dir) throws Exception {
        Path in = Files.writeString(dir.resolve("in.jsonl"), "{\"id\": 1, \"input_ids\": [1, 2]}\n");
        Path hard = Files.createLink(dir.resolve("same.jsonl"), in);
        Run r = run(null, "logprobs", "--model", dir.resolve("no-such-model").toString(), "--input", in.toString(),
                "--output", hard.toString());
        assertEquals(2, r.exit());
        assertEquals("error: --output " + hard + " is the same file as --input " + in + ": refusing to overwrite the input\n", r.err());
        assertEquals("{\"id\": 1, \"input_ids\": [1, 2]}\n", Files.readString(in));
    }

    private static List<String> select(String input, String output, String... more) {
        List<String> args = new ArrayList<>(List.of("select",
                "--teacher", DemoTrio.modelDir(demo, DemoTrio.Role.TEACHER).toString(),
                "--student", DemoTrio.modelDir(demo, DemoTrio.Role.STUDENT).toString(),
                "--input", input, "--output", output, "--threads", "2", "--quiet"));
        args.addAll(List.of(more));
        return args;
    }

    @Test
    void selectReadsStandardInputInPassesThroughItsSpoolAndWritesStandardOutput(@TempDir Path dir) throws Exception {
        Path candidates = demo.resolve(DemoCandidates.FILE);
        Path selected = dir.resolve("selected.jsonl");
        Run file = run(null, select(candidates.toString(), selected.toString(), "--cache", dir.resolve("c1").toString())
                .toArray(String[]::new));
        assertEquals(0, file.exit(), file.err());
        Path cache = dir.resolve("c2");
        Run streams = run(Files.readAllBytes(candidates), select("-", "-", "--cache", cache.toString()).toArray(String[]::new));
        assertEquals(0, streams.exit(), streams.err());
        assertEquals(Files.readString(selected), streams.out(), "standard output holds the selected lines only");
        assertTrue(streams.err().contains("output (max-teacher-count): 12 lines -> standard output"), streams.err());
        assertTrue(streams.err().contains("standard input copied to " + cache.resolve("stdin.jsonl")), streams.err());
        assertArrayEquals(Files.readAllBytes(candidates), Files.readAllBytes(cache.resolve("stdin.jsonl")));
        assertEquals(List.of(), tempFiles(dir));
    }

    @Test
    void selectRefusesAnOutputThatIsItsInput(@TempDir Path dir) throws Exception {
        Path in = Files.copy(demo.resolve(DemoCandidates.FILE), dir.resolve("c.jsonl"));
        byte[] before = Files.readAllBytes(in);
        Run r = run(null, select(in.toString(), dir.resolve("./c.jsonl").toString()).toArray(String[]::new));
        assertEquals(2, r.exit());
        assertEquals("error: --output " + dir.resolve("./c.jsonl") + " is the same file as --input " + in
                + ": refusing to overwrite the input\n", r.err());
        // an --out folder whose candidates.jsonl is the input
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.createSymbolicLink(out.resolve("candidates.jsonl"), in);
        Run viaOut = run(null, select(in.toString(), dir.resolve("sel.jsonl").toString(), "--out", out.toString())
                .toArray(String[]::new));
        assertEquals(2, viaOut.exit());
        assertEquals("error: --out " + out.resolve("candidates.jsonl") + " is the same file as --input " + in
                + ": refusing to overwrite the input\n", viaOut.err());
        Path out2 = dir.resolve("out2");
        Run twoOutputs = run(null, select(in.toString(), out2.resolve("selection.json").toString(), "--out", out2.toString())
                .toArray(String[]::new));
        assertEquals(2, twoOutputs.exit());
        assertTrue(twoOutputs.err().contains("is the same file as --out " + out2.resolve("selection.json")
                + ": each output needs its own file"), twoOutputs.err());
        assertArrayEquals(before, Files.readAllBytes(in));
        assertFalse(Files.exists(dir.resolve("sel.jsonl")) || Files.exists(out.resolve("cache")) || Files.exists(out2),
                "nothing was scored or written");
    }

    private static String[] trace(String input, Path out) {
        return new String[]{"trace", "--teacher", DemoTrio.modelDir(demo, DemoTrio.Role.TEACHER).toString(),
                "--student", DemoTrio.modelDir(demo, DemoTrio.Role.STUDENT).toString(),
                "--distilled", DemoTrio.modelDir(demo, DemoTrio.Role.DISTILLED).toString(),
                "--input", input, "--out", out.toString(), "--threads", "2", "--quiet"};
    }

    @Test
    void traceFromStandardInputAndItsOutputsGuarded(@TempDir Path dir) throws Exception {
        Path input = DemoTrio.inputFile(demo);
        Path fromFile = dir.resolve("file"), fromStdin = dir.resolve("stdin");
        Run file = run(null, trace(input.toString(), fromFile));
        assertEquals(0, file.exit(), file.err());
        Files.createDirectories(fromStdin);
        Files.writeString(fromStdin.resolve(".summary.json.provtrace-tmp"), "{\"truncated\": ");   // a killed run's
        Run stdin = run(Files.readAllBytes(input), trace("-", fromStdin));
        assertEquals(0, stdin.exit(), stdin.err());
        for (String f : List.of("sentences.jsonl", "trajectories.jsonl")) {
            assertEquals(Files.readString(fromFile.resolve(f)), Files.readString(fromStdin.resolve(f)), f);
        }
        assertArrayEquals(Files.readAllBytes(input), Files.readAllBytes(fromStdin.resolve("cache/stdin.jsonl")));
        JsonNode summary = JSON.readTree(fromStdin.resolve("summary.json").toFile());
        assertEquals(fromStdin.resolve("cache/stdin.jsonl").toString(), summary.get("run").get("input").asText());
        assertEquals(List.of(), tempFiles(dir), "no temp file after a trace, the stale one replaced");

        // an input inside --out that the trace would write
        Path sentences = fromFile.resolve("sentences.jsonl");
        byte[] before = Files.readAllBytes(sentences);
        Run clobber = run(null, trace(sentences.toString(), fromFile));
        assertEquals(2, clobber.exit());
        assertEquals("error: --out " + sentences + " is the same file as --input " + sentences
                + ": refusing to overwrite the input\n", clobber.err());
        assertArrayEquals(before, Files.readAllBytes(sentences));

        // classify into a folder whose files are links to --scores' files: refused; in place: fine
        Path linked = Files.createDirectories(dir.resolve("linked"));
        Files.createSymbolicLink(linked.resolve("sentences.jsonl"), sentences);
        Run relabel = run(null, "classify", "--scores", fromFile.toString(), "--out", linked.toString(), "--beta", "0.2");
        assertEquals(2, relabel.exit());
        assertEquals("error: --out " + linked.resolve("sentences.jsonl") + " is the same file as --scores " + sentences
                + ": refusing to overwrite the input\n", relabel.err());
        assertArrayEquals(before, Files.readAllBytes(sentences));
        Run inPlace = run(null, "classify", "--scores", fromFile.toString(), "--beta", "0.2");
        assertEquals(0, inPlace.exit(), inPlace.err());
        assertEquals(0.2, JSON.readTree(fromFile.resolve("summary.json").toFile()).get("beta").asDouble());
        assertEquals(List.of(), tempFiles(dir));
    }
}
