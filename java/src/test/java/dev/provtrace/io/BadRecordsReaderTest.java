package dev.provtrace.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lines that must be rejected one by one without stopping the read: too long, lone surrogates; and what is kept exactly. */
class BadRecordsReaderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    /** {@code size} bytes of 'x' made on the fly, so the test itself never holds the long line either. */
    private static InputStream repeated(long size) {
        return new InputStream() {
            long left = size;

            @Override
            public int read() { return left-- > 0 ? 'x' : -1; }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) return -1;
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'x');
                left -= n;
                return n;
            }
        };
    }

    private static InputStream text(String s) { return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)); }

    private static List<JsonlRecord> readAll(JsonlReader r) throws IOException {
        List<JsonlRecord> out = new ArrayList<>();
        for (JsonlRecord rec; (rec = r.next()) != null; ) out.add(rec);
        return out;
    }

    @Test
    void aFiftyMegabyteLineIsStreamedPastAndReportedWithItsSize() throws Exception {
        long big = 50_000_000;
        InputStream in = new SequenceInputStream(java.util.Collections.enumeration(List.of(
                text("{\"id\": 1}\n{\"id\": \""), repeated(big), text("\"}\n{\"id\": 3}\n"))));
        try (JsonlReader r = JsonlReader.of(Path.of("in.jsonl"), in, 1000)) {
            List<JsonlRecord> records = readAll(r);
            assertEquals(3, records.size());
            assertEquals(1, records.get(0).value().get("id").asInt());
            JsonlRecord skipped = records.get(1);
            assertTrue(skipped.isMalformed());
            assertEquals("in.jsonl:2: the line is " + (big + 10) + " bytes, longer than --max-line-bytes 1000; skipped without reading it",
                    skipped.error().orElseThrow().getMessage());
            assertEquals(3, records.get(2).value().get("id").asInt(), "reading goes on after the long line");
            assertTrue(r.largestBufferedLine() <= 1000, "never more than the limit held: " + r.largestBufferedLine());
        }
    }

    @Test
    void aLineOfExactlyTheLimitIsRead() throws Exception {
        String line = "{\"id\": \"" + "y".repeat(90) + "\"}";   // 100 bytes
        assertEquals(100, line.length());
        try (JsonlReader r = JsonlReader.of(Path.of("f"), text(line + "\n" + line + "z\n"), 100)) {
            List<JsonlRecord> records = readAll(r);
            assertFalse(records.get(0).isMalformed());
            assertTrue(records.get(1).error().orElseThrow().getMessage().contains("the line is 101 bytes"));
        }
    }

    @Test
    void stringsLongerThanJacksonsTwentyMegabyteDefaultAreRead() throws Exception {
        Path file = dir.resolve("long.jsonl");
        int chars = 21_000_000;
        Files.writeString(file, "{\"id\": 1, \"response\": \"" + "a".repeat(chars) + "\"}\n");
        try (JsonlReader r = JsonlReader.open(file)) {
            JsonlRecord rec = r.next();
            assertFalse(rec.isMalformed(), () -> rec.error().orElseThrow().getMessage());
            assertEquals(chars, rec.value().get("response").asText().length());
        }
    }

    @Test
    void aLoneSurrogateRejectsTheRecordWithItsIdAndTheNextOneIsRead() throws Exception {
        Path file = dir.resolve("s.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"id\": \"ok\", \"response\": \"smile \\ud83d\\ude00\"}",          // a pair: fine
                "{\"id\": 7, \"response\": \"ab\\ud800c\"}",                         // high surrogate alone
                "{\"id\": \"x\", \"meta\": {\"notes\": [\"fine\", \"\\udc00\"]}}",   // low one, nested
                "{\"id\": \"last\", \"response\": \"done\"}"));
        try (JsonlReader r = JsonlReader.open(file)) {
            List<JsonlRecord> records = readAll(r);
            assertEquals(4, records.size());
            assertEquals("smile \uD83D\uDE00", records.get(0).value().get("response").asText());
            assertEquals(file + ":2 (id 7): invalid Unicode: a lone surrogate \\ud800 in \"response\" at character 2"
                    + " (an escape without its pair is not text)", records.get(1).error().orElseThrow().getMessage());
            assertEquals(7, records.get(1).rejectedId().asInt());
            assertTrue(records.get(2).error().orElseThrow().getMessage()
                    .startsWith(file + ":3 (id \"x\"): invalid Unicode: a lone surrogate \\udc00 in \"meta.notes[1]\""));
            assertEquals("done", records.get(3).value().get("response").asText());
        }
        assertEquals(1, LoneSurrogates.firstLone("a\uD800"));
        assertEquals(-1, LoneSurrogates.firstLone("a\uD83D\uDE00b"));
    }

    @Test
    void numbersAreKeptAsWritten() throws Exception {
        Path file = dir.resolve("n.jsonl");
        Files.writeString(file, "{\"id\": 12345678901234567890, \"a\": 1E2, \"b\": 1e400, \"c\": 0.1}\n");
        try (JsonlReader r = JsonlReader.open(file)) {
            JsonlRecord rec = r.next();
            assertTrue(rec.value().get("id").isBigInteger());
            assertEquals("{\"id\":12345678901234567890,\"a\":1E+2,\"b\":1E+400,\"c\":0.1}", JSON.writeValueAsString(rec.value()),
                    "never 100.0 or Infinity");
            assertNull(r.next());
        }
    }
}
