package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.demo.DemoCandidates;
import dev.provtrace.demo.DemoTrio;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One bad record never stops a run, in every command that reads records: each is reported on stderr with file:line
 * (id), listed in rejected.jsonl, counted (read = written + rejected) and the exit code is 3; the others go through,
 * with their ids exactly as given.
 */
class BadRecordsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BIG = "12345678901234567890";

    private static List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) out.add(JSON.readTree(l));
        return out;
    }

    private static void assertContainsAll(String text, List<String> expected) {
        for (String e : expected) assertTrue(text.contains(e), e + "\n--- in:\n" + text);
    }

    /** The ids of a rejected.jsonl's lines with their lines, as JSON text: [line, id]. */
    private static List<String> rejectedLines(Path file) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode n : lines(file)) out.add(n.get("line") + " " + n.get("id"));
        return out;
    }

    @Test
    void traceLetsEveryGoodRecordThroughAndKeepsIdsAsGiven(@TempDir Path dir) throws Exception {
        String tpl = "{% for m in messages %}{{ m['content'] }}\n{% endfor %}";
        Path t = TraceCommandTest.model(dir, "llama", tpl), s = TraceCommandTest.model(dir, "qwen2", tpl),
                d = TraceCommandTest.model(dir, "mistral", tpl);
        Path in = dir.resolve("in.jsonl");
        Files.write(in, List.of(
                "{\"id\": 5, \"question\": \"Q?\", \"response\": \"It is five. Done.\"}",                   // 1 good, integer id
                "{\"id\": \"surrogate\", \"question\": \"Q?\", \"response\": \"Bad \\ud800 text.\"}",         // 2 lone surrogate
                "{\"id\": " + BIG + ", \"question\": \"Q?\", \"response\": \"A big id. Fine.\"}",             // 3 good, big id
                "{\"id\": 1E2, \"question\": \"Q?\", \"response\": \"Float id.\"}",                           // 4 float id
                "{\"id\": \"q5\", \"question\": 5, \"response\": \"Wrong type.\"}",                           // 5 question a number
                "{\"id\": \"r6\", \"question\": \"Q?\", \"response\": [\"a\"]}",                              // 6 response an array
                "{\"id\": \"long\", \"question\": \"Q?\", \"response\": \"" + "Long. ".repeat(200) + "\"}", // 7 over 1000 bytes
                "{\"id\": \"5\", \"question\": \"Q?\", \"response\": \"Same text as 5.\"}",                 // 8 duplicate of 5
                "{\"id\": \"s9\", \"question\": \"Q?\", \"response\": \"The last one.\"}"));                  // 9 good
        Path out = dir.resolve("out");
        TraceCommandTest.Run r = TraceCommandTest.run("trace", "--teacher", t.toString(), "--student", s.toString(),
                "--distilled", d.toString(), "--input", in.toString(), "--out", out.toString(), "--threads", "2", "--quiet",
                "--max-line-bytes", "1000");
        assertEquals(3, r.exit(), r.err());
        String f = in.toString();
        assertContainsAll(r.err(), List.of(
                f + ":2 (id \"surrogate\"): invalid Unicode: a lone surrogate \\ud800 in \"response\" at character 4",
                f + ":4: \"id\" must be a string or an integer, got 1E+2",
                f + ":5 (id \"q5\"): \"question\" must be a string, got number 5",
                f + ":6 (id \"r6\"): \"response\" must be a string, got array",
                f + ":7: the line is 1248 bytes, longer than --max-line-bytes 1000; skipped without reading it",
                f + ":8 (id \"5\"): id \"5\" appears twice in the input",
                "6 records were reported above and left out",
                "read 9, written 3, rejected 6"));

        List<JsonNode> responses = lines(out.resolve("trajectories.jsonl"));
        assertEquals(List.of("5", BIG, "\"s9\""), responses.stream().map(n -> n.get("id").toString()).toList(),
                "ids as given, types kept");
        assertTrue(responses.get(1).get("id").isBigInteger());
        for (JsonNode sn : lines(out.resolve("sentences.jsonl"))) {
            assertTrue(sn.get("id").isNumber() || sn.get("id").asText().equals("s9"), sn.toString());
        }
        assertEquals(new BigInteger(BIG), lines(out.resolve("sentences.jsonl")).stream()
                .filter(n -> n.get("id").isBigInteger()).findFirst().orElseThrow().get("id").bigIntegerValue());
        assertEquals(List.of("2 \"surrogate\"", "4 null", "5 \"q5\"", "6 \"r6\"", "7 null", "8 \"5\""),
                rejectedLines(out.resolve("rejected.jsonl")));

        // classify reads the ids back with their types
        TraceCommandTest.Run relabel = TraceCommandTest.run("classify", "--scores", out.toString(), "--out", dir.resolve("re").toString());
        assertEquals(0, relabel.exit(), relabel.err());
        assertEquals(lines(out.resolve("trajectories.jsonl")), lines(dir.resolve("re/trajectories.jsonl")));

        // a hand-edited probability is an error naming the file and line, never read as 0
        Path sentences = out.resolve("sentences.jsonl");
        List<String> edited = new ArrayList<>(Files.readAllLines(sentences));
        ObjectNode second = (ObjectNode) JSON.readTree(edited.get(1));
        second.put("p_S", "abc");
        edited.set(1, JSON.writeValueAsString(second));
        Files.write(sentences, edited);
        TraceCommandTest.Run bad = TraceCommandTest.run("classify", "--scores", out.toString(), "--out", dir.resolve("re2").toString());
        assertEquals(1, bad.exit(), bad.err());
        assertContainsAll(bad.err(), List.of(sentences + ":2: \"p_S\" must be a probability in [0, 1] or null, got \"abc\""));
        second.put("p_S", 1.5);
        edited.set(1, JSON.writeValueAsString(second));
        Files.write(sentences, edited);
        bad = TraceCommandTest.run("classify", "--scores", out.toString(), "--out", dir.resolve("re3").toString());
        assertEquals(1, bad.exit(), bad.err());
        assertContainsAll(bad.err(), List.of(sentences + ":2: \"p_S\" must be a probability in [0, 1] or null, got 1.5"));
    }

    @Test
    void selectLetsEveryGoodCandidateThroughAndKeepsIdsAsGiven(@TempDir Path dir) throws Exception {
        DemoTrio.generate(dir);
        List<ObjectNode> demo = DemoCandidates.lines();
        ObjectNode a = demo.get(0).deepCopy(), b = demo.get(2).deepCopy(), c = demo.get(5).deepCopy();
        a.put("id", new BigInteger(BIG));
        b.put("id", 7);
        ObjectNode surrogate = demo.get(1).deepCopy();
        Path in = dir.resolve("cands.jsonl");
        Files.write(in, List.of(
                JSON.writeValueAsString(a),                                                              // 1 good, big id
                JSON.writeValueAsString(surrogate).replace("\"response\":\"", "\"response\":\"\\ud800"),  // 2 lone surrogate
                JSON.writeValueAsString(b),                                                              // 3 good, id 7
                JSON.writeValueAsString(c.deepCopy().put("id", "x").put("question_id", true)),           // 4 question_id a boolean
                JSON.writeValueAsString(c)));                                                            // 5 good
        Path out = dir.resolve("sel"), output = dir.resolve("selected.jsonl");
        TraceCommandTest.Run r = TraceCommandTest.run("select",
                "--teacher", DemoTrio.modelDir(dir, DemoTrio.Role.TEACHER).toString(),
                "--student", DemoTrio.modelDir(dir, DemoTrio.Role.STUDENT).toString(),
                "--input", in.toString(), "--output", output.toString(), "--out", out.toString(),
                "--per-question", "5", "--threads", "2", "--quiet");
        assertEquals(3, r.exit(), r.err());
        assertContainsAll(r.err(), List.of(
                in + ":2 (id \"" + surrogate.get("id").asText() + "\"): invalid Unicode: a lone surrogate \\ud800 in \"response\" at character 0",
                in + ":4 (id \"x\"): \"question_id\" must be a string or an integer, got true",
                "read 5, written 3, rejected 2; 3 selected to " + output));
        List<JsonNode> candidates = lines(out.resolve("candidates.jsonl"));
        assertEquals(List.of(BIG, "7", c.get("id").toString()), candidates.stream().map(n -> n.get("id").toString()).toList());
        assertTrue(candidates.get(0).get("id").isBigInteger() && candidates.get(1).get("id").isInt());
        assertEquals(List.of(BIG, "7", c.get("id").toString()), lines(output).stream().map(n -> n.get("id").toString()).toList());
        assertEquals(List.of("2 \"" + surrogate.get("id").asText() + "\"", "4 \"x\""), rejectedLines(out.resolve("rejected.jsonl")));

        // without --out the list goes beside the output; --format sft keeps the id
        Path sft = dir.resolve("sft.jsonl");
        r = TraceCommandTest.run("select",
                "--teacher", DemoTrio.modelDir(dir, DemoTrio.Role.TEACHER).toString(),
                "--student", DemoTrio.modelDir(dir, DemoTrio.Role.STUDENT).toString(),
                "--input", in.toString(), "--output", sft.toString(), "--cache", out.resolve("cache").toString(),
                "--per-question", "5", "--format", "sft", "--threads", "2", "--quiet");
        assertEquals(3, r.exit(), r.err());
        assertEquals(List.of(BIG, "7", c.get("id").toString()), lines(sft).stream().map(n -> n.get("id").toString()).toList());
        assertEquals(2, lines(sft).get(0).get("messages").size());
        assertEquals(List.of("2 \"" + surrogate.get("id").asText() + "\"", "4 \"x\""),
                rejectedLines(dir.resolve("sft.jsonl.rejected.jsonl")));
    }

    @Test
    void segmentRejectsPerRecordAndWritesTheRejectedList(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.jsonl"), output = dir.resolve("seg.jsonl");
        Files.write(in, List.of(
                "{\"id\": " + BIG + ", \"response\": \"One. Two.\"}",
                "{\"id\": 3, \"response\": \"Bad \\udfff here.\"}",
                "{\"id\": 1e400, \"response\": \"Float id.\"}",
                "{\"id\": \"long\", \"response\": \"" + "x".repeat(100) + "\"}",
                "{\"id\": \"ok\", \"response\": \"Fine.\"}"));
        SegmentCommandTest.Run r = SegmentCommandTest.run("segment", "--input", in.toString(), "--output", output.toString(),
                "--max-line-bytes", "100");
        assertEquals(3, r.exit(), r.stderr());
        assertContainsAll(r.stderr(), List.of(
                in + ":2 (id 3): invalid Unicode: a lone surrogate \\udfff in \"response\" at character 4",
                in + ":3: \"id\" must be a string or an integer, got 1E+400",
                in + ":4: the line is 130 bytes, longer than --max-line-bytes 100",
                "read 5, written 2, rejected 3"));
        List<JsonNode> got = lines(output);
        assertEquals(List.of(BIG, "\"ok\""), got.stream().map(n -> n.get("id").toString()).toList());
        assertEquals(List.of("2 3", "3 null", "4 null"), rejectedLines(dir.resolve("seg.jsonl.rejected.jsonl")));

        // all good: exit 0, an empty rejected list (never a stale one from an earlier run)
        Files.write(in, List.of("{\"id\": 1, \"response\": \"One.\"}"));
        r = SegmentCommandTest.run("segment", "--input", in.toString(), "--output", output.toString());
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("read 1, written 1, rejected 0"), r.stderr());
        assertEquals(0, Files.size(dir.resolve("seg.jsonl.rejected.jsonl")));
    }

    @Test
    void logprobsRejectsPerRecordAndWritesTheRejectedList(@TempDir Path dir) throws Exception {
        Path model = LogprobsCommandTest.modelWithTokenizer(dir);
        Path in = dir.resolve("in.jsonl"), output = dir.resolve("lp.jsonl");
        Files.write(in, List.of(
                "{\"id\": " + BIG + ", \"input_ids\": [1, 2, 3]}",
                "{\"id\": \"s\", \"text\": \"\\ud800\"}",
                "{\"id\": 2.5, \"input_ids\": [1, 2]}",
                "{\"id\": \"t\", \"text\": [\"a\"]}",
                "{\"id\": \"ok\", \"input_ids\": [4, 5]}"));
        LogprobsCommandTest.Run r = LogprobsCommandTest.run(output, "logprobs", "--model", model.toString(), "--input", in.toString(),
                "--output", output.toString(), "--threads", "2", "--quiet");
        assertEquals(3, r.exit(), r.stderr());
        assertContainsAll(r.stderr(), List.of(
                in + ":2 (id \"s\"): invalid Unicode: a lone surrogate \\ud800 in \"text\"",
                in + ":3: \"id\" must be a string or an integer, got 2.5",
                in + ":4 (id \"t\"): \"text\" must be a string, got array",
                "read 5, written 2, rejected 3"));
        assertEquals(List.of(BIG, "\"ok\""), r.lines().stream().map(n -> n.get("id").toString()).toList());
        assertEquals(List.of("2 \"s\"", "3 null", "4 \"t\""), rejectedLines(dir.resolve("lp.jsonl.rejected.jsonl")));
    }

    @Test
    void aBadLineLimitIsAUsageError(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, "{\"id\": 1, \"response\": \"One.\"}\n");
        SegmentCommandTest.Run r = SegmentCommandTest.run("segment", "--input", in.toString(), "--max-line-bytes", "0");
        assertEquals(2, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("must be at least 1 byte, got '0'"), r.stderr());
        r = SegmentCommandTest.run("segment", "--input", in.toString(), "--max-line-bytes", "lots");
        assertEquals(2, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("'lots' is not a size in bytes"), r.stderr());
        r = SegmentCommandTest.run("segment", "--input", in.toString(), "--max-line-bytes", "1KiB");
        assertEquals(0, r.exit(), r.stderr());
        // a value the command checks itself is a usage error too; a missing file is a failure
        r = SegmentCommandTest.run("classify", "--scores", dir.toString(), "--alpha", "-1");
        assertEquals(2, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("error: --alpha must be >= 0"), r.stderr());
        r = SegmentCommandTest.run("segment", "--input", dir.resolve("nope.jsonl").toString());
        assertEquals(1, r.exit(), r.stderr());
    }
}
