package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** trace --answer-format: the same records judged by auto, choice and number, end to end into trajectories.jsonl. */
class TraceAnswerFormatTest {
    private static final String TEMPLATE = "{% for m in messages %}User: {{ m['content'] }}\n{% endfor %}"
            + "{% if add_generation_prompt %}Assistant: {% endif %}";

    private static List<JsonNode> correctness(Path out) throws Exception {
        List<JsonNode> c = new ArrayList<>();
        ObjectMapper om = new ObjectMapper();
        for (String line : Files.readAllLines(out.resolve("trajectories.jsonl"))) c.add(om.readTree(line).get("correct"));
        return c;
    }

    @Test
    void theFormatDecidesHowTheAnswerIsRead(@TempDir Path dir) throws Exception {
        Path t = TraceCommandTest.model(dir, "llama", TEMPLATE), s = TraceCommandTest.model(dir, "qwen2", TEMPLATE),
                d = TraceCommandTest.model(dir, "mistral", TEMPLATE);
        Path in = Files.write(dir.resolve("in.jsonl"), List.of(
                "{\"id\": \"gpqa\", \"question\": \"Which option?\", \"response\": \"The data point to option (C).\", \"answer\": \"C\"}",
                "{\"id\": \"aime\", \"question\": \"How many?\", \"response\": \"Counting them all, the answer is 17.\", \"answer\": \"17\"}"));
        String[][] expected = {{"auto", "null", "null"}, {"choice", "true", "null"}, {"number", "null", "true"}};
        for (String[] e : expected) {
            Path out = dir.resolve("out-" + e[0]);
            TraceCommandTest.Run r = TraceCommandTest.run("trace", "--teacher", t.toString(), "--student", s.toString(),
                    "--distilled", d.toString(), "--input", in.toString(), "--out", out.toString(), "--quiet", "--answer-format", e[0]);
            assertEquals(0, r.exit(), r.err());
            List<JsonNode> c = correctness(out);
            assertEquals(e[1], c.get(0).toString(), e[0] + ": the GPQA record");
            assertEquals(e[2], c.get(1).toString(), e[0] + ": the AIME record");
            JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
            assertEquals(e[0], summary.get("run").get("answer_format").asText());
        }
        TraceCommandTest.Run bad = TraceCommandTest.run("trace", "--teacher", t.toString(), "--student", s.toString(),
                "--distilled", d.toString(), "--input", in.toString(), "--out", dir.resolve("x").toString(), "--answer-format", "letter");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--answer-format must be auto, boxed, choice or number, got \"letter\""), bad.err());
    }
}
