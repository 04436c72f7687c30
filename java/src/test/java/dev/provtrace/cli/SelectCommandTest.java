package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.demo.DemoCandidates;
import dev.provtrace.demo.DemoTrio;
import dev.provtrace.trace.ModelFingerprint;
import dev.provtrace.trace.PromptBuilder;
import dev.provtrace.trace.ScoreCache;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code select} on the demo trio: bad lines are reported with file:line (id) and skipped, never dropped silently;
 * an interrupted run continues from the caches and writes the same output; the SFT format; the default cache.
 */
class SelectCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static List<ObjectNode> demo;

    @BeforeAll
    static void trio() throws Exception {
        DemoTrio.generate(dir);
        demo = DemoCandidates.lines();
    }

    static String[] select(Path input, Path output, String... more) {
        List<String> args = new ArrayList<>(List.of("select",
                "--teacher", DemoTrio.modelDir(dir, DemoTrio.Role.TEACHER).toString(),
                "--student", DemoTrio.modelDir(dir, DemoTrio.Role.STUDENT).toString(),
                "--input", input.toString(), "--output", output.toString(), "--threads", "2", "--quiet"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static String line(ObjectNode o) throws Exception { return JSON.writeValueAsString(o); }

    private static ObjectNode with(ObjectNode o, String key, String value) {
        ObjectNode c = o.deepCopy();
        if (value == null) c.remove(key);
        else c.put(key, value);
        return c;
    }

    @Test
    void badLinesAreReportedWithTheirLineAndIdAndSkipped() throws Exception {
        ObjectNode student = demo.get(0), teacher = demo.get(2), single = demo.get(5);      // arith-01 -student/-teacher, arith-02-teacher
        Path in = dir.resolve("bad.jsonl");
        Files.write(in, List.of(
                line(student),                                                              // 1 good
                line(with(teacher, "id", null)),                                            // 2 no id
                line(with(teacher, "question_id", null)),                                   // 3 no question_id
                line(with(teacher, "question", null)),                                      // 4 no question
                line(with(teacher, "response", null)),                                      // 5 no response
                line(with(with(teacher, "response", ""), "id", "empty")),                   // 6 empty response
                line(with(teacher, "response", demo.get(1).get("response").asText())),      // 7 good (arith-01-teacher, mixed text)
                line(with(teacher, "response", "Other text.")),                             // 8 duplicate id
                "{\"id\": \"broken\", ",                                                    // 9 malformed JSON
                line(with(with(teacher, "response", "<think>\n</think>\n"), "id", "tags")),// 10 no sentences
                "",                                                                         // 11 blank: not a candidate
                line(with(with(teacher, "response", "Hence our computed result satisfies all stated constraints. ".repeat(600)), "id", "long")), // 12
                line(single)));                                                             // 13 good, its question's only candidate
        Path out = dir.resolve("bad-out"), output = dir.resolve("bad-selected.jsonl");
        TraceCommandTest.Run r = TraceCommandTest.run(select(in, output, "--out", out.toString(), "--compare-all"));
        assertEquals(3, r.exit(), r.err());
        String err = r.err();
        String f = in.toString();
        for (String expected : List.of(
                f + ":2: \"id\" is missing",
                f + ":3 (id \"arith-01-teacher\"): \"question_id\" is missing",
                f + ":4 (id \"arith-01-teacher\"): \"question\" is missing",
                f + ":5 (id \"arith-01-teacher\"): \"response\" is missing",
                f + ":6 (id \"empty\"): \"response\" is empty",
                f + ":8 (id \"arith-01-teacher\"): id \"arith-01-teacher\" appears twice in the input",
                f + ":9: malformed JSON",
                f + ":10 (id \"tags\"): the response has no sentences",
                f + ":12 (id \"long\"): teacher model: ",
                "max_position_embeddings",
                "9 lines were reported above and left out")) {
            assertTrue(err.contains(expected), expected + "\n--- stderr:\n" + err);
        }
        JsonNode selection = JSON.readTree(out.resolve("selection.json").toFile());
        List<Long> skippedLines = new ArrayList<>();
        selection.get("run").get("skipped").forEach(s -> skippedLines.add(s.get("line").asLong()));
        assertEquals(List.of(2L, 3L, 4L, 5L, 6L, 8L, 9L, 12L, 10L), skippedLines, "in the order they were found: validation, scoring, segmentation");
        // the three good candidates: arith-01 has two (lines 1 and 7), arith-02 one (line 13), selected with every strategy
        assertEquals(3, selection.get("candidates").get("candidates").asInt());
        for (JsonNode s : selection.get("strategies")) assertEquals(2, s.get("selected").size(), s.get("strategy").asText());
        List<JsonNode> picked = SelectDemoTest.lines(output);
        assertEquals(List.of("arith-01-teacher", "arith-02-teacher"), picked.stream().map(p -> p.get("id").asText()).toList());
        assertEquals(5, picked.get(0).get("n_sentences").asInt(), "line 7's response: the mixed text (1 Teacher) beats line 1's (0)");
        assertEquals(1, picked.get(0).get("teacher_count").asInt());
        assertEquals(List.of("arith-01-student", "arith-01-teacher", "arith-02-teacher"),
                SelectDemoTest.lines(out.resolve("candidates.jsonl")).stream().map(c -> c.get("id").asText()).toList());
    }

    /** Entries in each model's cache (teacher, student, student under the GRAPE prompt), opened as select opens them. */
    private static List<Integer> cacheEntries(Path cacheDir) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        Path teacher = DemoTrio.modelDir(dir, DemoTrio.Role.TEACHER), student = DemoTrio.modelDir(dir, DemoTrio.Role.STUDENT);
        Object[][] setups = {{"teacher", teacher, PromptBuilder.Format.CHAT}, {"student", student, PromptBuilder.Format.CHAT},
                {"student-grape", student, PromptBuilder.Format.GRAPE}};
        for (Object[] s : setups) {
            Path model = (Path) s[1];
            String fp = ModelFingerprint.of(model, PromptBuilder.create(model, (PromptBuilder.Format) s[2], null).fingerprint());
            try (ScoreCache c = ScoreCache.open(ScoreCache.fileFor(cacheDir, (String) s[0], fp), fp, w -> {})) {
                sizes.add(c.size());
            }
        }
        return sizes;
    }

    private static void deleteOutputs(Path output, Path out) throws Exception {
        Files.delete(output);
        for (String f : List.of("candidates.jsonl", "selection.json", "report.html")) Files.delete(out.resolve(f));
    }

    @Test
    void anInterruptedRunContinuesFromTheCachesAndWritesTheSameOutput() throws Exception {
        Path in = dir.resolve("all.jsonl"), half = dir.resolve("half.jsonl");
        List<String> lines = new ArrayList<>();
        for (ObjectNode o : demo) lines.add(line(o));
        Files.write(in, lines);
        Files.write(half, lines.subList(0, 17));
        Path cache = dir.resolve("restart-cache"), out = dir.resolve("restart"), output = dir.resolve("restart.jsonl");
        // a run that stopped after scoring the first 17 candidates under every model
        TraceCommandTest.Run first = TraceCommandTest.run(select(half, dir.resolve("half-selected.jsonl"), "--cache", cache.toString(),
                "--compare-all", "--chunk", "4"));
        assertEquals(0, first.exit(), first.err());
        assertEquals(List.of(17, 17, 17), cacheEntries(cache));
        // the rerun scores only the other 19
        String[] args = select(in, output, "--cache", cache.toString(), "--out", out.toString(), "--compare-all", "--chunk", "4",
                "--per-question", "2");
        TraceCommandTest.Run r = TraceCommandTest.run(args);
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(36, 36, 36), cacheEntries(cache));
        byte[] output1 = Files.readAllBytes(output), candidates1 = Files.readAllBytes(out.resolve("candidates.jsonl")),
                selection1 = Files.readAllBytes(out.resolve("selection.json"));
        assertEquals(24, SelectDemoTest.lines(output).size(), "K = 2 of 3 per question");

        // outputs gone, caches kept: nothing is scored again, and the files come back byte for byte
        deleteOutputs(output, out);
        Path[] cacheFiles;
        try (Stream<Path> files = Files.list(cache)) {
            cacheFiles = files.sorted().toArray(Path[]::new);
        }
        long[] bytes = new long[cacheFiles.length];
        for (int i = 0; i < bytes.length; i++) bytes[i] = Files.size(cacheFiles[i]);
        TraceCommandTest.Run again = TraceCommandTest.run(args);
        assertEquals(0, again.exit(), again.err());
        for (int i = 0; i < bytes.length; i++) assertEquals(bytes[i], Files.size(cacheFiles[i]), cacheFiles[i] + " did not grow");
        assertArrayEquals(output1, Files.readAllBytes(output));
        assertArrayEquals(candidates1, Files.readAllBytes(out.resolve("candidates.jsonl")));
        assertArrayEquals(selection1, Files.readAllBytes(out.resolve("selection.json")));

        // killed in the middle of writing a cache entry: the cut entry is dropped, that candidate scored again
        deleteOutputs(output, out);
        Path student = Stream.of(cacheFiles).filter(p -> p.getFileName().toString().startsWith("student-") && !p.getFileName().toString().startsWith("student-grape"))
                .findFirst().orElseThrow();
        try (FileChannel ch = FileChannel.open(student, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 20);
        }
        TraceCommandTest.Run cut = TraceCommandTest.run(args);
        assertEquals(0, cut.exit(), cut.err());
        assertTrue(cut.err().contains("incomplete entry"), cut.err());
        assertEquals(List.of(36, 36, 36), cacheEntries(cache));
        assertArrayEquals(output1, Files.readAllBytes(output));
        assertArrayEquals(candidates1, Files.readAllBytes(out.resolve("candidates.jsonl")));
    }

    @Test
    void sftFormatAndTheDefaultCacheNextToTheOutput() throws Exception {
        Path in = dir.resolve("sft-in.jsonl");
        Files.write(in, List.of(line(demo.get(0)), line(demo.get(1)), line(demo.get(2))));
        Path sub = Files.createDirectories(dir.resolve("sft")), output = sub.resolve("sft.jsonl");
        TraceCommandTest.Run r = TraceCommandTest.run(select(in, output, "--format", "sft", "--strategy", "min-teacher-count"));
        assertEquals(0, r.exit(), r.err());
        List<String> got = Files.readAllLines(output);
        ObjectNode expected = JSON.createObjectNode();
        expected.set("id", demo.get(0).get("id"));
        expected.putArray("messages").add(JSON.createObjectNode().put("role", "user").put("content", demo.get(0).get("question").asText()))
                .add(JSON.createObjectNode().put("role", "assistant").put("content", demo.get(0).get("response").asText()));
        assertEquals(List.of(JSON.writeValueAsString(expected)), got, "the student-style candidate, in chat format, with its id");
        assertTrue(Files.isDirectory(sub.resolve(".provtrace-cache")), "no --out and no --cache: .provtrace-cache next to the output");
        try (Stream<Path> files = Files.list(sub)) {
            assertEquals(3, files.count(), "the output, its (empty) rejected list and the cache, no temporary files left behind");
        }
        assertEquals(0, Files.size(sub.resolve("sft.jsonl.rejected.jsonl")), "nothing rejected");
        assertFalse(Files.exists(sub.resolve("selection.json")));
    }
}
