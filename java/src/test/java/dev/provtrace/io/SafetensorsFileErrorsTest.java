package dev.provtrace.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.provtrace.io.TestSafetensorsWriter.f32Bytes;
import static dev.provtrace.io.TestSafetensorsWriter.shape;
import static dev.provtrace.io.TestSafetensorsWriter.writeRaw;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every broken file must fail on open, with a message that names the file, the tensor and the problem. */
class SafetensorsFileErrorsTest {
    @TempDir Path dir;

    private Path file() { return dir.resolve("bad.safetensors"); }

    private static void assertMessage(Path file, Runnable open, String... parts) {
        SafetensorsException e = assertThrows(SafetensorsException.class, open::run);
        String m = e.getMessage();
        assertTrue(m.contains(file.toString()), "message should name the file: " + m);
        for (String p : parts) assertTrue(m.contains(p), "message should contain \"" + p + "\": " + m);
    }

    private void assertRejected(String... parts) {
        assertMessage(file(), () -> SafetensorsFile.open(file()).close(), parts);
    }

    private void header(String json, int dataBytes) { writeRaw(file(), json, new byte[dataBytes]); }

    @Test
    void fileShorterThanLengthField() {
        TestSafetensorsWriter.writeBytes(file(), new byte[5]);
        assertRejected("5 bytes", "shorter than the 8-byte header length");
    }

    @Test
    void headerLengthZero() {
        writeRaw(file(), 0, new byte[0], new byte[16]);
        assertRejected("header length is 0");
    }

    @Test
    void headerLengthLargerThanFile() {
        writeRaw(file(), 4000, "{}      ".getBytes(StandardCharsets.UTF_8), new byte[0]);
        assertRejected("header length 4000", "larger than the 8 bytes that follow");
    }

    @Test
    void headerLengthOverHuggingFaceLimit() {
        writeRaw(file(), 200_000_000L, "{}      ".getBytes(StandardCharsets.UTF_8), new byte[0]);
        assertRejected("200000000", "100 MB");
    }

    @Test
    void headerLengthWithTopBitSetIsTooLarge() {
        writeRaw(file(), -1L, "{}      ".getBytes(StandardCharsets.UTF_8), new byte[0]);
        assertRejected("18446744073709551615", "100 MB");
    }

    @Test
    void truncatedData() throws Exception {
        new TestSafetensorsWriter().f32("w", shape(4), 1, 2, 3, 4).write(file());
        try (RandomAccessFile raf = new RandomAccessFile(file().toFile(), "rw")) {
            raf.setLength(raf.length() - 4);
        }
        assertRejected("\"w\"", "data_offsets end 16 is past the end of the data (12 bytes", "truncated");
    }

    @Test
    void headerNotUtf8() {
        writeRaw(file(), 8, new byte[]{'{', (byte) 0xC3, (byte) 0x28, '}', ' ', ' ', ' ', ' '}, new byte[0]);
        assertRejected("not valid UTF-8");
    }

    @Test
    void headerNotJson() {
        header("{\"w\": {\"dtype\": ", 0);
        assertRejected("not valid JSON");
    }

    @Test
    void headerNotAnObject() {
        header("[1, 2]", 0);
        assertRejected("does not start with '{'");
    }

    @Test
    void metadataMustMapStringsToStrings() {
        header("{\"__metadata__\": {\"format\": 1}}", 0);
        assertRejected("__metadata__", "\"format\"", "must be a string");
    }

    @Test
    void overlappingOffsets() {
        header("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                + "\"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12);
        assertRejected("\"b\"", "[4, 12] overlap", "\"a\"");
    }

    @Test
    void gapBetweenTensors() {
        header("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                + "\"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [12, 20]}}", 20);
        assertRejected("\"b\"", "gap of 4 bytes", "\"a\"", "no holes");
    }

    @Test
    void gapAtTheStart() {
        header("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12);
        assertRejected("\"a\"", "gap of 4 bytes", "start of the data");
    }

    @Test
    void bytesAfterTheLastTensor() {
        header("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 12);
        assertRejected("4 bytes of data after the last tensor \"a\"", "no holes");
    }

    @Test
    void byteCountDisagreesWithDtypeAndShape() {
        header("{\"w\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8);
        assertRejected("\"w\"", "hold 8 bytes", "F32 × shape [3] needs 12 bytes");
    }

    @Test
    void unknownDtype() {
        header("{\"w\": {\"dtype\": \"F128\", \"shape\": [1], \"data_offsets\": [0, 16]}}", 16);
        assertRejected("\"w\"", "unknown dtype \"F128\"");
    }

    @Test
    void unknownKeyInEntry() {
        header("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4], \"stride\": [1]}}", 4);
        assertRejected("\"w\"", "unknown key \"stride\"");
    }

    @Test
    void missingKeyInEntry() {
        header("{\"w\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4);
        assertRejected("\"w\"", "missing \"data_offsets\"");
    }

    @Test
    void negativeOrFractionalShape() {
        header("{\"w\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", 4);
        assertRejected("\"w\"", "\"shape\" must hold non-negative integers");
        header("{\"w\": {\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 4]}}", 4);
        assertRejected("\"w\"", "\"shape\" must hold non-negative integers");
    }

    @Test
    void offsetsBackwards() {
        header("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 0]}}", 4);
        assertRejected("\"w\"", "end before begin");
    }

    @Test
    void offsetsNotAPair() {
        header("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4, 8]}}", 4);
        assertRejected("\"w\"", "must be [begin, end]");
    }

    @Test
    void shapeProductOverflows() {
        header("{\"w\": {\"dtype\": \"F32\", \"shape\": [4611686018427387904, 4], \"data_offsets\": [0, 0]}}", 0);
        assertRejected("\"w\"", "overflows");
    }

    @Test
    void entryNotAnObject() {
        header("{\"w\": [1, 2]}", 0);
        assertRejected("\"w\"", "entry must be an object");
    }

    @Test
    void duplicateTensorName() {
        header("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},"
                + "\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8);
        assertRejected("not valid JSON", "Duplicate field 'w'");
    }

    @Test
    void missingFileAndFolder() throws Exception {
        assertMessage(file(), () -> SafetensorsFile.open(file()), "not found");
        Files.createDirectory(file());
        assertMessage(file(), () -> SafetensorsFile.open(file()), "is a folder");
    }

    @Test
    void goodFileStillOpensAfterAllThat() {
        writeRaw(file(), "{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", f32Bytes(1, 2));
        try (SafetensorsFile f = SafetensorsFile.open(file())) {
            assertTrue(f.has("w"));
        }
    }
}
