package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GRAPE baseline on real (tiny, random) checkpoints: each candidate's grape_score equals the mean log-prob of
 * its response's tokens computed here, independently, from {@code provtrace logprobs} output on the same
 * "Question: {question}\n Answer: {response}" texts (tokens whose first character, by their offsets, is in the
 * response), and the grape strategy picks the candidate with the highest one per question.
 */
class SelectGrapeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void grapeScoreEqualsTheMeanResponseLogprobOfTheLogprobsCommand(@TempDir Path dir) throws Exception {
        Path teacher = TraceCommandTest.model(dir, "qwen2", "{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}</{{ m['role'] }}>{% endfor %}"
                + "{% if add_generation_prompt %}<assistant>{% endif %}");
        Path student = TraceCommandTest.model(dir, "llama", "{{ bos_token }}{% for m in messages %}User: {{ m['content'] }}\n{% endfor %}"
                + "{% if add_generation_prompt %}Assistant: {% endif %}");
        String[][] candidates = {
                {"a1", "qa", "What is 6 times 7?", "Six times seven is 42. So the answer is 42."},
                {"a2", "qa", "What is 6 times 7?", "Let me check that again.\nIt is forty-two."},
                {"a3", "qa", "What is 6 times 7?", "42"},
                {"b1", "qb", "Slope of x² at 3?", "<think>\nThe derivative of x squared is two x.\n</think>\nIt is 6."},
                {"b2", "qb", "Slope of x² at 3?", "The slope is 6, because d/dx x² = 2x and 2·3 = 6."}};
        List<String> in = new ArrayList<>(), texts = new ArrayList<>();
        Map<String, Integer> responseStart = new HashMap<>();
        for (String[] c : candidates) {
            ObjectNode o = JSON.createObjectNode().put("id", c[0]).put("question_id", c[1]).put("question", c[2]).put("response", c[3]);
            in.add(JSON.writeValueAsString(o));
            String prompt = "Question: " + c[2] + "\n Answer: ";
            texts.add(JSON.writeValueAsString(JSON.createObjectNode().put("id", c[0]).put("text", prompt + c[3])));
            responseStart.put(c[0], prompt.codePointCount(0, prompt.length()));
        }
        Path input = dir.resolve("in.jsonl"), out = dir.resolve("sel"), output = dir.resolve("selected.jsonl");
        Files.write(input, in);
        TraceCommandTest.Run r = TraceCommandTest.run("select", "--teacher", teacher.toString(), "--student", student.toString(),
                "--input", input.toString(), "--output", output.toString(), "--out", out.toString(), "--strategy", "grape",
                "--threads", "2", "--quiet");
        assertEquals(0, r.exit(), r.err());

        Path textsFile = dir.resolve("texts.jsonl"), scored = dir.resolve("scored.jsonl");
        Files.write(textsFile, texts);
        LogprobsCommandTest.Run lp = LogprobsCommandTest.run(scored, "logprobs", "--model", student.toString(),
                "--input", textsFile.toString(), "--output", scored.toString(), "--threads", "2", "--quiet");
        assertEquals(0, lp.exit(), lp.stderr());
        Map<String, Double> expected = new HashMap<>();
        for (JsonNode line : lp.lines()) {
            String id = line.get("id").asText();
            double sum = 0;
            int n = 0;
            for (int t = 0; t < line.get("offsets").size(); t++) {
                JsonNode span = line.get("offsets").get(t), logprob = line.get("token_logprobs").get(t);
                boolean inResponse = span.get(0).asInt() >= responseStart.get(id) && span.get(1).asInt() > span.get(0).asInt();
                if (inResponse && !logprob.isNull()) {
                    sum += logprob.asDouble();
                    n++;
                }
            }
            expected.put(id, n == 0 ? Double.NaN : sum / n);
        }

        List<JsonNode> stats = SelectDemoTest.lines(out.resolve("candidates.jsonl"));
        assertEquals(5, stats.size());
        for (JsonNode c : stats) {
            String id = c.get("id").asText();
            if (id.equals("a3")) continue;
            assertEquals(expected.get(id), c.get("grape_score").asDouble(), 1e-6, id);
        }
        // "42" after "Answer: " is one token " 42" that starts on the prompt's space: no token starts in the
        // response, so there is no score (null), and the candidate ranks below every scored one
        assertTrue(expected.get("a3").isNaN());
        assertTrue(stats.get(2).get("grape_score").isNull(), stats.get(2).toString());
        // the grape pick of each question is its highest mean log-prob
        for (String q : List.of("qa", "qb")) {
            String best = stats.stream().filter(c -> c.get("question_id").asText().equals(q))
                    .filter(c -> !expected.get(c.get("id").asText()).isNaN())
                    .max((x, y) -> Double.compare(expected.get(x.get("id").asText()), expected.get(y.get("id").asText())))
                    .orElseThrow().get("id").asText();
            assertTrue(SelectDemoTest.lines(output).stream().anyMatch(p -> p.get("id").asText().equals(best)), q + ": " + best);
        }
        assertEquals(2, SelectDemoTest.lines(output).size());

        // --grape-prompt chat scores the student's own chat context: the student's cache serves it, no third file
        Path chatOut = dir.resolve("chat");
        TraceCommandTest.Run chat = TraceCommandTest.run("select", "--teacher", teacher.toString(), "--student", student.toString(),
                "--input", input.toString(), "--output", dir.resolve("chat.jsonl").toString(), "--out", chatOut.toString(),
                "--strategy", "grape", "--grape-prompt", "chat", "--threads", "2", "--quiet");
        assertEquals(0, chat.exit(), chat.err());
        try (var files = Files.list(chatOut.resolve("cache"))) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().startsWith("student-grape")));
        }
        for (JsonNode c : SelectDemoTest.lines(chatOut.resolve("candidates.jsonl"))) {
            if (c.get("id").asText().equals("a3")) continue;
            double g = c.get("grape_score").asDouble();
            assertTrue(g < 0 && Math.abs(g - expected.get(c.get("id").asText())) > 1e-6, "another context, another score: " + c);
        }
    }
}
