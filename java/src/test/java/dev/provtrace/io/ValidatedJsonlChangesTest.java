package dev.provtrace.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Counts that add up, ids as given in rejected.jsonl, and an input file that changes between passes. */
class ValidatedJsonlChangesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final PrintStream errors = new PrintStream(err, true, StandardCharsets.UTF_8);

    private static JsonNode parse(long line, JsonNode n) throws InvalidRecord {
        JsonNode id = RecordIds.require(n, "id");
        if (!n.path("text").isTextual()) throw new InvalidRecord("\"text\" must be a string");
        return id;
    }

    private ValidatedJsonl<JsonNode> validate(Path file) throws IOException {
        return ValidatedJsonl.validate(file, ValidatedJsonlChangesTest::parse, JsonNode::asText, errors, 200);
    }

    private Path write(String... lines) throws IOException {
        Path file = dir.resolve("in.jsonl");
        Files.write(file, List.of(lines));
        return file;
    }

    @Test
    void everyLineIsReadGoodOrRejectedAndTheRejectedFileHasIdsAsGiven() throws Exception {
        Path file = write(
                "{\"id\": 5, \"text\": \"a\"}",                           // 1 good
                "{\"id\": \"5\", \"text\": \"b\"}",                       // 2 same text as 5: a duplicate
                "{\"id\": 1E2, \"text\": \"c\"}",                         // 3 a float id
                "{\"id\": 12345678901234567890, \"text\": 5}",            // 4 wrong type, big integer id kept
                "{\"id\": \"s\", \"text\": \"\\ud800\"}",                 // 5 lone surrogate
                "{\"id\": \"long\", \"text\": \"" + "z".repeat(300) + "\"}", // 6 over 200 bytes
                "",
                "{\"id\": 12345678901234567890, \"text\": \"ok\"}");      // 8 good
        ValidatedJsonl<JsonNode> in = validate(file);
        assertEquals(7, in.read());
        assertEquals(2, in.count());
        assertEquals(5, in.skipped().size());
        assertEquals(in.read(), in.count() + in.skipped().size());
        String e = err.toString(StandardCharsets.UTF_8);
        for (String expected : List.of(
                file + ":2 (id \"5\"): id \"5\" appears twice in the input; the first one is kept (ids are compared by their text",
                file + ":3: \"id\" must be a string or an integer, got 1E+2",
                file + ":4 (id 12345678901234567890): \"text\" must be a string",
                file + ":5 (id \"s\"): invalid Unicode: a lone surrogate \\ud800 in \"text\"",
                file + ":6: the line is 326 bytes, longer than --max-line-bytes 200")) {
            assertTrue(e.contains(expected), expected + "\n--- stderr:\n" + e);
        }

        List<JsonNode> got = new ArrayList<>();
        in.forEachChunk(10, got::addAll);
        assertEquals("[5, 12345678901234567890]", got.toString());

        Path rejected = dir.resolve("rejected.jsonl");
        in.writeRejected(rejected);
        List<String> lines = Files.readAllLines(rejected);
        assertEquals(List.of(
                "{\"line\":2,\"id\":\"5\",\"reason\":\"id \\\"5\\\" appears twice in the input; the first one is kept (ids are compared by their text: 5 and \\\"5\\\" are the same id)\"}",
                "{\"line\":3,\"id\":null,\"reason\":\"\\\"id\\\" must be a string or an integer, got 1E+2\"}",
                "{\"line\":4,\"id\":12345678901234567890,\"reason\":\"\\\"text\\\" must be a string\"}",
                "{\"line\":5,\"id\":\"s\",\"reason\":\"invalid Unicode: a lone surrogate \\\\ud800 in \\\"text\\\" at character 0 (an escape without its pair is not text)\"}",
                "{\"line\":6,\"id\":null,\"reason\":\"the line is 326 bytes, longer than --max-line-bytes 200; skipped without reading it\"}"),
                lines);
    }

    @Test
    void aFileReplacedBetweenPassesIsNamedNotMisread() throws Exception {
        Path file = write("{\"id\": 1, \"text\": \"a\"}", "{\"id\": 2, \"text\": \"b\"}");
        ValidatedJsonl<JsonNode> in = validate(file);
        Files.write(file, List.of("{\"id\": 1, \"text\": \"a\"}"));           // truncated
        IOException e = assertThrows(IOException.class, () -> in.forEachChunk(10, c -> {}));
        assertTrue(e.getMessage().startsWith(file + ": the input file changed during the run: it was 46 bytes when validated and is 23 now"),
                e.getMessage());
    }

    @Test
    void sameSizeAndTimeButOtherBytesIsCaughtByTheChecksum() throws Exception {
        Path file = write("{\"id\": 1, \"text\": \"a\"}", "{\"id\": 2, \"text\": \"b\"}");
        FileTime time = Files.getLastModifiedTime(file);
        ValidatedJsonl<JsonNode> in = validate(file);
        Files.write(file, List.of("{\"id\": 1, \"text\": \"a\"}", "{\"id\": 2, \"text\": \"c\"}"));
        Files.setLastModifiedTime(file, time);
        List<JsonNode> seen = new ArrayList<>();
        IOException e = assertThrows(IOException.class, () -> in.forEachChunk(1, seen::addAll));
        assertTrue(e.getMessage().contains("the input file changed during the run: its content is not what was validated (CRC-32 "),
                e.getMessage());
    }

    @Test
    void aValidLineThatBecameInvalidIsNamed() throws Exception {
        Path file = write("{\"id\": 1, \"text\": \"a\"}", "{\"id\": 2, \"text\": \"b\"}");
        FileTime time = Files.getLastModifiedTime(file);
        ValidatedJsonl<JsonNode> in = validate(file);
        Files.write(file, List.of("{\"id\": 1, \"text\": \"a\"}", "{\"id\": 2, \"text\": 999}"));
        Files.setLastModifiedTime(file, time);
        IOException e = assertThrows(IOException.class, () -> in.forEachChunk(1, c -> {}));
        assertEquals(file + ": the input file changed during the run: line 2 was a valid record and is not now (\"text\" must be a string);"
                + " the run stopped rather than mix two versions. Rerun on a file that stays as it is until the run ends.", e.getMessage());
    }
}
