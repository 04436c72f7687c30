package dev.provtrace.trace;

import com.fasterxml.jackson.databind.JsonNode;
import dev.provtrace.io.InvalidRecord;

/**
 * One input record of {@code trace}: {@code {"id", "question", "response", "answer"?, "correct"?, "group"?}}.
 *
 * @param line    1-based line in the input file (for messages)
 * @param correct the given correctness, or null when the record has none (then {@code answer} may decide)
 */
public record TraceRecord(long line, String id, String question, String response, String answer, Boolean correct,
                          String group) {

    /** A record that cannot be traced; reported with its file, line and id, and skipped. */
    public static final class Invalid extends InvalidRecord {
        public Invalid(String message) { super(message); }
    }

    public static TraceRecord parse(long line, JsonNode n) throws Invalid {
        if (!n.isObject()) throw new Invalid("expected a JSON object");
        JsonNode id = n.get("id");
        if (id == null || id.isNull() || !id.isValueNode()) throw new Invalid("\"id\" is missing (a string or number)");
        String question = requiredText(n, "question");
        String response = requiredText(n, "response");
        if (response.isBlank()) throw new Invalid("\"response\" is empty: there is nothing to trace");
        String answer = optionalText(n, "answer");
        Boolean correct = null;
        JsonNode c = n.get("correct");
        if (c != null && !c.isNull()) {
            if (!c.isBoolean()) throw new Invalid("\"correct\" must be true, false or null, got " + c);
            correct = c.asBoolean();
        }
        String group = optionalText(n, "group");
        return new TraceRecord(line, id.asText(), question, response, answer, correct, group == null ? "all" : group);
    }

    private static String requiredText(JsonNode n, String key) throws Invalid {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) throw new Invalid("\"" + key + "\" is missing");
        if (!v.isTextual()) throw new Invalid("\"" + key + "\" must be a string");
        return v.asText();
    }

    private static String optionalText(JsonNode n, String key) throws Invalid {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) return null;
        if (v.isTextual()) return v.asText();
        if (v.isNumber()) return v.asText();
        throw new Invalid("\"" + key + "\" must be a string");
    }
}
