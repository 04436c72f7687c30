package dev.provtrace.selection;

import com.fasterxml.jackson.databind.JsonNode;
import dev.provtrace.io.JsonlReader;
import dev.provtrace.io.JsonlRecord;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The candidates file, read as a stream as often as the passes of a selection need it; never held in memory.
 * {@link #validate} reads it once and remembers which lines are good candidates (one bit per line); every bad
 * line (malformed JSON, a missing field, an empty response, an id seen before) is reported on the error stream as
 * {@code file:line (id X): reason} and skipped. Later passes can reject more candidates (a model could not score
 * them, the response has no sentences); they are reported the same way. Nothing is dropped without a message, and
 * {@link #skipped()} lists them all for selection.json.
 */
public final class CandidateInput {
    /** A skipped line and why. */
    public record Skipped(long line, String id, String reason) {}

    /** Receives the good candidates a chunk at a time. */
    public interface ChunkConsumer {
        void accept(List<Candidate> chunk) throws IOException;
    }

    private final Path file;
    private final PrintStream errors;
    private final BitSet good = new BitSet();
    private final List<Skipped> skipped = new ArrayList<>();

    private CandidateInput(Path file, PrintStream errors) {
        this.file = file;
        this.errors = errors;
    }

    /**
     * Reads the whole file once, reporting bad lines. The set of ids seen lives only for this pass (the duplicate
     * check needs it); afterwards one bit per line is kept.
     */
    public static CandidateInput validate(Path file, PrintStream errors) throws IOException {
        CandidateInput in = new CandidateInput(file, errors);
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
                    Candidate c = Candidate.parse(rec.lineNumber(), n);
                    if (!ids.add(c.id())) throw new Candidate.Invalid("id \"" + c.id() + "\" appears twice in the input; the first one is kept");
                    in.good.set(lineIndex(rec.lineNumber()));
                } catch (Candidate.Invalid e) {
                    String id = n.isObject() && n.hasNonNull("id") && n.get("id").isValueNode() ? n.get("id").asText() : null;
                    in.reject(rec.lineNumber(), id, e.getMessage());
                }
            }
        }
        return in;
    }

    public Path file() { return file; }

    /** Good candidates left (validated and not rejected since). */
    public int count() { return good.cardinality(); }

    /** Every skipped line with its reason, in the order they were found. */
    public List<Skipped> skipped() { return skipped; }

    /** Takes a candidate out of every later pass, reporting it. */
    public void reject(long line, String id, String reason) {
        errors.println("error: " + file + ":" + line + (id == null ? "" : " (id \"" + id + "\")") + ": " + reason);
        skipped.add(new Skipped(line, id, reason));
        if (line <= Integer.MAX_VALUE) good.clear((int) line);
    }

    /** Streams the good candidates in input order, {@code size} at a time (the last chunk may be smaller). */
    public void forEachChunk(int size, ChunkConsumer consumer) throws IOException {
        BitSet snapshot = (BitSet) good.clone();          // rejections made by the consumer apply to later passes
        List<Candidate> chunk = new ArrayList<>(size);
        try (JsonlReader reader = JsonlReader.open(file)) {
            for (JsonlRecord rec; (rec = reader.next()) != null; ) {
                if (rec.lineNumber() > Integer.MAX_VALUE || !snapshot.get((int) rec.lineNumber())) continue;
                try {
                    chunk.add(Candidate.parse(rec.lineNumber(), rec.value()));
                } catch (Candidate.Invalid | RuntimeException e) {
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
