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

/**
 * trace with --system, --chat-kwargs, a per-model --teacher-chat-kwargs and records that carry their own messages:
 * the models see them (their probabilities move, and only the models given a setup), summary.json records them,
 * and a raw context refuses them.
 */
class TracePromptSetupTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Prints every turn's role, and the kwarg "flavour" when the caller passes one. */
    private static final String TEMPLATE = "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
            + "{% if flavour is defined %}[{{ flavour }}]\n{% endif %}{% if add_generation_prompt %}assistant: {% endif %}";

    private record Models(Path t, Path s, Path d) {}

    private static TraceCommandTest.Run trace(Models m, Path in, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("trace", "--teacher", m.t().toString(), "--student", m.s().toString(),
                "--distilled", m.d().toString(), "--input", in.toString(), "--out", out.toString(), "--quiet"));
        args.addAll(List.of(more));
        return TraceCommandTest.run(args.toArray(String[]::new));
    }

    /** p_T, p_S, p_D of every sentence, in order. */
    private static List<double[]> probabilities(Path out) throws Exception {
        List<double[]> ps = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("sentences.jsonl"))) {
            JsonNode n = JSON.readTree(line);
            ps.add(new double[] {n.get("p_T").asDouble(), n.get("p_S").asDouble(), n.get("p_D").asDouble()});
        }
        return ps;
    }

    /**
     * The same context scores the same up to fp32 rounding: the CPU's GEMMs may take another kernel path when the
     * models before grew the scratch buffers differently (alignment), a few 1e-8 relative; another context moves
     * the sentence's probability by far more.
     */
    private static void assertSame(double a, double b, String what) {
        assertTrue(Math.abs(a - b) <= 1e-6 * Math.abs(a), what + ": " + a + " vs " + b);
    }

    private static void assertMoved(double a, double b, String what) {
        assertTrue(Math.abs(a - b) > 1e-3 * Math.abs(a), what + ": " + a + " vs " + b + " (the setup did not reach the model?)");
    }

    @Test
    void theModelsSeeTheSetupAndOnlyTheOnesGivenIt(@TempDir Path dir) throws Exception {
        Models m = new Models(TraceCommandTest.model(dir, "llama", TEMPLATE), TraceCommandTest.model(dir, "qwen2", TEMPLATE),
                TraceCommandTest.model(dir, "mistral", TEMPLATE));
        Path in = Files.write(dir.resolve("in.jsonl"), List.of(
                "{\"id\": \"q\", \"question\": \"What is 2 plus 2?\", \"response\": \"Two plus two is four. So 4.\"}",
                "{\"id\": \"m\", \"messages\": [{\"role\": \"system\", \"content\": \"Own system.\"}, {\"role\": \"user\", \"content\": "
                        + "\"What is 2 plus 2?\"}, {\"role\": \"assistant\", \"content\": \"4\"}, {\"role\": \"user\", \"content\": "
                        + "\"Sure?\"}], \"response\": \"Two plus two is four. So 4.\"}"));
        assertEquals(0, trace(m, in, dir.resolve("plain")).exit());
        List<double[]> plain = probabilities(dir.resolve("plain"));
        int n = plain.size() / 2;   // the two records have the same response: the same sentences
        for (int k = 0; k < n; k++) assertMoved(plain.get(k)[0], plain.get(n + k)[0], "the messages record's context differs");

        Path prompt = Files.writeString(dir.resolve("system.txt"), "You are terse.");
        TraceCommandTest.Run r = trace(m, in, dir.resolve("setup"), "--system", "@" + prompt, "--chat-kwargs", "{\"flavour\": \"plain\"}",
                "--teacher-chat-kwargs", "{\"flavour\": \"teacher\"}");
        assertEquals(0, r.exit(), r.err());
        List<double[]> setup = probabilities(dir.resolve("setup"));
        for (int k = 0; k < n; k++) {
            for (int model = 0; model < 3; model++) assertMoved(plain.get(k)[model], setup.get(k)[model], "question record, model " + model);
        }
        JsonNode models = JSON.readTree(dir.resolve("setup/summary.json").toFile()).get("run").get("models");
        assertEquals("You are terse.", models.get(0).get("system").asText());
        assertEquals("teacher", models.get(0).get("chat_kwargs").get("flavour").asText());
        assertEquals("plain", models.get(1).get("chat_kwargs").get("flavour").asText());

        // only the teacher's setup: the student and the distilled model score exactly as without one
        assertEquals(0, trace(m, in, dir.resolve("teacher-only"), "--teacher-system", "You are terse.").exit());
        List<double[]> own = probabilities(dir.resolve("teacher-only"));
        for (int k = 0; k < n; k++) {
            assertMoved(plain.get(k)[0], own.get(k)[0], "the teacher, given a system prompt");
            assertSame(plain.get(k)[1], own.get(k)[1], "the student");
            assertSame(plain.get(k)[2], own.get(k)[2], "the distilled model");
            // the messages record starts with its own system turn: --teacher-system adds nothing there
            assertSame(plain.get(n + k)[0], own.get(n + k)[0], "the teacher on the record with its own system turn");
        }

        TraceCommandTest.Run raw = trace(m, in, dir.resolve("raw"), "--prompt-format", "raw", "--system", "S");
        assertEquals(2, raw.exit());
        assertTrue(raw.err().contains("--system and --chat-kwargs need --prompt-format chat"), raw.err());
        TraceCommandTest.Run bad = trace(m, in, dir.resolve("bad"), "--chat-kwargs", "{\"flavour\": ");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--chat-kwargs is not valid JSON"), bad.err());
    }

    @Test
    void selectTakesTheSameSetupAndWritesARecordsOwnConversationAsSft(@TempDir Path dir) throws Exception {
        Path t = TraceCommandTest.model(dir, "llama", TEMPLATE), s = TraceCommandTest.model(dir, "qwen2", TEMPLATE);
        Path in = Files.write(dir.resolve("cands.jsonl"), List.of(
                "{\"id\": \"a\", \"question_id\": \"q\", \"question\": \"What is 2 plus 2?\", \"response\": \"It is 4.\"}",
                "{\"id\": \"b\", \"question_id\": \"r\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": "
                        + "\"assistant\", \"content\": \"Hello.\"}, {\"role\": \"user\", \"content\": \"2 plus 2?\"}], \"response\": \"It is 4.\"}"));
        Path out = dir.resolve("sel.jsonl");
        TraceCommandTest.Run r = TraceCommandTest.run("select", "--teacher", t.toString(), "--student", s.toString(), "--input", in.toString(),
                "--output", out.toString(), "--format", "sft", "--system", "Be terse.", "--quiet");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals(2, lines.size());
        JsonNode b = JSON.readTree(lines.get(1)).get("messages");
        assertEquals(4, b.size(), lines.get(1));
        assertEquals("Hi", b.get(0).get("content").asText());
        assertEquals("assistant", b.get(3).get("role").asText());
        assertEquals("It is 4.", b.get(3).get("content").asText());
        TraceCommandTest.Run d = TraceCommandTest.run("select", "--teacher", t.toString(), "--student", s.toString(), "--input", in.toString(),
                "--output", dir.resolve("x.jsonl").toString(), "--distilled-system", "S", "--quiet");
        assertEquals(2, d.exit());
        assertTrue(d.err().contains("this command scores no distilled model"), d.err());
    }
}
