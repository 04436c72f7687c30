package dev.provtrace.score;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.io.AtomicOutput;

import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A JSONL output that survives a kill: lines are appended to {@code .NAME.partial} beside the output and forced to
 * disk a group at a time, and after each group {@code .NAME.partial.json} records (atomically: fixed-name temp +
 * rename) how far the input was consumed and how many bytes of the partial are complete. A rerun with the same
 * setup cuts the partial back to those bytes (a torn last line, or a group written but not yet recorded, goes) and
 * carries on; {@link #finish()} renames the partial onto the output. A partial from another setup (model, options
 * or input) is never continued: it is discarded with a message naming what changed.
 * <p>
 * Only for outputs that are a regular file or do not exist yet ({@link #appliesTo}); stdout, a FIFO, a device or a
 * symlink are written through instead (nothing there can be resumed, and nothing there may be replaced).
 */
final class PartialOutput implements Closeable {
    /** What a partial's lines depend on; any difference means they cannot be continued. */
    record Setup(String model, String options, String input) {}

    /**
     * How much the partial holds: every input line up to and including {@code line} is accounted for.
     * {@code failed} counts the bad records among them, whose messages the earlier run printed.
     */
    record Done(long line, long written, long failed, long tokens) {
        static final Done NOTHING = new Done(0, 0, 0, 0);

        long records() { return written + failed; }
    }

    /** A progress record read back: what was done and how many bytes of the partial hold it. */
    private record Recorded(Done done, long bytes) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int VERSION = 1;

    private final Path output, partial, progress;
    private final Setup setup;
    private final FileChannel channel;
    private final FileLock lock;
    private final Done resumedFrom;
    private boolean finished;

    private PartialOutput(Path output, Path partial, Path progress, Setup setup, FileChannel channel, FileLock lock,
                          Done resumedFrom) {
        this.output = output;
        this.partial = partial;
        this.progress = progress;
        this.setup = setup;
        this.channel = channel;
        this.lock = lock;
        this.resumedFrom = resumedFrom;
    }

    /**
     * The hook between resuming and writing through: true for an output that does not exist yet or is a regular
     * file (not a symlink). Everything else — {@code -}, a symlink, a FIFO, a character device — is not resumable.
     */
    static boolean appliesTo(Path output) {
        if (output.toString().equals("-")) return false;
        return !Files.exists(output, LinkOption.NOFOLLOW_LINKS) || Files.isRegularFile(output, LinkOption.NOFOLLOW_LINKS);
    }

    /** {@code .NAME.partial} in the output's folder (same file system, so the final rename is atomic). */
    static Path partialFile(Path output) {
        Path abs = output.toAbsolutePath();
        return abs.resolveSibling("." + abs.getFileName() + ".partial");
    }

    static Path progressFile(Path output) {
        Path p = partialFile(output);
        return p.resolveSibling(p.getFileName() + ".json");
    }

    /**
     * Opens the partial of {@code output}: continued when its progress record was made with {@code setup}, else
     * started afresh (saying why on {@code messages} when there was something to discard). Refused while another
     * run holds it.
     */
    static PartialOutput open(Path output, Setup setup, PrintStream messages) throws IOException {
        Path abs = output.toAbsolutePath();
        if (Files.isDirectory(abs)) throw new IOException(output + ": is a folder, cannot write JSONL there");
        Files.createDirectories(abs.getParent());
        Path partial = partialFile(abs), progress = progressFile(abs);
        boolean existed = Files.exists(partial);
        FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IOException(partial + ": another logprobs run is writing " + output + " right now; "
                        + "wait for it to finish (two runs on one output would interleave)");
            }
            Recorded earlier = readProgress(progress, setup, existed ? channel.size() : -1, partial, messages);
            // cuts off a torn last line, or a group that was written but not yet recorded
            channel.truncate(earlier == null ? 0 : earlier.bytes());
            channel.position(channel.size());
            PartialOutput p = new PartialOutput(abs, partial, progress, setup, channel, lock,
                    earlier == null ? Done.NOTHING : earlier.done());
            if (earlier == null) p.writeProgress(Done.NOTHING);
            return p;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Where the earlier run got to; {@link Done#NOTHING} for a fresh start. */
    Done resumedFrom() { return resumedFrom; }

    Path partial() { return partial; }

    /** Appends one group's lines and records {@code done}; the lines are on disk before the record says so. */
    void commit(List<ObjectNode> lines, Done done) throws IOException {
        if (!lines.isEmpty()) {
            // serialized as JsonlWriter does (compact, one per line, UTF-8), so both ways give the same bytes
            StringBuilder sb = new StringBuilder();
            for (ObjectNode l : lines) sb.append(JSON.writeValueAsString(l)).append('\n');
            ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) channel.write(buf);
            channel.force(false);
        }
        writeProgress(done);
    }

    /** Syncs the partial and renames it onto the output, then drops the progress record. */
    void finish() throws IOException {
        channel.force(true);
        lock.release();
        channel.close();
        Files.move(partial, output, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        finished = true;
        // A kill between the rename and here leaves a record without its partial: the next run starts afresh.
        Files.deleteIfExists(progress);
        AtomicOutput.syncFolder(output.getParent());
    }

    /** Leaves the partial and its record for the next run (unless finished). */
    @Override
    public void close() throws IOException {
        if (finished) return;
        if (channel.isOpen()) {
            if (lock.isValid()) lock.release();
            channel.close();
        }
    }

    private void writeProgress(Done done) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("version", VERSION);
        o.put("output", output.toString());
        o.put("model", setup.model());
        o.put("options", setup.options());
        o.put("input", setup.input());
        o.put("line", done.line());
        o.put("bytes", channel.position());
        o.put("written", done.written());
        o.put("failed", done.failed());
        o.put("tokens", done.tokens());
        Path tmp = progress.resolveSibling(progress.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(JSON.writeValueAsBytes(o));
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        }
        Files.move(tmp, progress, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The earlier run's progress when it can be continued, else null (a fresh start), with a message when a partial
     * from another setup, or one without a usable record, is being thrown away. {@code partialSize} is -1 when there
     * was no partial.
     */
    private static Recorded readProgress(Path progress, Setup setup, long partialSize, Path partial, PrintStream messages) {
        if (partialSize < 0) {
            // finish() renamed the partial onto the output and was stopped before it removed the record
            if (Files.isRegularFile(progress)) messages.println("note: " + progress.getFileName() + " is left from a run that"
                    + " had finished (its partial is already the output); starting afresh");
            return null;
        }
        if (!Files.isRegularFile(progress)) {
            if (partialSize > 0) messages.println("warning: " + partial + " has no progress record (" + progress.getFileName()
                    + "); it cannot be continued and is started afresh");
            return null;
        }
        JsonNode o;
        try {
            o = JSON.readTree(progress.toFile());
        } catch (IOException e) {
            messages.println("warning: " + progress + " cannot be read (" + e.getMessage() + "); " + partial.getFileName()
                    + " is started afresh");
            return null;
        }
        if (o == null || o.path("version").asInt() != VERSION) {
            messages.println("warning: " + progress + " is not a progress record of this version; " + partial.getFileName()
                    + " is started afresh");
            return null;
        }
        List<String> changed = new ArrayList<>();
        if (!setup.model().equals(o.path("model").asText())) changed.add("another model (its config, tokenizer or weights differ)");
        String options = optionChanges(o.path("options").asText(), setup.options());
        if (!options.isEmpty()) changed.add("other options (" + options + ")");
        if (!setup.input().equals(o.path("input").asText())) changed.add("another input (the input file's content differs)");
        if (!changed.isEmpty()) {
            messages.println("warning: " + partial + " was made with " + String.join(", ", changed)
                    + "; it is not continued: starting afresh");
            return null;
        }
        long bytes = o.path("bytes").asLong(-1);
        if (bytes < 0 || bytes > partialSize) {
            messages.println("warning: " + partial + " is shorter (" + partialSize + " bytes) than its progress record says ("
                    + bytes + "); starting afresh");
            return null;
        }
        return new Recorded(new Done(o.path("line").asLong(), o.path("written").asLong(), o.path("failed").asLong(),
                o.path("tokens").asLong()), bytes);
    }

    /** The settings ("key=value key=value ...") that differ: "top_k 0, now 2; threads 4, now 8". */
    static String optionChanges(String then, String now) {
        Map<String, String> before = settings(then), after = settings(now);
        Set<String> keys = new LinkedHashSet<>(after.keySet());
        keys.addAll(before.keySet());
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            String b = before.getOrDefault(k, "unset"), a = after.getOrDefault(k, "unset");
            if (!a.equals(b)) out.add(k + " " + b + ", now " + a);
        }
        return String.join("; ", out);
    }

    private static Map<String, String> settings(String s) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : s.trim().split("\\s+")) {
            int eq = kv.indexOf('=');
            if (eq > 0) m.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return m;
    }

}
