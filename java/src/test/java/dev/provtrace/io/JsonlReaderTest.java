package dev.provtrace.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonlReaderTest {
    @TempDir Path dir;

    private List<JsonlRecord> readAll(Path file) throws Exception {
        List<JsonlRecord> out = new ArrayList<>();
        try (JsonlReader r = JsonlReader.open(file)) {
            for (JsonlRecord rec : r) out.add(rec);
        }
        return out;
    }

    @Test
    void malformedLineInTheMiddleDoesNotLoseTheRest() throws Exception {
        Path file = dir.resolve("in.jsonl");
        Files.writeString(file, "{\"id\": 1}\n\n{\"id\": 2, \"text\": \"a\n{\"id\": 3}\n   \n{\"id\": 4}");
        List<JsonlRecord> records = readAll(file);
        assertEquals(4, records.size());

        assertEquals(1, records.get(0).lineNumber());
        assertEquals(1, records.get(0).value().get("id").asInt());

        JsonlRecord bad = records.get(1);
        assertTrue(bad.isMalformed());
        assertEquals(3, bad.lineNumber());
        JsonlException e = bad.error().orElseThrow();
        assertEquals(3, e.lineNumber());
        assertTrue(e.getMessage().startsWith(file + ":3: malformed JSON at column "), e.getMessage());
        assertTrue(e.getMessage().contains("Unexpected end-of-input"), e.getMessage());
        assertThrows(JsonlException.class, bad::value);

        assertEquals(4, records.get(2).lineNumber());
        assertEquals(3, records.get(2).value().get("id").asInt());
        assertEquals(6, records.get(3).lineNumber());          // last line has no '\n' and still counts
        assertEquals(4, records.get(3).value().get("id").asInt());
    }

    @Test
    void nextReturnsNullAtEnd() throws Exception {
        Path file = dir.resolve("n.jsonl");
        Files.writeString(file, "{\"a\": 1}\n{oops}\n{\"a\": 2}\n\n");
        try (JsonlReader r = JsonlReader.open(file)) {
            assertEquals(1, r.next().value().get("a").asInt());
            JsonlRecord bad = r.next();
            assertTrue(bad.isMalformed());
            assertEquals(2, bad.lineNumber());
            assertEquals(2, r.next().value().get("a").asInt());
            assertNull(r.next());
            assertNull(r.next());
        }
    }

    @Test
    void trailingGarbageOnALineIsMalformed() throws Exception {
        Path file = dir.resolve("t.jsonl");
        Files.writeString(file, "{\"a\": 1} {\"b\": 2}\n");
        JsonlRecord r = readAll(file).get(0);
        assertTrue(r.isMalformed());
        assertTrue(r.error().orElseThrow().getMessage().contains("t.jsonl:1:"));
    }

    @Test
    void invalidUtf8IsReportedForItsLineOnly() throws Exception {
        Path file = dir.resolve("u.jsonl");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes("{\"s\": \"ok\"}\n{\"s\": \"".getBytes(StandardCharsets.UTF_8));
        bytes.write(0xC3);                                     // a lone lead byte
        bytes.writeBytes("\"}\n{\"s\": \"caf\u00e9\"}\n".getBytes(StandardCharsets.UTF_8));
        Files.write(file, bytes.toByteArray());
        List<JsonlRecord> records = readAll(file);
        assertEquals(3, records.size());
        assertTrue(records.get(1).isMalformed());
        assertEquals(file + ":2: not valid UTF-8", records.get(1).error().orElseThrow().getMessage());
        assertEquals("caf\u00e9", records.get(2).value().get("s").asText());
    }

    @Test
    void byteOrderMarkAndCrlfAreTolerated() throws Exception {
        Path file = dir.resolve("w.jsonl");
        Files.write(file, "\uFEFF{\"a\": 1}\r\n{\"a\": 2}\r\n".getBytes(StandardCharsets.UTF_8));
        List<JsonlRecord> records = readAll(file);
        assertEquals(2, records.size());
        assertFalse(records.get(0).isMalformed());
        assertEquals(2, records.get(1).value().get("a").asInt());
        assertEquals(2, records.get(1).lineNumber());
    }

    @Test
    void linesLongerThanTheReadBufferSurvive() throws Exception {
        Path file = dir.resolve("long.jsonl");
        String text = "x".repeat(200_000);
        Files.writeString(file, "{\"t\": \"" + text + "\"}\n{\"t\": \"y\"}\n");
        List<JsonlRecord> records = readAll(file);
        assertEquals(text, records.get(0).value().get("t").asText());
        assertEquals("y", records.get(1).value().get("t").asText());
        assertEquals(2, records.get(1).lineNumber());
    }
}
