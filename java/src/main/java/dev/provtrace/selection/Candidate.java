package dev.provtrace.selection;

import com.fasterxml.jackson.databind.JsonNode;
import dev.provtrace.io.InvalidRecord;
import dev.provtrace.trace.TraceRecord;

/**
 * One candidate teacher response of {@code select}'s input: {@code {"id", "question_id", "question", "response", ...}}.
 * Only these four fields are read; any others are carried through to the output untouched (the output is written
 * from the input line itself, not from this record).
 *
 * @param line 1-based line in the input file (for messages, and to find the line again when writing the output)
 */
public record Candidate(long line, String id, String questionId, String question, String response) {

    /** A candidate that cannot be scored; reported with its file, line and id, and skipped. */
    public static final class Invalid extends InvalidRecord {
        public Invalid(String message) { super(message); }
    }

    public static Candidate parse(long line, JsonNode n) throws Invalid {
        if (!n.isObject()) throw new Invalid("expected a JSON object");
        String id = requiredKey(n, "id");
        String questionId = requiredKey(n, "question_id");
        String question = requiredText(n, "question");
        String response = requiredText(n, "response");
        if (response.isBlank()) throw new Invalid("\"response\" is empty: there is nothing to score");
        return new Candidate(line, id, questionId, question, response);
    }

    /** The record the shared scoring pipeline ({@code ModelScorer}, caches) works on. */
    public TraceRecord toTraceRecord() {
        return new TraceRecord(line, id, question, response, null, null, questionId);
    }

    /** Length of the response in Unicode code points. */
    public int responseChars() { return response.codePointCount(0, response.length()); }

    /** An id-like field: a string or a number, never null, an object or an array. */
    private static String requiredKey(JsonNode n, String key) throws Invalid {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) throw new Invalid("\"" + key + "\" is missing (a string or number)");
        if (!v.isTextual() && !v.isNumber()) throw new Invalid("\"" + key + "\" must be a string or number, got " + v);
        return v.asText();
    }

    private static String requiredText(JsonNode n, String key) throws Invalid {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) throw new Invalid("\"" + key + "\" is missing");
        if (!v.isTextual()) throw new Invalid("\"" + key + "\" must be a string");
        return v.asText();
    }
}
