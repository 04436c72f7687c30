package dev.provtrace.io;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes one compact JSON object per line. Output goes to a hidden temporary file next to the target and is
 * renamed onto the target only by {@link #close()}, after an fsync, so that a crash or kill never leaves a
 * half-written file under the output's name (a later run would take it for a finished result).
 */
public final class JsonlWriter implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path output;
    private final Path temp;
    private final FileChannel channel;
    private final Writer writer;
    private long lines;
    private boolean failed;
    private boolean closed;

    private JsonlWriter(Path output, Path temp, FileChannel channel) {
        this.output = output;
        this.temp = temp;
        this.channel = channel;
        this.writer = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.UTF_8), 1 << 16);
    }

    public static JsonlWriter open(Path output) throws IOException {
        Path absolute = output.toAbsolutePath();
        if (Files.isDirectory(absolute)) throw new IOException(output + ": is a folder, cannot write JSONL there");
        Path folder = absolute.getParent();
        Files.createDirectories(folder);
        // Same folder, so the final rename is atomic (same file system); a dot name keeps it out of listings.
        Path temp = folder.resolve("." + absolute.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new JsonlWriter(absolute, temp, channel);
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
        try {
            writer.close();
        } catch (IOException ignored) {
            // The content is being discarded anyway.
        }
        deleteTemp();
    }

    private void deleteTemp() {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // A leftover hidden .tmp file is harmless; it never carries the output's name.
        }
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
            channel.force(true);
            writer.close();
            closed = true;
            Files.move(temp, output, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            abort();
            deleteTemp();
            throw new IOException(output + ": could not finish writing: " + e.getMessage(), e);
        }
    }

    private static String abbreviate(String s) { return s.length() <= 80 ? s : s.substring(0, 80) + "..."; }
}
