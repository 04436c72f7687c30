package dev.provtrace.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;

/**
 * An input JSONL file read as a stream as often as a job's passes need it; never held in memory.
 * {@link #validate} reads it once and remembers which lines are good records (one bit per line); every bad line
 * (malformed JSON, invalid Unicode, too long, a missing field or one of the wrong type, an id seen before) is
 * reported on the error stream as {@code file:line (id X): reason} and skipped. Later passes can reject more records
 * (a model could not score them); they are reported the same way. Nothing is dropped without a message,
 * {@link #skipped()} lists them all, and {@code read() == count() + skipped().size()}.
 * <p>
 * The file must stay as it was: each later pass first checks its size and modification time, and afterwards that
 * it read the same bytes (CRC-32) as validation did, and fails with a message saying so otherwise.
 *
 * @param <R> the record type the lines parse to
 */
public final class ValidatedJsonl<R> {
    /** Parses one line; throws with the reason when it is not a valid record. */
    public interface Parser<R> {
        R parse(long line, JsonNode value) throws InvalidRecord;
    }

    /**
     * A skipped line and why.
     *
     * @param id      the id's text, or null when the line has no usable id
     * @param idValue the id as given (a string or integer node), or null
     */
    public record Skipped(long line, String id, String reason, JsonNode idValue) {
        public Skipped(long line, String id, String reason) {
            this(line, id, reason, id == null ? null : TextNode.valueOf(id));
        }
    }

    /** Receives the good records a chunk at a time. */
    public interface ChunkConsumer<R> {
        void accept(List<R> chunk) throws IOException;
    }

    private final Path file;
    private final Parser<R> parser;
    private final PrintStream errors;
    private final long maxLineBytes;
    private final BitSet good = new BitSet();
    private final List<Skipped> skipped = new ArrayList<>();
    private long read;
    private InputSnapshot snapshot;

    private ValidatedJsonl(Path file, Parser<R> parser, PrintStream errors, long maxLineBytes) {
        this.file = file;
        this.parser = parser;
        this.errors = errors;
        this.maxLineBytes = maxLineBytes;
    }

    public static <R> ValidatedJsonl<R> validate(Path file, Parser<R> parser, Function<R, String> idOf, PrintStream errors)
            throws IOException {
        return validate(file, parser, idOf, errors, JsonlReader.DEFAULT_MAX_LINE_BYTES);
    }

    /**
     * Reads the whole file once, reporting bad lines (lines over {@code maxLineBytes} among them). The set of ids
     * seen lives only for this pass (the duplicate check needs it); afterwards one bit per line is kept.
     */
    public static <R> ValidatedJsonl<R> validate(Path file, Parser<R> parser, Function<R, String> idOf, PrintStream errors,
                                                 long maxLineBytes) throws IOException {
        ValidatedJsonl<R> in = new ValidatedJsonl<>(file, parser, errors, maxLineBytes);
        Set<String> ids = new HashSet<>();
        CRC32 crc = new CRC32();
        try (JsonlReader reader = JsonlReader.of(file, new CheckedInputStream(Files.newInputStream(file), crc), maxLineBytes)) {
            for (JsonlRecord rec; (rec = reader.next()) != null; ) {
                in.read++;
                if (rec.isMalformed()) {
                    JsonlException error = rec.error().orElseThrow();
                    errors.println("error: " + error.getMessage());
                    JsonNode id = rec.rejectedId();
                    in.skipped.add(new Skipped(rec.lineNumber(), id == null ? null : id.asText(), error.reason(), id));
                    continue;
                }
                JsonNode n = rec.value();
                try {
                    R r = parser.parse(rec.lineNumber(), n);
                    String id = idOf.apply(r);
                    if (!ids.add(id)) {
                        throw new InvalidRecord("id " + RecordIds.of(n) + " appears twice in the input; the first one is kept"
                                + " (ids are compared by their text: 5 and \"5\" are the same id)");
                    }
                    in.good.set(lineIndex(rec.lineNumber()));
                } catch (InvalidRecord e) {
                    in.reject(rec.lineNumber(), RecordIds.of(n), e.getMessage());
                }
            }
        }
        in.snapshot = InputSnapshot.of(file, crc.getValue());
        return in;
    }

    public Path file() { return file; }

    /** Non-blank lines read by validation: every one is now either a good record or skipped. */
    public long read() { return read; }

    /** Good records left (validated and not rejected since). */
    public int count() { return good.cardinality(); }

    /** Every skipped line with its reason, in the order they were found. */
    public List<Skipped> skipped() { return skipped; }

    /** Takes a record out of every later pass, reporting it. */
    public void reject(long line, String id, String reason) {
        reject(line, id == null ? null : TextNode.valueOf(id), reason);
    }

    /** Takes a record out of every later pass, reporting it with its id as given. */
    public void reject(long line, JsonNode id, String reason) {
        errors.println("error: " + RecordIds.where(file, line, id) + ": " + reason);
        skipped.add(new Skipped(line, id == null ? null : id.asText(), reason, id));
        if (line <= Integer.MAX_VALUE) good.clear((int) line);
    }

    /** Throws when the file is no longer the one validated (size or modification time differ). */
    public void checkUnchanged() throws IOException {
        snapshot.checkAttributes(file);
    }

    /** Streams the good records in input order, {@code size} at a time (the last chunk may be smaller). */
    public void forEachChunk(int size, ChunkConsumer<R> consumer) throws IOException {
        BitSet wanted = (BitSet) good.clone();          // rejections made by the consumer apply to later passes
        snapshot.checkAttributes(file);
        List<R> chunk = new ArrayList<>(size);
        CRC32 crc = new CRC32();
        long found = 0;
        try (JsonlReader reader = JsonlReader.of(file, new CheckedInputStream(Files.newInputStream(file), crc), maxLineBytes)) {
            for (JsonlRecord rec; (rec = reader.next()) != null; ) {
                if (rec.lineNumber() > Integer.MAX_VALUE || !wanted.get((int) rec.lineNumber())) continue;
                found++;
                try {
                    chunk.add(parser.parse(rec.lineNumber(), rec.value()));
                } catch (InvalidRecord | RuntimeException e) {
                    throw InputSnapshot.changed(file, "line " + rec.lineNumber() + " was a valid record and is not now ("
                            + e.getMessage() + ")");
                }
                if (chunk.size() == size) {
                    consumer.accept(chunk);
                    chunk = new ArrayList<>(size);
                }
            }
            if (found != wanted.cardinality()) {
                throw InputSnapshot.changed(file, (wanted.cardinality() - found) + " of its valid records are gone");
            }
        }
        snapshot.checkCrc(file, crc.getValue());
        if (!chunk.isEmpty()) consumer.accept(chunk);
    }

    /** Writes every skipped line to {@code target} (see {@link RejectedFile}). */
    public void writeRejected(Path target) throws IOException {
        RejectedFile.write(target, skipped);
    }

    private static int lineIndex(long line) {
        if (line > Integer.MAX_VALUE) throw new IllegalStateException("more than " + Integer.MAX_VALUE + " lines");
        return (int) line;
    }
}
