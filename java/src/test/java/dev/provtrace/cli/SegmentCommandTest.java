package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code provtrace segment}: good records come out in order, bad ones are reported with their line and id. */
class SegmentCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int exit, String stdout, String stderr) {
        List<JsonNode> lines() throws Exception {
            List<JsonNode> out = new ArrayList<>();
            for (String l : stdout.split("\n")) if (!l.isEmpty()) out.add(JSON.readTree(l));
            return out;
        }
    }

    static Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = Main.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Path input(Path dir) throws Exception {
        Path in = dir.resolve("in.jsonl");
        Files.write(in, List.of(
                "{\"id\": \"a\", \"response\": \"<think>\\nWait. 𝑥 = 3.5?\\n</think>\\nDone.\", \"question\": \"q\"}",  // 1
                "{\"id\": \"broken\", \"response\": ",                                                                 // 2
                "{\"id\": \"none\", \"question\": \"no response\"}",                                                    // 3
                "",                                                                                                       // 4 blank
                "{\"id\": \"number\", \"response\": 42}",                                                               // 5
                "{\"id\": \"empty\", \"response\": \"\"}",                                                              // 6
                "{\"response\": \"No id.\"}",                                                                           // 7
                "{\"id\": 7, \"response\": \"  \\n<think></think>\"}",                                                  // 8 valid, no sentences
                "{\"id\": \"b\", \"response\": \"Is it 5? Yes.\"}"));                                                   // 9
        return in;
    }

    private static void assertGoodLines(List<JsonNode> lines) {
        assertEquals(3, lines.size(), "every good record is written, in input order");
        JsonNode a = lines.get(0);
        assertEquals("a", a.get("id").asText());
        assertEquals(JSON.createArrayNode()
                .add(JSON.createObjectNode().put("start", 8).put("end", 13).put("text", "Wait."))
                .add(JSON.createObjectNode().put("start", 14).put("end", 22).put("text", "𝑥 = 3.5?"))
                .add(JSON.createObjectNode().put("start", 32).put("end", 37).put("text", "Done.")), a.get("sentences"));
        assertEquals(7, lines.get(1).get("id").asInt(), "a numeric id is kept as a number");
        assertEquals(0, lines.get(1).get("sentences").size());
        assertEquals(List.of("Is it 5?", "Yes."), List.of(lines.get(2).get("sentences").get(0).get("text").asText(),
                lines.get(2).get("sentences").get(1).get("text").asText()));
    }

    private static void assertBadRecordsReported(String stderr) {
        assertTrue(stderr.contains("in.jsonl:2") && stderr.contains("malformed JSON"), stderr);
        assertTrue(stderr.contains("in.jsonl:3 (id \"none\"): \"response\" is missing"), stderr);
        assertTrue(stderr.contains("in.jsonl:5 (id \"number\"): \"response\" must be a string"), stderr);
        assertTrue(stderr.contains("in.jsonl:6 (id \"empty\"): \"response\" is empty"), stderr);
        assertTrue(stderr.contains("in.jsonl:7: \"id\" is missing"), stderr);
        assertTrue(stderr.contains("3 records segmented (5 sentences)") && stderr.contains("5 bad records"), stderr);
    }

    @Test
    void writesTheOutputFileAndReportsBadRecordsWithTheirLine(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out.jsonl");
        Run r = run("segment", "--input", input(dir).toString(), "--output", out.toString());
        assertEquals(3, r.exit(), r.stderr());
        assertBadRecordsReported(r.stderr());
        assertEquals("", r.stdout());
        assertGoodLines(new Run(0, Files.readString(out), "").lines());
    }

    @Test
    void writesToStandardOutputWithoutOutputOption(@TempDir Path dir) throws Exception {
        Run r = run("segment", "--input", input(dir).toString());
        assertEquals(3, r.exit(), r.stderr());
        assertBadRecordsReported(r.stderr());
        assertGoodLines(r.lines());
    }

    @Test
    void allGoodRecordsExitZero(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, "{\"id\": \"x\", \"response\": \"One. Two.\"}\n");
        Run r = run("segment", "--input", in.toString());
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(2, r.lines().get(0).get("sentences").size());
    }

    @Test
    void missingInputIsAClearError(@TempDir Path dir) {
        Path out = dir.resolve("out.jsonl");
        Run r = run("segment", "--input", dir.resolve("nope.jsonl").toString(), "--output", out.toString());
        assertEquals(1, r.exit());
        assertTrue(r.stderr().contains("nope.jsonl: input file not found"), r.stderr());
        assertFalse(Files.exists(out));
    }
}
