package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * trace → classify on three real (tiny, random) checkpoints sharing one tokenizer but with different chat templates:
 * outputs are complete, bad records are reported and left out, a rerun is served from the cache, and classify
 * with other α/β equals a fresh trace with those values.
 */
class TraceCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path model(Path root, String name, String template) throws Exception {
        Path dir = Files.createDirectories(root.resolve(name));
        Path src = Fixtures.hfModel(name);
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        Files.copy(Fixtures.resource("cli-logprobs/tokenizer.json"), dir.resolve("tokenizer.json"));
        JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), JSON.createObjectNode()
                .put("bos_token", "<|begin_of_text|>").put("eos_token", "<|end_of_text|>").put("chat_template", template));
        return dir;
    }

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = Main.run(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void traceThenClassify(@TempDir Path dir) throws Exception {
        Path t = model(dir, "llama", "{{ bos_token }}{% for m in messages %}User: {{ m['content'] }}\n{% endfor %}"
                + "{% if add_generation_prompt %}Assistant: {% endif %}");
        Path s = model(dir, "qwen2", "{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}</{{ m['role'] }}>{% endfor %}"
                + "{% if add_generation_prompt %}<assistant>{% endif %}");
        Path d = model(dir, "mistral", "{{ bos_token }}[INST] {{ messages[0]['content'] }} [/INST]");
        Path in = dir.resolve("in.jsonl");
        Files.write(in, List.of(
                "{\"id\": \"r1\", \"question\": \"What is 6 times 7?\", \"response\": \"Let me check that again. 6 times 7 is 42.\\n\\nSo the answer is \\\\boxed{42}.\", \"answer\": \"42\", \"group\": \"arith\"}",
                "{\"id\": \"r2\", \"question\": \"Slope?\", \"response\": \"<think>\\nThe derivative of x squared is two x. So the slope at x = 3 is 6.\\n</think>\\nIt is 6.\", \"correct\": false, \"group\": \"calc\"}",
                "{\"id\": \"r3\", \"question\": \"Empty?\", \"response\": \"\"}",
                "{\"id\": \"r4\", \"question\": \"Loop\", \"response\": \"" + "Wait, let me check that again. ".repeat(60) + "\"}",
                "not json"));
        Path out = dir.resolve("out");
        Run r = run("trace", "--teacher", t.toString(), "--student", s.toString(), "--distilled", d.toString(),
                "--input", in.toString(), "--out", out.toString(), "--threads", "2", "--quiet");
        assertEquals(3, r.exit(), r.err());
        assertTrue(r.err().contains("in.jsonl:3") && r.err().contains("empty"), r.err());
        assertTrue(r.err().contains("in.jsonl:4 (id \"r4\")") && r.err().contains("max_position_embeddings"), r.err());
        assertTrue(r.err().contains("in.jsonl:5"), r.err());
        assertTrue(r.out().contains("report: "), r.out());

        List<JsonNode> sentences = lines(out.resolve("sentences.jsonl"));
        List<JsonNode> responses = lines(out.resolve("trajectories.jsonl"));
        assertEquals(2, responses.size());
        assertEquals("r1", responses.get(0).get("id").asText());
        assertTrue(responses.get(0).get("correct").asBoolean(), "\\boxed{42} against answer 42");
        assertTrue(!responses.get(1).get("correct").asBoolean());
        assertEquals(responses.get(0).get("sentences").asInt() + responses.get(1).get("sentences").asInt(), sentences.size());
        for (JsonNode sn : sentences) {
            for (String p : List.of("p_T", "p_S", "p_D")) {
                double v = sn.get(p).asDouble();
                assertTrue(v > 0 && v < 1, p + " = " + v + " in " + sn);
            }
            assertTrue(sn.get("tokens_T").asInt() > 0 && sn.get("tokens_S").asInt() > 0);
            assertTrue(sn.get("label").isTextual());
        }
        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertEquals(0.1, summary.get("beta").asDouble());
        assertEquals(3, summary.get("run").get("models").size());
        assertTrue(Files.size(out.resolve("report.html")) > 100_000);

        // classify relabels from the sentence probabilities alone
        long cacheBytes = cacheBytes(out);
        Run relabel = run("classify", "--scores", out.toString(), "--alpha", "0.02", "--beta", "0.05",
                "--out", dir.resolve("relabelled").toString());
        assertEquals(0, relabel.exit(), relabel.err());
        // a second trace into the same folder with those values would replace its outputs: refused, naming the change
        Run refused = run("trace", "--teacher", t.toString(), "--student", s.toString(), "--distilled", d.toString(),
                "--input", in.toString(), "--out", out.toString(), "--threads", "2", "--quiet",
                "--alpha", "0.02", "--beta", "0.05");
        assertEquals(1, refused.exit());
        assertEquals("error: " + out + " was made with --alpha 0.1, now 0.02; --beta 0.1, now 0.05; use another --out, "
                + "or --overwrite to start afresh\n", refused.err());
        // into another folder, sharing the cache, it is served from the cache (it does not grow) ...
        Path again = dir.resolve("again");
        Run r2 = run("trace", "--teacher", t.toString(), "--student", s.toString(), "--distilled", d.toString(),
                "--input", in.toString(), "--out", again.toString(), "--cache", out.resolve("cache").toString(),
                "--threads", "2", "--quiet", "--alpha", "0.02", "--beta", "0.05");
        assertEquals(3, r2.exit());
        assertEquals(cacheBytes, cacheBytes(out), "nothing was scored again");
        // ... and gives exactly what classify gave
        assertEquals(lines(again.resolve("sentences.jsonl")), lines(dir.resolve("relabelled/sentences.jsonl")),
                "classify with other α/β = a fresh trace with them");
        assertEquals(0.05, JSON.readTree(dir.resolve("relabelled/summary.json").toFile()).get("beta").asDouble());
    }

    @Test
    void aModelFolderWithoutTokenizerOrTemplateIsNamed(@TempDir Path dir) throws Exception {
        String tpl = "{% for m in messages %}{{ m['content'] }}{% endfor %}";
        Path t = model(dir, "llama", tpl), s = model(dir, "qwen2", tpl), d = model(dir, "mistral", tpl);
        Files.delete(d.resolve("tokenizer.json"));
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, "{\"id\": \"a\", \"question\": \"Q?\", \"response\": \"The answer is 42.\"}\n");
        Run r = run("trace", "--teacher", t.toString(), "--student", s.toString(), "--distilled", d.toString(),
                "--input", in.toString(), "--out", dir.resolve("out").toString(), "--quiet");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains(d.toString()) && r.err().contains("tokenizer.json"), r.err());

        JSON.writeValue(s.resolve("tokenizer_config.json").toFile(), JSON.createObjectNode().put("eos_token", "x"));
        r = run("trace", "--teacher", t.toString(), "--student", s.toString(), "--distilled", t.toString(),
                "--input", in.toString(), "--out", dir.resolve("out2").toString(), "--quiet");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains(s.toString()) && r.err().contains("no chat template"), r.err());
        r = run("trace", "--teacher", t.toString(), "--student", s.toString(), "--distilled", t.toString(),
                "--input", in.toString(), "--out", dir.resolve("out3").toString(), "--quiet", "--prompt-format", "raw");
        assertEquals(0, r.exit(), r.err());
    }

    private static long cacheBytes(Path out) throws Exception {
        try (Stream<Path> files = Files.list(out.resolve("cache"))) {
            long sum = 0;
            for (Path p : files.toList()) sum += Files.size(p);
            return sum;
        }
    }

    private static List<JsonNode> lines(Path file) throws Exception {
        return Files.readAllLines(file).stream().map(l -> {
            try {
                return JSON.readTree(l);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }).toList();
    }
}
