package dev.provtrace.io.parquet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.io.AtomicOutput;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.schema.MessageType;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JSONL file of records (one JSON object a line, as provtrace writes them) as one Parquet file, Snappy-compressed,
 * in two passes: the first finds each field's type over every record ({@link JsonShape}), the second writes the
 * rows in order. The output goes through {@link AtomicOutput} (a file appears whole or not at all; "-" is standard
 * output). Every field of every record becomes a column, so nothing is dropped; records that disagree on a field's
 * type are refused before anything is written.
 */
public final class JsonlToParquet {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonlToParquet() {}

    /** Converts {@code jsonl} into {@code output}; returns the number of rows. */
    public static long convert(Path jsonl, Path output) throws IOException {
        Map<String, JsonShape> columns = new LinkedHashMap<>();
        long rows = 0;
        try (BufferedReader in = Files.newBufferedReader(jsonl, StandardCharsets.UTF_8)) {
            long line = 0;
            for (String text; (text = in.readLine()) != null; ) {
                line++;
                if (text.isBlank()) continue;
                JsonNode record = JSON.readTree(text);
                if (!record.isObject()) throw new JsonShape.Conflict(jsonl + ":" + line + " is not a JSON object");
                for (var it = record.fields(); it.hasNext(); ) {
                    var f = it.next();
                    try {
                        columns.computeIfAbsent(f.getKey(), k -> new JsonShape()).add(f.getValue(), f.getKey(), line);
                    } catch (JsonShape.Conflict e) {
                        throw new JsonShape.Conflict(jsonl + ": " + e.getMessage());
                    }
                }
                rows++;
            }
        }
        if (columns.isEmpty()) columns.put("id", new JsonShape());   // Parquet needs a column, even with no rows
        MessageType schema = JsonParquetSchema.of(columns, "record");
        try (AtomicOutput out = AtomicOutput.open(output)) {
            try (ParquetWriter<JsonNode> writer = new Builder(new StreamFile(new BufferedOutputStream(out.stream(), 1 << 16), output.toString()),
                    new JsonWriteSupport(columns, schema))
                    .withConf(new PlainParquetConfiguration())          // else the builder makes a Hadoop configuration
                    .withCodecFactory(new SnappyCodecs())               // else it loads Hadoop's codecs
                    .withCompressionCodec(CompressionCodecName.SNAPPY)
                    .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                    .build();
                 BufferedReader in = Files.newBufferedReader(jsonl, StandardCharsets.UTF_8)) {
                for (String text; (text = in.readLine()) != null; ) {
                    if (!text.isBlank()) writer.write(JSON.readTree(text));
                }
            }
            out.commit();
        }
        return rows;
    }

    private static final class Builder extends ParquetWriter.Builder<JsonNode, Builder> {
        private final JsonWriteSupport support;

        Builder(OutputFile file, JsonWriteSupport support) {
            super(file);
            this.support = support;
        }

        @Override protected Builder self() { return this; }

        @Override protected WriteSupport<JsonNode> getWriteSupport(ParquetConfiguration conf) { return support; }

        @Override protected WriteSupport<JsonNode> getWriteSupport(org.apache.hadoop.conf.Configuration conf) { return support; }
    }

    /** A Parquet output over a plain stream: Parquet writes front to back and only asks where it is. */
    private static final class StreamFile implements OutputFile {
        private final OutputStream stream;
        private final String name;

        StreamFile(OutputStream stream, String name) {
            this.stream = stream;
            this.name = name;
        }

        @Override public PositionOutputStream create(long blockSizeHint) { return open(); }

        @Override public PositionOutputStream createOrOverwrite(long blockSizeHint) { return open(); }

        private PositionOutputStream open() {
            return new PositionOutputStream() {
                private long position;

                @Override public long getPos() { return position; }

                @Override public void write(int b) throws IOException {
                    stream.write(b);
                    position++;
                }

                @Override public void write(byte[] b, int off, int len) throws IOException {
                    stream.write(b, off, len);
                    position += len;
                }

                @Override public void flush() throws IOException { stream.flush(); }

                @Override public void close() throws IOException { stream.flush(); }   // AtomicOutput closes it on commit
            };
        }

        @Override public boolean supportsBlockSize() { return false; }

        @Override public long defaultBlockSize() { return 0; }

        @Override public String getPath() { return name; }
    }
}
