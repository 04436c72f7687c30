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
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code provtrace logprobs} end to end against transformers: texts tokenized by our tokenizer layer and scored by
 * our forward pass give HF's ids, code-point offsets and log-probs (cli-logprobs/expected.json, made by
 * tools/make_cli_fixture.py); bad lines are reported with their line number and the lines after them still come out.
 */
class LogprobsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** hf-reference/llama's weights with the 512-token tokenizer made for them. */
    static Path modelWithTokenizer(Path dir) throws Exception {
        Path model = Files.createDirectories(dir.resolve("model"));
        Path llama = Fixtures.hfModel("llama");
        Files.copy(llama.resolve("config.json"), model.resolve("config.json"));
        Files.copy(llama.resolve("model.safetensors"), model.resolve("model.safetensors"));
        Files.copy(Fixtures.resource("cli-logprobs/tokenizer.json"), model.resolve("tokenizer.json"));
        return model;
    }

    record Run(int exit, String stderr, List<JsonNode> lines) {}

    static Run run(Path output, String... args) throws Exception {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = Main.run(args);
        } finally {
            System.setErr(old);
        }
        List<JsonNode> lines = new ArrayList<>();
        if (Files.exists(output)) for (String l : Files.readAllLines(output)) lines.add(JSON.readTree(l));
        return new Run(exit, err.toString(StandardCharsets.UTF_8), lines);
    }

    @Test
    void textsMatchTransformersAndBadLinesAreReportedNotFatal(@TempDir Path dir) throws Exception {
        Path model = modelWithTokenizer(dir);
        JsonNode cases = JSON.readTree(Fixtures.resource("cli-logprobs/expected.json").toFile()).get("cases");
        List<String> input = new ArrayList<>();
        for (JsonNode c : cases) input.add(JSON.writeValueAsString(JSON.createObjectNode().put("id", c.get("id").asText()).put("text", c.get("text").asText())));
        input.add(2, "{\"id\": \"broken\", \"text\": ");                                   // line 3: malformed JSON
        input.add("{\"id\": \"empty\", \"text\": \"\"}");                                  // line 6: empty text
        input.add("{\"id\": \"oov\", \"input_ids\": [1, 2, 999]}");                        // line 7: id outside vocab
        input.add("{\"id\": 7, \"input_ids\": " + cases.get(0).get("input_ids") + "}");    // line 8: pre-tokenized
        Path in = dir.resolve("in.jsonl"), out = dir.resolve("out.jsonl");
        Files.write(in, input);

        Run r = run(out, "logprobs", "--model", model.toString(), "--input", in.toString(), "--output", out.toString(),
                "--threads", "2", "--batch-tokens", "16", "--quiet");

        assertEquals(3, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("in.jsonl:3"), r.stderr());
        assertTrue(r.stderr().contains("in.jsonl:6 (id \"empty\")") && r.stderr().contains("empty"), r.stderr());
        assertTrue(r.stderr().contains("in.jsonl:7 (id \"oov\")") && r.stderr().contains("999"), r.stderr());
        assertTrue(r.stderr().contains("3 bad records"), r.stderr());
        assertEquals(cases.size() + 1, r.lines().size(), "every good record is written, in input order");
        for (int i = 0; i < cases.size(); i++) {
            JsonNode want = cases.get(i), got = r.lines().get(i);
            assertEquals(want.get("id"), got.get("id"));
            assertEquals(want.get("input_ids"), got.get("input_ids"));
            assertEquals(want.get("offsets"), got.get("offsets"), "code-point offsets for " + want.get("id"));
            assertTrue(got.get("token_logprobs").get(0).isNull());
            for (int t = 1; t < want.get("input_ids").size(); t++) {
                assertEquals(want.get("token_logprobs").get(t).asDouble(), got.get("token_logprobs").get(t).asDouble(), 1e-4,
                        want.get("id") + " token " + t);
            }
        }
        JsonNode pre = r.lines().get(cases.size());
        assertEquals(7, pre.get("id").asInt());
        assertFalse(pre.has("offsets"), "pre-tokenized input has no offsets");
        for (int t = 1; t < pre.get("input_ids").size(); t++) {
            assertEquals(r.lines().get(0).get("token_logprobs").get(t).asDouble(), pre.get("token_logprobs").get(t).asDouble(), 1e-5,
                    "same ids, same numbers (up to fp32 rounding of a different batch)");
        }
    }

    @Test
    void topKAndEntropyPerPosition(@TempDir Path dir) throws Exception {
        Path model = modelWithTokenizer(dir);
        Path in = dir.resolve("in.jsonl"), out = dir.resolve("out.jsonl");
        Files.writeString(in, "{\"id\": \"a\", \"text\": \"The answer is 42.\"}\n");
        Run r = run(out, "logprobs", "--model", model.toString(), "--input", in.toString(), "--output", out.toString(),
                "--top-k", "3", "--entropy", "--quiet");
        assertEquals(0, r.exit(), r.stderr());
        JsonNode line = r.lines().get(0);
        int n = line.get("input_ids").size();
        assertEquals(n, line.get("top_k").size());
        assertEquals(n, line.get("entropy").size());
        assertTrue(line.get("top_k").get(0).isNull() && line.get("entropy").get(0).isNull());
        for (int t = 1; t < n; t++) {
            JsonNode top = line.get("top_k").get(t);
            assertEquals(3, top.size());
            double lp = line.get("token_logprobs").get(t).asDouble();
            assertTrue(top.get(0).get(1).asDouble() >= lp - 1e-6, "the best alternative is at least as likely as the actual token");
            assertTrue(top.get(0).get(1).asDouble() >= top.get(1).get(1).asDouble());
            boolean actualListed = false;
            for (JsonNode alt : top) {
                if (alt.get(0).asInt() == line.get("input_ids").get(t).asInt()) {
                    actualListed = true;
                    assertEquals(lp, alt.get(1).asDouble(), 1e-6);
                }
            }
            if (!actualListed) assertTrue(lp <= top.get(2).get(1).asDouble() + 1e-6);
            double h = line.get("entropy").get(t).asDouble();
            assertTrue(h > 0 && h < Math.log(512) + 1e-4, "entropy in (0, log V): " + h);
        }
    }

    @Test
    void missingModelFolderIsAClearError(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.jsonl"), out = dir.resolve("out.jsonl");
        Files.writeString(in, "{\"id\": 1, \"input_ids\": [1, 2]}\n");
        Run r = run(out, "logprobs", "--model", dir.resolve("nope").toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals(1, r.exit());
        assertTrue(r.stderr().contains("nope") && r.stderr().contains("config.json"), r.stderr());
    }
}
