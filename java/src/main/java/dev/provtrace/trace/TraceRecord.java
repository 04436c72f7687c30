package dev.provtrace.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.provtrace.io.InvalidRecord;
import dev.provtrace.io.RecordIds;

/**
 * One input record of {@code trace}: {@code {"id", "question", "response", "answer"?, "correct"?, "group"?}}, or
 * with {@code "messages"} (a conversation before the response: multi-turn context, its own system turn) instead of
 * {@code "question"}.
 *
 * @param line    1-based line in the input file (for messages)
 * @param id      the id's text (duplicate checks, cache keys, messages)
 * @param correct the given correctness, or null when the record has none (then {@code answer} may decide)
 * @param idValue the id as given, a string or integer node: what the outputs carry
 */
public record TraceRecord(long line, String id, String question, String response, String answer, Boolean correct,
                          String group, JsonNode idValue, JsonNode messages) {

    public TraceRecord(long line, String id, String question, String response, String answer, Boolean correct, String group) {
        this(line, id, question, response, answer, correct, group, TextNode.valueOf(id));
    }

    public TraceRecord(long line, String id, String question, String response, String answer, Boolean correct, String group,
                       JsonNode idValue) {
        this(line, id, question, response, answer, correct, group, idValue, null);
    }

    /**
     * What the prompt is, for the cache key: the question, or for a record with messages their JSON (marked, so no
     * question can be mistaken for it).
     */
    public String promptKey() { return messages == null ? question : MESSAGES_KEY + messages; }

    private static final String MESSAGES_KEY = "\u0000messages:";

    /**
     * The prompt of a record: "question" (a string) or "messages" (a non-empty array of objects with a string
     * "role"), not both; returns the messages, or null for a question.
     */
    public static JsonNode promptOf(JsonNode n) throws Invalid {
        JsonNode m = n.get("messages"), q = n.get("question");
        if (m == null || m.isNull()) return null;
        if (q != null && !q.isNull()) throw new Invalid("give \"question\" or \"messages\", not both");
        if (!m.isArray() || m.isEmpty()) throw new Invalid("\"messages\" must be a non-empty array of {\"role\", \"content\"}");
        for (int i = 0; i < m.size(); i++) {
            if (!m.get(i).isObject() || !m.get(i).path("role").isTextual()) {
                throw new Invalid("\"messages\"[" + i + "] needs a \"role\" string");
            }
        }
        return m;
    }

    /** A record that cannot be traced; reported with its file, line and id, and skipped. */
    public static final class Invalid extends InvalidRecord {
        public Invalid(String message) { super(message); }
    }

    public static TraceRecord parse(long line, JsonNode n) throws Invalid {
        if (!n.isObject()) throw new Invalid("expected a JSON object");
        JsonNode id = requiredId(n, "id");
        JsonNode messages = promptOf(n);
        String question = messages == null ? requiredText(n, "question") : null;
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
        return new TraceRecord(line, id.asText(), question, response, answer, correct, group == null ? "all" : group, id, messages);
    }

    private static JsonNode requiredId(JsonNode n, String key) throws Invalid {
        try {
            return RecordIds.require(n, key);
        } catch (InvalidRecord e) {
            throw new Invalid(e.getMessage());
        }
    }

    private static String requiredText(JsonNode n, String key) throws Invalid {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) throw new Invalid("\"" + key + "\" is missing");
        if (!v.isTextual()) throw new Invalid("\"" + key + "\" must be a string, got " + kind(v));
        return v.asText();
    }

    private static String optionalText(JsonNode n, String key) throws Invalid {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) return null;
        if (v.isTextual()) return v.asText();
        if (v.isNumber()) return v.asText();
        throw new Invalid("\"" + key + "\" must be a string, got " + kind(v));
    }

    /** "number 5", "array", ...: what a field of the wrong type holds. */
    static String kind(JsonNode v) {
        String type = v.getNodeType().name().toLowerCase();
        return v.isValueNode() ? type + " " + abbreviate(v.toString()) : type;
    }

    private static String abbreviate(String s) { return s.length() <= 40 ? s : s.substring(0, 40) + "..."; }
}
