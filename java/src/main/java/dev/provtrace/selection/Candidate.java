package dev.provtrace.selection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.provtrace.io.InvalidRecord;
import dev.provtrace.io.RecordIds;
import dev.provtrace.trace.TraceRecord;

/**
 * One candidate teacher response of {@code select}'s input: {@code {"id", "question_id", "question", "response", ...}}.
 * Only these four fields are read; any others are carried through to the output untouched (the output is written
 * from the input line itself, not from this record).
 *
 * @param line            1-based line in the input file (for messages, and to find the line again when writing the output)
 * @param idValue         the id as given (a string or integer node), for the outputs
 * @param questionIdValue the question_id as given
 */
public record Candidate(long line, String id, String questionId, String question, String response, JsonNode idValue,
                        JsonNode questionIdValue, JsonNode messages) {

    public Candidate(long line, String id, String questionId, String question, String response) {
        this(line, id, questionId, question, response, TextNode.valueOf(id), TextNode.valueOf(questionId));
    }

    public Candidate(long line, String id, String questionId, String question, String response, JsonNode idValue,
                     JsonNode questionIdValue) {
        this(line, id, questionId, question, response, idValue, questionIdValue, null);
    }

    /** A candidate that cannot be scored; reported with its file, line and id, and skipped. */
    public static final class Invalid extends InvalidRecord {
        public Invalid(String message) { super(message); }
    }

    public static Candidate parse(long line, JsonNode n) throws Invalid {
        if (!n.isObject()) throw new Invalid("expected a JSON object");
        JsonNode id = requiredKey(n, "id");
        JsonNode questionId = requiredKey(n, "question_id");
        JsonNode messages;
        try {
            messages = TraceRecord.promptOf(n);
        } catch (TraceRecord.Invalid e) {
            throw new Invalid(e.getMessage());
        }
        String question = messages == null ? requiredText(n, "question") : null;
        String response = requiredText(n, "response");
        if (response.isBlank()) throw new Invalid("\"response\" is empty: there is nothing to score");
        return new Candidate(line, id.asText(), questionId.asText(), question, response, id, questionId, messages);
    }

    /** The record the shared scoring pipeline ({@code ModelScorer}, caches) works on. */
    public TraceRecord toTraceRecord() {
        return new TraceRecord(line, id, question, response, null, null, questionId, idValue, messages);
    }

    /** Length of the response in Unicode code points. */
    public int responseChars() { return response.codePointCount(0, response.length()); }

    /** An id-like field: a string or an integer, kept as given ({@link RecordIds}). */
    private static JsonNode requiredKey(JsonNode n, String key) throws Invalid {
        try {
            return RecordIds.require(n, key);
        } catch (InvalidRecord e) {
            throw new Invalid(e.getMessage());
        }
    }

    private static String requiredText(JsonNode n, String key) throws Invalid {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) throw new Invalid("\"" + key + "\" is missing");
        if (!v.isTextual()) throw new Invalid("\"" + key + "\" must be a string, got " + v.getNodeType().name().toLowerCase());
        return v.asText();
    }
}
