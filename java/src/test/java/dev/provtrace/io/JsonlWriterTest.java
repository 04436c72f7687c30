package dev.provtrace.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonlWriterTest {
    @TempDir Path dir;

    record Score(int id, double logprob, String text) {}

    private List<Path> listing() throws Exception {
        try (var s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void writesCompactLinesAndPublishesOnlyOnClose() throws Exception {
        Path out = dir.resolve("scores.jsonl");
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("id", 1);
        first.put("tokens", List.of(3, 4));
        try (JsonlWriter w = JsonlWriter.open(out)) {
            w.write(first);
            w.write(new Score(2, -0.5, "two\nlines"));
            w.write(new ObjectMapper().createObjectNode().put("id", 3));
            assertFalse(Files.exists(out), "the output name must not exist before close");
            assertEquals(1, listing().size());
            assertTrue(listing().get(0).getFileName().toString().startsWith(".scores.jsonl."));
            assertEquals(3, w.linesWritten());
        }
        assertEquals("{\"id\":1,\"tokens\":[3,4]}\n{\"id\":2,\"logprob\":-0.5,\"text\":\"two\\nlines\"}\n{\"id\":3}\n",
                Files.readString(out));
        assertEquals(List.of(out), listing(), "no temporary file may be left behind");
    }

    @Test
    void replacesAnOldOutputOnlyAtClose() throws Exception {
        Path out = dir.resolve("o.jsonl");
        Files.writeString(out, "old\n");
        try (JsonlWriter w = JsonlWriter.open(out)) {
            w.write(Map.of("n", 1));
            assertEquals("old\n", Files.readString(out));
        }
        assertEquals("{\"n\":1}\n", Files.readString(out));
    }

    @Test
    void abortLeavesNothing() throws Exception {
        Path out = dir.resolve("a.jsonl");
        JsonlWriter w = JsonlWriter.open(out);
        w.write(Map.of("n", 1));
        w.abort();
        w.close();
        assertEquals(List.of(), listing());
    }

    @Test
    void onlyObjectsAreLines() throws Exception {
        Path out = dir.resolve("x.jsonl");
        try (JsonlWriter w = JsonlWriter.open(out)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.write(List.of(1, 2)));
            assertTrue(e.getMessage().contains("x.jsonl") && e.getMessage().contains("JSON object"), e.getMessage());
            w.write(Map.of("ok", true));
        }
        assertEquals("{\"ok\":true}\n", Files.readString(out));
    }

    @Test
    void readerReadsWhatWriterWrote() throws Exception {
        Path out = dir.resolve("sub/rt.jsonl");
        try (JsonlWriter w = JsonlWriter.open(out)) {
            for (int i = 0; i < 100; i++) w.write(new Score(i, -i / 8.0, "s" + i));
        }
        try (JsonlReader r = JsonlReader.open(out)) {
            int i = 0;
            for (JsonlRecord rec : r) {
                assertEquals(i + 1, rec.lineNumber());
                assertEquals(-i / 8.0, rec.value().get("logprob").asDouble());
                i++;
            }
            assertEquals(100, i);
        }
    }
}
