package dev.provtrace.cli;

import dev.provtrace.engine.EngineOptions;
import dev.provtrace.trace.BetaChoice;
import dev.provtrace.trace.PromptBuilder;
import dev.provtrace.trace.TraceJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * trace reads its input once per pass; a file replaced, truncated or edited in between is reported as such (the
 * issue saw a NullPointerException), and no sentences.jsonl is published from a mix of two files.
 */
class InputChangedDuringTraceTest {
    private static final List<String> LINES = List.of(
            "{\"id\": \"a\", \"question\": \"Q?\", \"response\": \"It is one. Done.\"}",
            "{\"id\": \"b\", \"question\": \"Q?\", \"response\": \"It is two. Done.\"}");

    private static TraceJob job(Path dir) throws Exception {
        String tpl = "{% for m in messages %}{{ m['content'] }}\n{% endfor %}";
        TraceJob.Models models = new TraceJob.Models(TraceCommandTest.model(dir, "llama", tpl),
                TraceCommandTest.model(dir, "qwen2", tpl), TraceCommandTest.model(dir, "mistral", tpl));
        TraceJob.Options options = new TraceJob.Options(PromptBuilder.Format.CHAT, null, 0.1, BetaChoice.parse("0.1"),
                new EngineOptions(2, 4096, false));
        return new TraceJob(models, options, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    /** Rewrites {@code file} once, when {@code role} has scored every record. */
    private static TraceJob.Progress rewriteAfter(String role, Path file, List<String> lines, boolean keepTime) {
        boolean[] done = {false};
        return (r, n, total) -> {
            if (done[0] || !r.equals(role) || n < total) return;
            done[0] = true;
            try {
                FileTime time = Files.getLastModifiedTime(file);
                Files.write(file, lines);
                if (keepTime) Files.setLastModifiedTime(file, time);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    @Test
    void aTruncatedInputIsNamedBeforeTheNextPass(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.jsonl"), out = dir.resolve("out");
        Files.write(in, LINES);
        long size = Files.size(in);
        IOException e = assertThrows(IOException.class,
                () -> job(dir).run(in, out, rewriteAfter("teacher", in, LINES.subList(0, 1), false)));
        assertEquals(in + ": the input file changed during the run: it was " + size + " bytes when validated and is "
                + (LINES.get(0).length() + 1) + " now; the run stopped rather than mix two versions. Rerun on a file that"
                + " stays as it is until the run ends.", e.getMessage());
        assertFalse(Files.exists(out.resolve("sentences.jsonl")));
    }

    @Test
    void anEditThatKeepsSizeAndTimeIsNamedNotANullPointer(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.jsonl"), out = dir.resolve("out");
        Files.write(in, LINES);
        List<String> edited = List.of(LINES.get(0), LINES.get(1).replace("two", "six"));   // same size, still valid
        IOException e = assertThrows(IOException.class, () -> job(dir).run(in, out, rewriteAfter("distilled", in, edited, true)));
        // the distilled pass read other bytes than validation did: its CRC-32 says so before anything is labelled
        assertTrue(e.getMessage().startsWith(in + ": the input file changed during the run: its content is not what was"
                + " validated (CRC-32 "), e.getMessage());
        assertFalse(Files.exists(out.resolve("sentences.jsonl")));
    }
}
