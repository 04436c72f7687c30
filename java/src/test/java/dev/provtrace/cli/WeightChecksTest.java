package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.io.TensorPoke;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NaN/Inf weights and broken model folders are caught before anything is scored, and a non-finite log-prob is
 * never written, even with --skip-weight-scan.
 */
class WeightChecksTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NAN_IN_LM_HEAD =
            "model.safetensors: tensor lm_head.weight has a non-finite value (NaN) at index 4711 [row 73, col 39]";
    private static final String TEMPLATE = "{% for m in messages %}{{ m['content'] }}\n{% endfor %}";

    /** The llama fixture with its tokenizer and one NaN in lm_head (row 73, col 39 of [512, 64]). */
    private static Path nanModel(Path dir) throws Exception {
        Path model = LogprobsCommandTest.modelWithTokenizer(dir);
        TensorPoke.set(model.resolve("model.safetensors"), "lm_head.weight", 73 * 64 + 39, Float.NaN);
        return model;
    }

    @Test
    void logprobsRefusesNanWeightsBeforeScoringAndNamesTheTensor(@TempDir Path dir) throws Exception {
        Path model = nanModel(dir);
        Path in = dir.resolve("in.jsonl"), out = dir.resolve("out.jsonl");
        Files.write(in, List.of("{\"id\": \"a\", \"input_ids\": [1, 2, 3, 4]}"));
        LogprobsCommandTest.Run r = LogprobsCommandTest.run(out, "logprobs", "--model", model.toString(),
                "--input", in.toString(), "--output", out.toString(), "--threads", "2", "--quiet");
        assertEquals(1, r.exit(), r.stderr());
        assertEquals("error: " + model + ": " + NAN_IN_LM_HEAD + " (--skip-weight-scan loads it anyway)", r.stderr().strip());
        assertFalse(Files.exists(out), "nothing was written");
    }

    @Test
    void withTheScanSkippedANonFiniteLogprobRejectsItsRecordAndNaNIsNeverWritten(@TempDir Path dir) throws Exception {
        Path model = LogprobsCommandTest.modelWithTokenizer(dir);
        // a NaN in token 7's embedding: only a sequence holding token 7 goes NaN (all of it: the masked-out weights
        // of its attention are 0, and 0 × NaN is NaN, as in PyTorch); the other sequences of the batch stay finite
        TensorPoke.set(model.resolve("model.safetensors"), "model.embed_tokens.weight", 7 * 64 + 5, Float.NaN);
        Path in = dir.resolve("in.jsonl"), out = dir.resolve("out.jsonl");
        Files.write(in, List.of("{\"id\": \"a\", \"input_ids\": [1, 2, 3, 4]}", "{\"id\": \"b\", \"input_ids\": [1, 2, 7, 4, 5]}",
                "{\"id\": 3, \"input_ids\": [5, 6, 8]}"));
        LogprobsCommandTest.Run r = LogprobsCommandTest.run(out, "logprobs", "--model", model.toString(),
                "--input", in.toString(), "--output", out.toString(), "--threads", "2", "--quiet", "--skip-weight-scan",
                "--top-k", "2", "--entropy");
        assertEquals(3, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("error: " + in + ":2 (id \"b\"): model gave a non-finite log-prob at token 1 (NaN)"), r.stderr());
        assertTrue(r.stderr().contains("2 records scored") && r.stderr().contains("1 bad records"), r.stderr());
        assertEquals(List.of("a", "3"), r.lines().stream().map(l -> l.get("id").asText()).toList());
        assertFalse(Files.readString(out).contains("NaN"), Files.readString(out));
        for (JsonNode l : r.lines()) {
            for (int t = 1; t < l.get("token_logprobs").size(); t++) assertTrue(l.get("token_logprobs").get(t).isNumber(), l.toString());
        }

        // the same model with the scan on: refused up front, the tensor and its first bad index named
        r = LogprobsCommandTest.run(dir.resolve("none.jsonl"), "logprobs", "--model", model.toString(), "--input", in.toString(),
                "--output", dir.resolve("none.jsonl").toString(), "--quiet");
        assertEquals(1, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("model.safetensors: tensor model.embed_tokens.weight has a non-finite value (NaN) at index 453"
                + " [row 7, col 5]"), r.stderr());
    }

    @Test
    void inspectReportsNonFiniteWeights(@TempDir Path dir) throws Exception {
        Path model = nanModel(dir);
        TraceCommandTest.Run r = TraceCommandTest.run("inspect", "--model", model.toString(), "--json");
        assertEquals(1, r.exit(), r.err());
        JsonNode w = JSON.readTree(r.out()).get("weights");
        assertFalse(w.get("valid").asBoolean());
        assertEquals("non-finite", w.get("weight_scan").asText());
        assertEquals(1, w.get("non_finite").size());
        JsonNode f = w.get("non_finite").get(0);
        assertEquals("lm_head.weight", f.get("tensor").asText());
        assertEquals(4711, f.get("index").asLong());
        assertEquals("NaN", f.get("value").asText());
        assertEquals(NAN_IN_LM_HEAD + " (--skip-weight-scan loads it anyway)", w.get("error").asText());

        r = TraceCommandTest.run("inspect", "--model", model.toString());
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.out().contains("  valid: false\n") && r.out().contains("  non_finite:\n    " + NAN_IN_LM_HEAD + "\n"), r.out());

        r = TraceCommandTest.run("inspect", "--model", model.toString(), "--json", "--skip-weight-scan");
        assertEquals(0, r.exit(), r.err());
        assertEquals("skipped", JSON.readTree(r.out()).get("weights").get("weight_scan").asText());

        Path clean = LogprobsCommandTest.modelWithTokenizer(dir.resolve("clean"));
        r = TraceCommandTest.run("inspect", "--model", clean.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode cw = JSON.readTree(r.out()).get("weights");
        assertTrue(cw.get("valid").asBoolean());
        assertEquals("finite", cw.get("weight_scan").asText());
        assertEquals(0, cw.get("non_finite").size());
    }

    @Test
    void anInfInABf16CheckpointIsFoundAtItsIndex(@TempDir Path dir) throws Exception {
        Path model = Files.createDirectories(dir.resolve("bf16"));
        Path src = dev.provtrace.Fixtures.hfModel("llama-bf16");
        Files.copy(src.resolve("config.json"), model.resolve("config.json"));
        Files.copy(src.resolve("model.safetensors"), model.resolve("model.safetensors"));
        TensorPoke.set(model.resolve("model.safetensors"), "model.layers.0.self_attn.k_proj.weight", 1000, Float.NEGATIVE_INFINITY);
        TensorPoke.set(model.resolve("model.safetensors"), "model.layers.0.self_attn.k_proj.weight", 2000, Float.NaN);
        TraceCommandTest.Run r = TraceCommandTest.run("inspect", "--model", model.toString(), "--json");
        assertEquals(1, r.exit(), r.err());
        JsonNode f = JSON.readTree(r.out()).get("weights").get("non_finite");
        assertEquals(1, f.size(), f.toString());
        assertEquals("model.layers.0.self_attn.k_proj.weight", f.get(0).get("tensor").asText());
        assertEquals(1000, f.get(0).get("index").asLong(), "the first bad value, not the later NaN");
        assertEquals("-Infinity", f.get(0).get("value").asText());
        assertEquals("model.safetensors: tensor model.layers.0.self_attn.k_proj.weight has a non-finite value (-Infinity)"
                + " at index 1000 [row 15, col 40]", f.get(0).get("message").asText());
    }

    private static Path traceInput(Path dir) throws Exception {
        Path in = dir.resolve("in.jsonl");
        Files.write(in, List.of("{\"id\": \"a\", \"question\": \"Q?\", \"response\": \"The answer is 42. It is right.\"}",
                "{\"id\": 5, \"question\": \"R?\", \"response\": \"Six times seven. That is 42.\"}"));
        return in;
    }

    private static TraceCommandTest.Run trace(Path t, Path s, Path d, Path in, Path out, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("trace", "--teacher", t.toString(), "--student", s.toString(),
                "--distilled", d.toString(), "--input", in.toString(), "--out", out.toString(), "--threads", "2"));
        args.addAll(List.of(more));
        return TraceCommandTest.run(args.toArray(String[]::new));
    }

    @Test
    void traceChecksEveryModelFolderBeforeTheTeacherIsScored(@TempDir Path dir) throws Exception {
        Path t = TraceCommandTest.model(dir, "llama", TEMPLATE), s = TraceCommandTest.model(dir, "qwen2", TEMPLATE);
        Path d = TraceCommandTest.model(dir, "mistral", TEMPLATE);
        Path in = traceInput(dir);
        Path weights = d.resolve("model.safetensors");
        byte[] whole = Files.readAllBytes(weights);
        try (FileChannel ch = FileChannel.open(weights, StandardOpenOption.WRITE)) {
            ch.truncate(whole.length - 1000);                   // a download cut short
        }
        Path out = dir.resolve("out");
        TraceCommandTest.Run r = trace(t, s, d, in, out);
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().startsWith("error: --distilled " + d + ": model.safetensors: tensor \""), r.err());
        assertTrue(r.err().contains("is past the end of the data"), r.err());
        assertFalse(r.err().contains("teacher"), "the teacher was never scored (no progress line): " + r.err());
        assertFalse(hasScoreCache(out.resolve("cache")), "no score cache was opened");

        // a NaN in the distilled weights: refused the same way, the tensor named
        Files.write(weights, whole);
        TensorPoke.set(weights, "model.layers.1.mlp.up_proj.weight", 100, Float.POSITIVE_INFINITY);
        r = trace(t, s, d, in, out);
        assertEquals(1, r.exit(), r.err());
        assertEquals("error: --distilled " + d + ": model.safetensors: tensor model.layers.1.mlp.up_proj.weight has a"
                + " non-finite value (Infinity) at index 100 [row 1, col 36] (--skip-weight-scan loads it anyway)", r.err().strip());
        assertFalse(hasScoreCache(out.resolve("cache")));

        // a config value out of range
        Files.write(weights, whole);
        ObjectNode cfg = (ObjectNode) JSON.readTree(d.resolve("config.json").toFile());
        JSON.writeValue(d.resolve("config.json").toFile(), cfg.put("rms_norm_eps", -1.0));
        r = trace(t, s, d, in, out);
        assertEquals(1, r.exit(), r.err());
        assertEquals("error: --distilled " + d + ": config.json: rms_norm_eps must be > 0, got -1.0", r.err().strip());

        // a template that fails to render names the model
        JSON.writeValue(d.resolve("config.json").toFile(), cfg.put("rms_norm_eps", 1e-6));
        JSON.writeValue(s.resolve("tokenizer_config.json").toFile(), JSON.createObjectNode()
                .put("chat_template", "{{ raise_exception('only system turns') }}"));
        r = trace(t, s, d, in, out);
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().startsWith("error: --student " + s + ": chat template of " + s + ": ") && r.err().contains("only system turns"), r.err());
        assertFalse(hasScoreCache(out.resolve("cache")));
    }

    @Test
    void traceWithTheScanSkippedRejectsRecordsWithNonFiniteLogprobs(@TempDir Path dir) throws Exception {
        Path t = TraceCommandTest.model(dir, "llama", TEMPLATE), s = TraceCommandTest.model(dir, "qwen2", TEMPLATE);
        Path d = TraceCommandTest.model(dir, "mistral", TEMPLATE);
        TensorPoke.set(d.resolve("model.safetensors"), "lm_head.weight", 3, Float.NaN);
        Path in = traceInput(dir), out = dir.resolve("out");
        TraceCommandTest.Run r = trace(t, s, d, in, out, "--skip-weight-scan", "--quiet");
        assertEquals(3, r.exit(), r.err());
        // the first token scored is the response's first (the prompt's rows skip the LM head): token 3 here
        assertTrue(r.err().contains(in + ":1 (id \"a\"): distilled model gave a non-finite log-prob at token 3 (NaN)"), r.err());
        assertTrue(r.err().contains(in + ":2 (id 5): distilled model gave a non-finite log-prob at token 3 (NaN)")
                || r.err().contains(in + ":2 (id \"5\"): distilled model gave a non-finite log-prob at token 3 (NaN)"), r.err());
        assertEquals("", Files.readString(out.resolve("sentences.jsonl")), "no sentence was labelled from NaN");
        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertEquals(0, summary.get("responses").asInt());
        assertEquals(2, summary.get("run").get("failed_records").size());
        String text = Files.readString(out.resolve("summary.json"));
        assertFalse(text.contains("\"NaN\"") || text.contains(": NaN"), "no value is NaN: " + text);
    }

    @Test
    void selectChecksTheStudentBeforeTheTeacherIsScored(@TempDir Path dir) throws Exception {
        Path t = TraceCommandTest.model(dir, "llama", TEMPLATE), s = TraceCommandTest.model(dir, "qwen2", TEMPLATE);
        TensorPoke.set(s.resolve("model.safetensors"), "model.norm.weight", 9, Float.NEGATIVE_INFINITY);
        Path in = dir.resolve("in.jsonl"), output = dir.resolve("sel.jsonl"), cache = dir.resolve("cache");
        Files.write(in, List.of("{\"id\": \"a\", \"question_id\": \"q\", \"question\": \"Q?\", \"response\": \"It is 42. Yes.\"}"));
        TraceCommandTest.Run r = TraceCommandTest.run("select", "--teacher", t.toString(), "--student", s.toString(),
                "--input", in.toString(), "--output", output.toString(), "--cache", cache.toString(), "--threads", "2");
        assertEquals(1, r.exit(), r.err());
        assertEquals("error: --student " + s + ": model.safetensors: tensor model.norm.weight has a non-finite value (-Infinity)"
                + " at index 9 (--skip-weight-scan loads it anyway)", r.err().strip());
        assertFalse(hasScoreCache(cache), "no score cache was opened");
        assertFalse(Files.exists(output));

        // the scan skipped: the student's NaN log-probs reject the candidate; nothing is selected from NaN
        r = TraceCommandTest.run("select", "--teacher", t.toString(), "--student", s.toString(), "--input", in.toString(),
                "--output", output.toString(), "--cache", cache.toString(), "--threads", "2", "--skip-weight-scan", "--quiet");
        assertEquals(3, r.exit(), r.err());
        // the first token scored is the response's first (the prompt's rows skip the LM head): token 3 here
        assertTrue(r.err().contains(in + ":1 (id \"a\"): student model gave a non-finite log-prob at token 3 (NaN)"), r.err());
        assertEquals("", Files.readString(output));
    }

    /** Whether a cache folder holds a score cache file (the folder itself is made at start, for its run lock). */
    private static boolean hasScoreCache(Path cacheDir) throws java.io.IOException {
        if (!Files.isDirectory(cacheDir)) return false;
        try (java.util.stream.Stream<Path> files = Files.list(cacheDir)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(".bin"));
        }
    }
}
