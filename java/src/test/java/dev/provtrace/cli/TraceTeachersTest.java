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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * trace with several teachers: every sentence's p_T is the teacher with the largest p_Ti − p_S (checked here from
 * its p_teachers and p_S), a Teacher sentence names that teacher, summary.json counts them per teacher, classify
 * relabels such a trace; one teacher writes what it always did (no p_teachers), and its caches are the same files.
 */
class TraceTeachersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TEMPLATE = "{% for m in messages %}User: {{ m['content'] }}\n{% endfor %}"
            + "{% if add_generation_prompt %}Assistant: {% endif %}";

    private static List<JsonNode> lines(Path f) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(f)) out.add(JSON.readTree(l));
        return out;
    }

    @Test
    void eachSentenceGoesToTheTeacherItMostLikelyCameFrom(@TempDir Path dir) throws Exception {
        Path llama = TraceCommandTest.model(dir, "llama", TEMPLATE), qwen = TraceCommandTest.model(dir, "qwen2", TEMPLATE),
                mistral = TraceCommandTest.model(dir, "mistral", TEMPLATE), qwen3 = TraceCommandTest.model(dir, "qwen3", TEMPLATE);
        List<String> in = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            in.add("{\"id\": \"r" + i + "\", \"question\": \"What is " + i + " plus " + i + "?\", \"response\": \"Let me add them. "
                    + i + " plus " + i + " is " + (2 * i) + ". So the answer is " + (2 * i) + ".\"}");
        }
        Path input = Files.write(dir.resolve("in.jsonl"), in);
        Path one = dir.resolve("one"), two = dir.resolve("two");
        TraceCommandTest.Run r1 = TraceCommandTest.run("trace", "--teacher", llama.toString(), "--student", qwen.toString(),
                "--distilled", mistral.toString(), "--input", input.toString(), "--out", one.toString(), "--quiet", "--beta", "0");
        assertEquals(0, r1.exit(), r1.err());
        TraceCommandTest.Run r2 = TraceCommandTest.run("trace", "--teacher", llama.toString(), "--teacher", qwen3.toString(),
                "--student", qwen.toString(), "--distilled", mistral.toString(), "--input", input.toString(), "--out", two.toString(),
                "--quiet", "--beta", "0", "--cache", one.resolve("cache").toString());
        assertEquals(0, r2.exit(), r2.err());

        List<JsonNode> a = lines(one.resolve("sentences.jsonl")), b = lines(two.resolve("sentences.jsonl"));
        assertEquals(a.size(), b.size());
        assertFalse(a.get(0).has("p_teachers"), "one teacher: the fields as always");
        long[] teacherSentences = new long[2];
        boolean both = false;
        for (int i = 0; i < b.size(); i++) {
            JsonNode s = b.get(i);
            double p1 = s.get("p_teachers").get(0).asDouble(), p2 = s.get("p_teachers").get(1).asDouble(), pS = s.get("p_S").asDouble();
            assertEquals(a.get(i).get("p_T").asDouble(), p1, "the first teacher's p is the one-teacher run's (its cache)");
            int best = p2 - pS > p1 - pS ? 1 : 0;
            assertEquals(best == 0 ? p1 : p2, s.get("p_T").asDouble(), "p_T is the closest teacher's");
            if ("TEACHER".equals(s.get("label").asText())) {
                assertEquals(best == 0 ? "teacher" : "teacher2", s.get("teacher").asText());
                teacherSentences[best]++;
            } else {
                assertTrue(s.get("teacher").isNull());
            }
            both |= best == 1;
        }
        assertTrue(both, "the second teacher wins some sentences (the test would prove nothing otherwise)");
        JsonNode teachers = JSON.readTree(two.resolve("summary.json").toFile()).get("teachers");
        assertEquals(teacherSentences[0], teachers.get(0).get("teacher_sentences").asLong());
        assertEquals(teacherSentences[1], teachers.get(1).get("teacher_sentences").asLong());
        assertEquals("teacher2", teachers.get(1).get("role").asText());
        assertTrue(JSON.readTree(one.resolve("summary.json").toFile()).get("teachers") == null);

        String report = Files.readString(two.resolve("report.html"));
        assertTrue(report.contains("\"teacherRule\"") && report.contains(qwen3.toString()), "the report's per-teacher table has its data");
        assertTrue(report.contains("Chart.defaults.animation = false"), "static charts");
        assertFalse(Files.readString(one.resolve("report.html")).contains("\"teacherRule\""));
        // classify reads p_teachers back: the attribution survives relabelling
        TraceCommandTest.Run c = TraceCommandTest.run("classify", "--scores", two.toString(), "--beta", "0", "--out", dir.resolve("re").toString());
        assertEquals(0, c.exit(), c.err());
        assertEquals(Files.readString(two.resolve("sentences.jsonl")), Files.readString(dir.resolve("re/sentences.jsonl")));
    }
}
