package dev.provtrace.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 50 MB line in a JVM with a 32 MB heap: with {@code --max-line-bytes 1000} it is streamed past and rejected by
 * its line number, and the records around it go through (holding the line would need well over the heap).
 */
class LongLineSmallHeapTest {
    @Test
    void aFiftyMegabyteLineUnderA32MegabyteHeapIsRejectedNotFatal(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.jsonl"), out = dir.resolve("seg.jsonl");
        long big = 50L << 20;
        try (OutputStream o = Files.newOutputStream(in)) {
            o.write("{\"id\": 1, \"response\": \"First.\"}\n{\"id\": 2, \"response\": \"".getBytes(StandardCharsets.UTF_8));
            byte[] block = "Wait. ".repeat(1 << 14).getBytes(StandardCharsets.UTF_8);
            for (long n = 0; n < big; n += block.length) o.write(block);
            o.write("\"}\n{\"id\": 3, \"response\": \"Last.\"}\n".getBytes(StandardCharsets.UTF_8));
        }
        long lineBytes = Files.size(in) - "{\"id\": 1, \"response\": \"First.\"}\n".length()
                - "{\"id\": 3, \"response\": \"Last.\"}\n".length() - 1;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx32m", "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "segment", "--input", in.toString(), "--output", out.toString(), "--max-line-bytes", "1000")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(3, p.waitFor(), output);
        assertFalse(output.contains("OutOfMemoryError"), output);
        assertTrue(output.contains(in + ":2: the line is " + lineBytes + " bytes, longer than --max-line-bytes 1000; skipped"
                + " without reading it"), output);
        assertTrue(output.contains("read 3, written 2, rejected 1"), output);
        assertEquals(2, Files.readAllLines(out).size());
        assertEquals(List.of("{\"line\":2,\"id\":null,\"reason\":\"the line is " + lineBytes
                + " bytes, longer than --max-line-bytes 1000; skipped without reading it\"}"),
                Files.readAllLines(dir.resolve("seg.jsonl.rejected.jsonl")));
    }
}
