package dev.provtrace.io;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Writes one compact JSON object per line, through {@link AtomicOutput}: a regular file is written to its fixed
 * temporary file and renamed onto the output's name only by {@link #close()}, after an fsync, so that a crash or
 * kill never leaves a half-written file under the output's name (a later run would take it for a finished
 * result); {@code -}, a FIFO or a device is written through.
 */
public final class JsonlWriter implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path output;
    private final AtomicOutput out;
    private final Writer writer;
    private long lines;
    private boolean failed;
    private boolean closed;

    private JsonlWriter(Path output, AtomicOutput out) {
        this.output = output;
        this.out = out;
        this.writer = new BufferedWriter(new OutputStreamWriter(out.stream(), StandardCharsets.UTF_8), 1 << 16);
    }

    public static JsonlWriter open(Path output) throws IOException {
        AtomicOutput out = AtomicOutput.open(output);
        return new JsonlWriter(AtomicOutput.isStandardStream(output) ? output : output.toAbsolutePath(), out);
    }

    /** The file that will exist once {@link #close()} succeeds. */
    public Path output() { return output; }

    public long linesWritten() { return lines; }

    /** Appends {@code value} (a JsonNode, Map, record, ...) as one line; it must serialize to a JSON object. */
    public void write(Object value) throws IOException {
        if (closed) throw new IOException(output + ": writer is closed");
        String json = JSON.writeValueAsString(value);
        if (!json.startsWith("{")) {
            throw new IllegalArgumentException(output + ": each JSONL line must be a JSON object, got " + abbreviate(json));
        }
        try {
            writer.write(json);
            writer.write('\n');
            lines++;
        } catch (IOException e) {
            failed = true;
            throw e;
        }
    }

    /** Throws away everything written; the output file is left as it was. */
    public void abort() {
        if (closed) return;
        closed = true;
        out.abort();
    }

    /**
     * Flushes, syncs to disk and renames the temporary file onto the output. If an earlier write failed, nothing
     * is published: the output's name must only ever hold a complete file.
     */
    @Override
    public void close() throws IOException {
        if (closed) return;
        if (failed) {
            abort();
            throw new IOException(output + ": not written, because an earlier write failed");
        }
        try {
            writer.flush();
            closed = true;
            out.commit();
        } catch (IOException e) {
            closed = true;
            out.abort();
            throw e.getMessage() != null && e.getMessage().startsWith(output.toString()) ? e
                    : new IOException(output + ": could not finish writing: " + e.getMessage(), e);
        }
    }

    private static String abbreviate(String s) { return s.length() <= 80 ? s : s.substring(0, 80) + "..."; }
}
