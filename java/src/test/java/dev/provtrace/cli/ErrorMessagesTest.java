package dev.provtrace.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Errors that end a command say what is wrong with what, in the user's words (options, files, models). */
class ErrorMessagesTest {
    @Test
    void aBarePathGetsItsReason() {
        assertEquals("/proc/x: no such file or folder (or its folder cannot hold new files)",
                ErrorMessage.of(new NoSuchFileException("/proc/x")));
        assertEquals("/root/y: permission denied", ErrorMessage.of(new AccessDeniedException("/root/y")));
        assertEquals("/a: Read-only file system", ErrorMessage.of(new FileSystemException("/a", null, "Read-only file system")));
        assertEquals("boom", ErrorMessage.of(new IllegalStateException("boom")));
        assertEquals("java.lang.NullPointerException", ErrorMessage.of(new NullPointerException()));
    }

    @Test
    void jacksonsSourceDumpBecomesLineAndColumn() {
        String jackson = "Cannot parse m/tokenizer_config.json: Unexpected end-of-input within/between Object entries\n"
                + " at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 2, column: 1]";
        assertEquals("Cannot parse m/tokenizer_config.json: Unexpected end-of-input within/between Object entries"
                + " (line 2, column 1)", ErrorMessage.of(new java.io.IOException(jackson)));
    }

    @Test
    void aFolderGivenAsInputIsCalledAFolder(@TempDir Path dir) throws Exception {
        TraceCommandTest.Run r = TraceCommandTest.run("segment", "--input", dir.toString());
        assertEquals(2, r.exit());
        assertEquals("error: --input " + dir + ": is a folder, not an input file\n", r.err());
        Path missing = dir.resolve("nope.jsonl");
        r = TraceCommandTest.run("segment", "--input", missing.toString());
        assertEquals("error: " + missing + ": input file not found\n", r.err());
    }

    @Test
    void optionsAreNamedAsTyped(@TempDir Path dir) throws Exception {
        Path model = TraceCommandTest.model(dir, "llama", "{{ messages[0]['content'] }}");
        Path in = Files.write(dir.resolve("in.jsonl"), List.of("{\"id\": 1, \"text\": \"hello\"}"));
        TraceCommandTest.Run r = TraceCommandTest.run("logprobs", "--model", model.toString(), "--input", in.toString(),
                "--output", dir.resolve("o.jsonl").toString(), "--batch-tokens", "0", "--quiet");
        assertEquals(2, r.exit());
        assertEquals("error: --batch-tokens must be >= 1, got 0\n", r.err());
        r = TraceCommandTest.run("logprobs", "--model", model.toString(), "--input", in.toString(),
                "--output", dir.resolve("o.jsonl").toString(), "--threads", "0", "--quiet");
        assertEquals("error: --threads must be >= 1, got 0\n", r.err());
        r = TraceCommandTest.run("bench", "--model", model.toString(), "--runs", "0");
        assertEquals("error: --runs must be >= 1, got 0\n", r.err());
    }

    @Test
    void aBrokenTokenizerConfigIsNamed(@TempDir Path dir) throws Exception {
        Path model = TraceCommandTest.model(dir, "llama", "x");
        Files.writeString(model.resolve("tokenizer_config.json"), "{\"chat_template\": \n");
        TraceCommandTest.Run r = TraceCommandTest.run("inspect", "--model", model.toString());
        assertEquals(1, r.exit());
        assertEquals("error: " + model.resolve("tokenizer_config.json") + ": not valid JSON: Unexpected end-of-input"
                + " within/between Object entries (line 2, column 1)\n", r.err());
    }

    @Test
    void aBrokenTemplateNamesItsModel(@TempDir Path dir) throws Exception {
        Path t = TraceCommandTest.model(dir, "llama", "{% for m in messages %}{{ m['content'] }");
        Path s = TraceCommandTest.model(dir, "qwen2", "{{ messages[0]['content'] }}");
        Path d = TraceCommandTest.model(dir, "mistral", "{{ raise_exception('only system turns') }}");
        Path in = Files.write(dir.resolve("in.jsonl"), List.of("{\"id\": \"a\", \"question\": \"Q?\", \"response\": \"It is 4.\"}"));
        TraceCommandTest.Run r = TraceCommandTest.run("trace", "--teacher", t.toString(), "--student", s.toString(),
                "--distilled", d.toString(), "--input", in.toString(), "--out", dir.resolve("out").toString(), "--quiet");
        assertEquals(1, r.exit());
        assertEquals("error: --teacher " + t + ": chat template of " + t + ": TemplateSyntaxError: unexpected '}' (template line 1)\n", r.err());

        Path bad = Files.writeString(dir.resolve("bad.jinja"), "{% if %}");
        r = TraceCommandTest.run("trace", "--teacher", s.toString(), "--student", s.toString(), "--distilled", s.toString(),
                "--input", in.toString(), "--out", dir.resolve("out2").toString(), "--template", bad.toString(), "--quiet");
        assertEquals("error: --teacher " + s + ": template " + bad + " (used for " + s + "): TemplateSyntaxError: Expected an expression,"
                + " got 'end of statement block' (template line 1)\n", r.err());

        r = TraceCommandTest.run("trace", "--teacher", s.toString(), "--student", s.toString(), "--distilled", d.toString(),
                "--input", in.toString(), "--out", dir.resolve("out3").toString(), "--quiet");
        assertEquals(1, r.exit());
        assertEquals("error: --distilled " + d + ": chat template of " + d + ": the template raised: only system turns\n", r.err());
    }
}
