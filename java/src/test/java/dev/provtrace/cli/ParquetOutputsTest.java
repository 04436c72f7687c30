package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.io.parquet.ParquetRows;
import org.apache.parquet.schema.GroupType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parquet outputs of logprobs, trace/classify and select, read back with parquet-java's own reader and compared
 * field by field with the JSONL the same command writes (tools/check_parquet.py does the same with pyarrow): no
 * field dropped, ids and token ids integer columns, nulls where the JSONL has null. Output names of other formats
 * are refused before anything runs.
 */
class ParquetOutputsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static List<JsonNode> jsonl(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) if (!l.isBlank()) out.add(JSON.readTree(l));
        return out;
    }

    /** Same values: numbers as doubles (an int in a double column is the same number), absent = null. */
    static void assertSameRecord(JsonNode want, JsonNode got, String where) {
        if (want == null || want.isNull()) {
            assertTrue(got == null || got.isNull(), where + ": null in the JSONL, " + got + " in the Parquet file");
        } else if (want.isNumber()) {
            assertTrue(got.isNumber(), where + ": " + want + " vs " + got);
            assertEquals(want.doubleValue(), got.doubleValue(), 0.0, where);
        } else if (want.isArray()) {
            assertEquals(want.size(), got.size(), where + " length");
            for (int i = 0; i < want.size(); i++) assertSameRecord(want.get(i), got.get(i), where + "[" + i + "]");
        } else if (want.isObject()) {
            for (Iterator<String> it = want.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                assertTrue(got.has(f), where + ": field " + f + " is missing from the Parquet file");
                assertSameRecord(want.get(f), got.get(f), where + "." + f);
            }
        } else {
            assertEquals(want, got, where);
        }
    }

    static void assertSameRows(Path jsonl, Path parquet) throws Exception {
        List<JsonNode> want = jsonl(jsonl);
        List<ObjectNode> got = ParquetRows.read(parquet);
        assertEquals(want.size(), got.size(), parquet + " rows");
        for (int i = 0; i < want.size(); i++) assertSameRecord(want.get(i), got.get(i), parquet.getFileName() + " row " + i);
    }

    private static String column(GroupType schema, String name) {
        return schema.getType(name).toString().replaceAll("\\s+", " ");
    }

    @Test
    void logprobsAsParquetHoldsTheJsonlNumbersInTypedColumns(@TempDir Path dir) throws Exception {
        Path model = LogprobsCommandTest.modelWithTokenizer(dir);
        Path in = Files.write(dir.resolve("in.jsonl"), List.of("{\"id\": 7, \"text\": \"Hello world, this is a test.\"}",
                "{\"id\": 8, \"context\": \"The capital of France is \", \"continuation\": \"Paris.\"}",
                "{\"id\": 9, \"text\": \"\"}"));
        String[] common = {"--model", model.toString(), "--input", in.toString(), "--quiet", "--top-k", "2", "--rank", "--sums",
                "--tokens", "--split-top-k"};
        Path jsonl = dir.resolve("out.jsonl"), parquet = dir.resolve("out.parquet");
        List<String> a = new ArrayList<>(List.of("logprobs", "--output", jsonl.toString()));
        a.addAll(List.of(common));
        assertEquals(3, TraceCommandTest.run(a.toArray(String[]::new)).exit(), "one bad record");
        List<String> b = new ArrayList<>(List.of("logprobs", "--output", parquet.toString()));
        b.addAll(List.of(common));
        TraceCommandTest.Run r = TraceCommandTest.run(b.toArray(String[]::new));
        assertEquals(3, r.exit(), r.err());
        assertSameRows(jsonl, parquet);
        GroupType schema = ParquetRows.schema(parquet);
        assertEquals("optional int64 id", column(schema, "id"));
        assertTrue(column(schema, "input_ids").contains("optional int64 element"), column(schema, "input_ids"));
        assertTrue(column(schema, "token_logprobs").contains("optional double element"), column(schema, "token_logprobs"));
        assertTrue(column(schema, "top_k_ids").contains("optional int64 element"), "ids stay integers: " + column(schema, "top_k_ids"));
        assertTrue(column(schema, "token_ranks").contains("optional int64 element"));
        assertTrue(column(schema, "is_greedy").contains("boolean"));
        assertTrue(Files.isRegularFile(dir.resolve("out.parquet.rejected.jsonl")), "the rejected record is listed beside the output");
        try (var listing = Files.list(dir)) {
            assertTrue(listing.noneMatch(p -> p.getFileName().toString().contains("staging")), "the staged lines are gone");
        }

        // without --split-top-k a Parquet output still splits top-k: [id, logprob] pairs would turn ids into doubles
        Path pairs = dir.resolve("pairs.parquet");
        assertEquals(3, TraceCommandTest.run("logprobs", "--model", model.toString(), "--input", in.toString(), "--quiet",
                "--top-k", "2", "--output", pairs.toString()).exit());
        assertTrue(column(ParquetRows.schema(pairs), "top_k_ids").contains("int64"));
        assertFalse(ParquetRows.schema(pairs).containsField("top_k"));
    }

    @Test
    void otherFormatsAndContradictionsAreRefusedBeforeAnythingRuns(@TempDir Path dir) throws Exception {
        Path model = LogprobsCommandTest.modelWithTokenizer(dir);
        Path in = Files.write(dir.resolve("in.jsonl"), List.of("{\"id\": 1, \"text\": \"Hello.\"}"));
        for (String name : new String[] {"out.csv", "out.json", "out.arrow", "out.jsonl.gz"}) {
            TraceCommandTest.Run r = TraceCommandTest.run("logprobs", "--model", model.toString(), "--input", in.toString(),
                    "--output", dir.resolve(name).toString(), "--quiet");
            assertEquals(2, r.exit(), name + ": " + r.err());
            assertTrue(r.err().contains("names a format provtrace does not write"), r.err());
            assertFalse(Files.exists(dir.resolve(name)));
        }
        TraceCommandTest.Run r = TraceCommandTest.run("logprobs", "--model", model.toString(), "--input", in.toString(),
                "--output", dir.resolve("x.jsonl").toString(), "--format", "parquet", "--quiet");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--format parquet contradicts --output"), r.err());
        Path named = dir.resolve("scores.out");   // a name that says nothing: --format decides
        assertEquals(0, TraceCommandTest.run("logprobs", "--model", model.toString(), "--input", in.toString(),
                "--output", named.toString(), "--format", "parquet", "--quiet").exit());
        assertEquals("PAR1", new String(Files.readAllBytes(named), 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void traceClassifyAndSelectWriteParquetCopiesOfTheirRecords(@TempDir Path dir) throws Exception {
        Path demo = dir.resolve("demo");
        assertEquals(0, TraceCommandTest.run("demo", "--out", demo.toString(), "--threads", "2", "--quiet").exit());
        TraceCommandTest.Run c = TraceCommandTest.run("classify", "--scores", demo.toString(), "--format", "parquet");
        assertEquals(0, c.exit(), c.err());
        assertSameRows(demo.resolve("sentences.jsonl"), demo.resolve("sentences.parquet"));
        assertSameRows(demo.resolve("trajectories.jsonl"), demo.resolve("trajectories.parquet"));
        GroupType t = ParquetRows.schema(demo.resolve("trajectories.parquet"));
        assertTrue(column(t, "counts").contains("optional int64 TEACHER"), column(t, "counts"));
        // relabelled without --format: the copies there are rewritten, never left with the old labels
        assertEquals(0, TraceCommandTest.run("classify", "--scores", demo.toString(), "--beta", "0.6").exit());
        assertSameRows(demo.resolve("sentences.jsonl"), demo.resolve("sentences.parquet"));

        Path sel = dir.resolve("sel.parquet"), out = dir.resolve("selection"), selJsonl = dir.resolve("sel.jsonl");
        String[] common = {"--teacher", demo.resolve("models/teacher").toString(), "--student", demo.resolve("models/student").toString(),
                "--input", demo.resolve("demo-candidates.jsonl").toString(), "--quiet", "--threads", "2"};
        List<String> a = new ArrayList<>(List.of("select", "--output", selJsonl.toString(), "--out", dir.resolve("selection-jsonl").toString()));
        a.addAll(List.of(common));
        assertEquals(0, TraceCommandTest.run(a.toArray(String[]::new)).exit());
        List<String> b = new ArrayList<>(List.of("select", "--output", sel.toString(), "--out", out.toString()));
        b.addAll(List.of(common));
        TraceCommandTest.Run s = TraceCommandTest.run(b.toArray(String[]::new));
        assertEquals(0, s.exit(), s.err());
        assertSameRows(selJsonl, sel);
        assertSameRows(out.resolve("candidates.jsonl"), out.resolve("candidates.parquet"));
        assertEquals(2, TraceCommandTest.run("select", "--output", dir.resolve("sel.csv").toString(), "--teacher", "x", "--student", "y",
                "--input", demo.resolve("demo-candidates.jsonl").toString()).exit(), "refused before the models are looked at");
    }
}
