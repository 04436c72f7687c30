package dev.provtrace.provenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.io.InvalidRecord;
import dev.provtrace.io.JsonlException;
import dev.provtrace.io.JsonlReader;
import dev.provtrace.io.JsonlRecord;
import dev.provtrace.io.RecordIds;
import dev.provtrace.io.ValidatedJsonl;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Segments every record of a JSONL file ({@code {"id", "response", ...}}) and emits
 * {@code {"id", "sentences": [{"start", "end", "text"}, ...]}} per record, in input order. A bad record (not an
 * object, no id, a response that is missing, not a string or empty) is reported with its file, line and id and
 * skipped; the others go on, and the result counts the failures. A response of only whitespace and tags is valid
 * and has no sentences.
 */
public final class SegmentJob {
    /**
     * What a run did: {@code written} lines with {@code sentences} sentences in all; {@code failed} records skipped
     * (listed in {@code rejected}); {@code read == written + failed} non-blank lines were read.
     */
    public record Result(long written, long failed, long sentences, long read, List<ValidatedJsonl.Skipped> rejected) {
        public Result(long written, long failed, long sentences) { this(written, failed, sentences, written + failed, List.of()); }
    }

    /** Where the output lines go (a {@code JsonlWriter}, standard output, ...). */
    public interface LineSink {
        void write(ObjectNode line) throws IOException;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Segmenter segmenter;
    private final PrintStream errors;

    private long maxLineBytes = JsonlReader.DEFAULT_MAX_LINE_BYTES;

    /** Input lines longer than this are rejected (streamed past, never held); default 64 MiB. */
    public SegmentJob maxLineBytes(long bytes) {
        this.maxLineBytes = bytes;
        return this;
    }

    public SegmentJob(Segmenter segmenter, PrintStream errors) {
        this.segmenter = segmenter;
        this.errors = errors;
    }

    public Result run(Path input, LineSink out) throws IOException {
        long written = 0, failed = 0, sentences = 0;
        List<ValidatedJsonl.Skipped> rejected = new ArrayList<>();
        try (JsonlReader reader = JsonlReader.open(input, maxLineBytes)) {
            for (JsonlRecord rec; (rec = reader.next()) != null; ) {
                if (rec.isMalformed()) {
                    JsonlException e = rec.error().orElseThrow();
                    errors.println("error: " + e.getMessage());
                    rejected.add(skipped(rec.lineNumber(), e.id(), e.reason()));
                    failed++;
                    continue;
                }
                String problem = problemWith(rec.value());
                if (problem != null) {
                    JsonNode id = RecordIds.of(rec.value());
                    errors.println("error: " + RecordIds.where(input, rec.lineNumber(), id) + ": " + problem);
                    rejected.add(skipped(rec.lineNumber(), id, problem));
                    failed++;
                    continue;
                }
                List<Sentence> found = segmenter.segment(rec.value().get("response").asText());
                out.write(toJson(rec.value().get("id"), found));
                written++;
                sentences += found.size();
            }
        }
        return new Result(written, failed, sentences, written + failed, rejected);
    }

    private static ValidatedJsonl.Skipped skipped(long line, JsonNode id, String reason) {
        return new ValidatedJsonl.Skipped(line, id == null ? null : id.asText(), reason, id);
    }

    /** Why a parsed record cannot be segmented, or null when it can. */
    private static String problemWith(JsonNode node) {
        if (!node.isObject()) return "expected a JSON object, got " + node.getNodeType().name().toLowerCase();
        try {
            RecordIds.require(node, "id");
        } catch (InvalidRecord e) {
            return e.getMessage();
        }
        JsonNode response = node.get("response");
        if (response == null || response.isNull()) return "\"response\" is missing";
        if (!response.isTextual()) return "\"response\" must be a string, got " + response.getNodeType().name().toLowerCase();
        if (response.asText().isEmpty()) return "\"response\" is empty: there is nothing to segment";
        return null;
    }

    private static ObjectNode toJson(JsonNode id, List<Sentence> sentences) {
        ObjectNode o = JSON.createObjectNode();
        o.set("id", id);
        ArrayNode list = o.putArray("sentences");
        for (Sentence s : sentences) list.addObject().put("start", s.start()).put("end", s.end()).put("text", s.text());
        return o;
    }
}
