package dev.provtrace.io;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * An input JSONL file read as a stream as often as a job's passes need it; never held in memory.
 * {@link #validate} reads it once and remembers which lines are good records (one bit per line); every bad line
 * (malformed JSON, a missing field, an id seen before) is reported on the error stream as
 * {@code file:line (id X): reason} and skipped. Later passes can reject more records (a model could not score them);
 * they are reported the same way. Nothing is dropped without a message, and {@link #skipped()} lists them all.
 *
 * @param <R> the record type the lines parse to
 */
public final class ValidatedJsonl<R> {
    /** Parses one line; throws with the reason when it is not a valid record. */
    public interface Parser<R> {
        R parse(long line, JsonNode value) throws InvalidRecord;
    }

    /** A skipped line and why. */
    public record Skipped(long line, String id, String reason) {}

    /** Receives the good records a chunk at a time. */
    public interface ChunkConsumer<R> {
        void accept(List<R> chunk) throws IOException;
    }

    private final Path file;
    private final Parser<R> parser;
    private final PrintStream errors;
    private final BitSet good = new BitSet();
    private final List<Skipped> skipped = new ArrayList<>();

    private ValidatedJsonl(Path file, Parser<R> parser, PrintStream errors) {
        this.file = file;
        this.parser = parser;
        this.errors = errors;
    }

    /**
     * Reads the whole file once, reporting bad lines. The set of ids seen lives only for this pass (the duplicate
     * check needs it); afterwards one bit per line is kept.
     */
    public static <R> ValidatedJsonl<R> validate(Path file, Parser<R> parser, Function<R, String> idOf, PrintStream errors)
            throws IOException {
        ValidatedJsonl<R> in = new ValidatedJsonl<>(file, parser, errors);
        Set<String> ids = new HashSet<>();
        try (JsonlReader reader = JsonlReader.open(file)) {
            for (JsonlRecord rec; (rec = reader.next()) != null; ) {
                if (rec.isMalformed()) {
                    String message = rec.error().orElseThrow().getMessage();
                    errors.println("error: " + message);
                    in.skipped.add(new Skipped(rec.lineNumber(), null, message));
                    continue;
                }
                JsonNode n = rec.value();
                try {
                    R r = parser.parse(rec.lineNumber(), n);
                    String id = idOf.apply(r);
                    if (!ids.add(id)) throw new InvalidRecord("id \"" + id + "\" appears twice in the input; the first one is kept");
                    in.good.set(lineIndex(rec.lineNumber()));
                } catch (InvalidRecord e) {
                    String id = n.isObject() && n.hasNonNull("id") && n.get("id").isValueNode() ? n.get("id").asText() : null;
                    in.reject(rec.lineNumber(), id, e.getMessage());
                }
            }
        }
        return in;
    }

    public Path file() { return file; }

    /** Good records left (validated and not rejected since). */
    public int count() { return good.cardinality(); }

    /** Every skipped line with its reason, in the order they were found. */
    public List<Skipped> skipped() { return skipped; }

    /** Takes a record out of every later pass, reporting it. */
    public void reject(long line, String id, String reason) {
        errors.println("error: " + file + ":" + line + (id == null ? "" : " (id \"" + id + "\")") + ": " + reason);
        skipped.add(new Skipped(line, id, reason));
        if (line <= Integer.MAX_VALUE) good.clear((int) line);
    }

    /** Streams the good records in input order, {@code size} at a time (the last chunk may be smaller). */
    public void forEachChunk(int size, ChunkConsumer<R> consumer) throws IOException {
        BitSet snapshot = (BitSet) good.clone();          // rejections made by the consumer apply to later passes
        List<R> chunk = new ArrayList<>(size);
        try (JsonlReader reader = JsonlReader.open(file)) {
            for (JsonlRecord rec; (rec = reader.next()) != null; ) {
                if (rec.lineNumber() > Integer.MAX_VALUE || !snapshot.get((int) rec.lineNumber())) continue;
                try {
                    chunk.add(parser.parse(rec.lineNumber(), rec.value()));
                } catch (InvalidRecord | RuntimeException e) {
                    throw new IOException(file + ":" + rec.lineNumber() + ": the input changed while it was being read ("
                            + e.getMessage() + ")");
                }
                if (chunk.size() == size) {
                    consumer.accept(chunk);
                    chunk = new ArrayList<>(size);
                }
            }
        }
        if (!chunk.isEmpty()) consumer.accept(chunk);
    }

    private static int lineIndex(long line) {
        if (line > Integer.MAX_VALUE) throw new IllegalStateException("more than " + Integer.MAX_VALUE + " lines");
        return (int) line;
    }
}
