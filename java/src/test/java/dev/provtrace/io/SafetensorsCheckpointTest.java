package dev.provtrace.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static dev.provtrace.io.TestSafetensorsWriter.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsCheckpointTest {
    @TempDir Path dir;
    private final List<String> warnings = new ArrayList<>();
    private final Consumer<String> collect = warnings::add;

    private static float[] read(TensorView t) {
        float[] out = new float[(int) t.numel()];
        t.readFloats(0, out, 0, out.length);
        return out;
    }

    private void index(String weightMapJson) throws IOException {
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"metadata\": {\"total_size\": 123}, \"weight_map\": " + weightMapJson + "}");
    }

    private void twoShards() throws IOException {
        new TestSafetensorsWriter().f32("b", shape(2), 3, 4).f32("a", shape(1), 1)
                .write(dir.resolve("model-00001-of-00002.safetensors"));
        new TestSafetensorsWriter().f32("c", shape(2, 1), 5, 6)
                .write(dir.resolve("model-00002-of-00002.safetensors"));
    }

    private SafetensorsException assertFails(String... parts) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsCheckpoint.open(dir, collect).close());
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message should contain \"" + p + "\": " + e.getMessage());
        return e;
    }

    @Test
    void singleFile() throws Exception {
        new TestSafetensorsWriter().f32("z", shape(2), 1, 2).f32("y", shape(1), 3).write(dir.resolve("model.safetensors"));
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(List.of("y", "z"), List.copyOf(c.names()));
            assertTrue(c.has("z"));
            assertArrayEquals(new float[]{1, 2}, read(c.tensor("z")));
            assertEquals(12, c.totalBytes());
            assertEquals(dir, c.folder());
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> c.tensor("x"));
            assertTrue(e.getMessage().contains("\"x\"") && e.getMessage().contains(dir.toString()), e.getMessage());
        }
    }

    @Test
    void shardedThroughIndex() throws Exception {
        twoShards();
        // A stray single file next to the index must not be read: the index wins, as in transformers.
        new TestSafetensorsWriter().f32("stray", shape(1), 9).write(dir.resolve("model.safetensors"));
        index("{\"a\": \"model-00001-of-00002.safetensors\", \"b\": \"model-00001-of-00002.safetensors\","
                + " \"c\": \"model-00002-of-00002.safetensors\"}");
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir, collect)) {
            assertEquals(List.of("a", "b", "c"), List.copyOf(c.names()));
            assertArrayEquals(new float[]{1}, read(c.tensor("a")));
            assertArrayEquals(new float[]{3, 4}, read(c.tensor("b")));
            assertArrayEquals(new float[]{5, 6}, read(c.tensor("c")));
            assertEquals("model-00002-of-00002.safetensors", c.tensor("c").file().getFileName().toString());
            assertEquals(2, c.files().size());
            assertEquals(20, c.totalBytes());
            assertFalse(c.has("stray"));
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void tensorInShardButNotInIndexIsWarnedAbout() throws Exception {
        twoShards();
        index("{\"a\": \"model-00001-of-00002.safetensors\", \"c\": \"model-00002-of-00002.safetensors\"}");
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir, collect)) {
            assertTrue(c.has("b"));
        }
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("model-00001-of-00002.safetensors") && warnings.get(0).contains(": b"), warnings.get(0));
    }

    @Test
    void nothingToLoad() {
        SafetensorsException e = assertFails(dir.toString(), "model.safetensors.index.json", "model.safetensors");
        assertFalse(e.getMessage().contains("pytorch_model.bin"));
    }

    @Test
    void pytorchWeightsGetAHint() throws Exception {
        Files.write(dir.resolve("pytorch_model.bin"), new byte[4]);
        assertFails("pytorch_model.bin", "convert them to safetensors");
    }

    @Test
    void missingFolder() {
        Path nowhere = dir.resolve("nowhere");
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsCheckpoint.open(nowhere, collect));
        assertTrue(e.getMessage().contains(nowhere.toString()) && e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void missingShardFile() throws Exception {
        twoShards();
        index("{\"a\": \"model-00001-of-00002.safetensors\", \"b\": \"model-00001-of-00002.safetensors\","
                + " \"c\": \"model-00002-of-00002.safetensors\", \"d\": \"model-00003-of-00002.safetensors\"}");
        assertFails("model.safetensors.index.json", "model-00003-of-00002.safetensors", "is missing", "\"d\"");
    }

    @Test
    void indexPointsAtTensorTheShardLacks() throws Exception {
        twoShards();
        index("{\"a\": \"model-00001-of-00002.safetensors\", \"b\": \"model-00001-of-00002.safetensors\","
                + " \"c\": \"model-00001-of-00002.safetensors\"}");
        assertFails("\"c\"", "model-00001-of-00002.safetensors", "has no such tensor");
    }

    @Test
    void sameTensorInTwoShards() throws Exception {
        new TestSafetensorsWriter().f32("a", shape(1), 1).write(dir.resolve("s1.safetensors"));
        new TestSafetensorsWriter().f32("a", shape(1), 2).f32("b", shape(1), 3).write(dir.resolve("s2.safetensors"));
        index("{\"a\": \"s1.safetensors\", \"b\": \"s2.safetensors\"}");
        assertFails("\"a\"", "s1.safetensors", "s2.safetensors", "exactly one shard");
    }

    @Test
    void shardOutsideTheFolder() throws Exception {
        new TestSafetensorsWriter().f32("a", shape(1), 1).write(dir.resolve("outside.safetensors"));
        Path model = Files.createDirectory(dir.resolve("model"));
        Files.writeString(model.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"a\": \"../outside.safetensors\"}}");
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsCheckpoint.open(model, collect));
        assertTrue(e.getMessage().contains("../outside.safetensors") && e.getMessage().contains("outside the model folder"), e.getMessage());
        Files.writeString(model.resolve("model.safetensors.index.json"), "{\"weight_map\": {\"a\": \"" + dir.resolve("outside.safetensors") + "\"}}");
        assertThrows(SafetensorsException.class, () -> SafetensorsCheckpoint.open(model, collect));
    }

    @Test
    void indexWithoutWeightMap() throws Exception {
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"metadata\": {}}");
        assertFails("model.safetensors.index.json", "weight_map");
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\": ");
        assertFails("model.safetensors.index.json", "not valid JSON");
    }

    @Test
    void brokenShardIsNamed() throws Exception {
        twoShards();
        TestSafetensorsWriter.writeBytes(dir.resolve("model-00002-of-00002.safetensors"), new byte[3]);
        index("{\"a\": \"model-00001-of-00002.safetensors\", \"b\": \"model-00001-of-00002.safetensors\","
                + " \"c\": \"model-00002-of-00002.safetensors\"}");
        assertFails("model-00002-of-00002.safetensors", "shorter than the 8-byte header length");
    }

    @Test
    void closeReleasesTheFiles() throws Exception {
        new TestSafetensorsWriter().f32("a", shape(1), 1).write(dir.resolve("model.safetensors"));
        Checkpoint c = SafetensorsCheckpoint.open(dir, collect);
        TensorView a = c.tensor("a");
        c.close();
        assertThrows(SafetensorsException.class, a::mapAll);
    }
}
