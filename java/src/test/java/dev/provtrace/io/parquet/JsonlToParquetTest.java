package dev.provtrace.io.parquet;

import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JSONL to Parquet, read back with parquet-java's own reader (a different code path from our writer; tools/
 * check_parquet.py reads the same kind of file with pyarrow): typed columns, nulls at the right places, integers
 * widened to double only where a fraction appears, a field that only some records have, nested lists and structs.
 */
class JsonlToParquetTest {
    /** parquet-java's example reader over a local file, without a Hadoop configuration. */
    static List<Group> read(Path file) throws Exception {
        List<Group> rows = new ArrayList<>();
        try (ParquetReader<Group> r = new ParquetReader.Builder<Group>(new LocalInputFile(file), new PlainParquetConfiguration()) {
            @Override protected ReadSupport<Group> getReadSupport() { return new GroupReadSupport(); }
        }.withCodecFactory(new SnappyCodecs()).build()) {
            for (Group g; (g = r.read()) != null; ) rows.add(g);
        }
        return rows;
    }

    static MessageType schema(Path file) throws Exception {
        try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(file),
                ParquetReadOptions.builder(new PlainParquetConfiguration()).withCodecFactory(new SnappyCodecs()).build())) {
            return r.getFooter().getFileMetaData().getSchema();
        }
    }

    @Test
    void everyFieldBecomesATypedColumn(@TempDir Path dir) throws Exception {
        Path in = Files.write(dir.resolve("in.jsonl"), List.of(
                "{\"id\":\"a\",\"ids\":[1,2,3],\"lp\":[null,-0.5,-1.25],\"top\":[null,[7,8],[9]],\"s\":1.5,\"g\":true,"
                        + "\"counts\":{\"A\":1,\"B\":2},\"n\":1}",
                "",
                "{\"id\":\"b\",\"ids\":[],\"lp\":[null],\"top\":[null],\"s\":-2,\"g\":null,\"counts\":{\"A\":3},\"n\":2.5,\"extra\":\"x\"}"));
        Path out = dir.resolve("out.parquet");
        assertEquals(2, JsonlToParquet.convert(in, out));
        MessageType schema = schema(out);
        assertEquals(List.of("id", "ids", "lp", "top", "s", "g", "counts", "n", "extra"),
                schema.getFields().stream().map(f -> f.getName()).toList(), "columns in order of first appearance");
        assertEquals("optional binary id (STRING)", schema.getType("id").toString());
        assertEquals("optional int64 element", schema.getType("ids").asGroupType().getType("list").asGroupType().getType("element").toString());
        assertEquals("optional double", schema.getType("lp").asGroupType().getType("list").asGroupType().getType("element")
                .toString().replace(" element", ""));
        assertTrue(schema.getType("n").toString().contains("double"), "1 and 2.5: double");
        assertTrue(schema.getType("s").toString().contains("double"), "1.5 and -2: double");
        assertTrue(schema.getType("g").toString().contains("boolean"));

        List<Group> rows = read(out);
        assertEquals(2, rows.size());
        Group a = rows.get(0), b = rows.get(1);
        assertEquals("a", a.getString("id", 0));
        Group ids = a.getGroup("ids", 0);
        assertEquals(3, ids.getFieldRepetitionCount("list"));
        assertEquals(2L, ids.getGroup("list", 1).getLong("element", 0));
        Group lp = a.getGroup("lp", 0);
        assertEquals(0, lp.getGroup("list", 0).getFieldRepetitionCount("element"), "lp[0] is null");
        assertEquals(-1.25, lp.getGroup("list", 2).getDouble("element", 0));
        Group top = a.getGroup("top", 0);
        assertEquals(0, top.getGroup("list", 0).getFieldRepetitionCount("element"), "top[0] is null");
        assertEquals(8L, top.getGroup("list", 1).getGroup("element", 0).getGroup("list", 1).getLong("element", 0));
        assertEquals(1.5, a.getDouble("s", 0));
        assertTrue(a.getBoolean("g", 0));
        assertEquals(2L, a.getGroup("counts", 0).getLong("B", 0));
        assertEquals(1.0, a.getDouble("n", 0));
        assertEquals(0, a.getFieldRepetitionCount("extra"), "a has no extra: null");
        assertEquals(0, b.getGroup("ids", 0).getFieldRepetitionCount("list"), "an empty list stays empty, not null");
        assertEquals(-2.0, b.getDouble("s", 0));
        assertEquals(0, b.getFieldRepetitionCount("g"), "null");
        assertEquals(0, b.getGroup("counts", 0).getFieldRepetitionCount("B"), "b's counts have no B");
        assertEquals(2.5, b.getDouble("n", 0));
        assertEquals("x", b.getString("extra", 0));
    }

    @Test
    void aFieldWhoseRecordsDisagreeIsRefusedBeforeAnythingIsWritten(@TempDir Path dir) throws Exception {
        Path in = Files.write(dir.resolve("in.jsonl"), List.of("{\"id\":1}", "{\"id\":\"two\"}"));
        Path out = dir.resolve("out.parquet");
        JsonShape.Conflict e = assertThrows(JsonShape.Conflict.class, () -> JsonlToParquet.convert(in, out));
        assertTrue(e.getMessage().contains("id is an integer in earlier records and a string on line 2"), e.getMessage());
        assertTrue(e.getMessage().contains(in.toString()), e.getMessage());
        assertFalse(Files.exists(out));
        Path nested = Files.write(dir.resolve("nested.jsonl"), List.of("{\"x\":[[1],[\"a\"]]}"));
        e = assertThrows(JsonShape.Conflict.class, () -> JsonlToParquet.convert(nested, out));
        assertTrue(e.getMessage().contains("x[][] is an integer in earlier records and a string on line 1"), e.getMessage());
    }
}
