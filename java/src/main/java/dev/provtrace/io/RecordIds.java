package dev.provtrace.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;

import java.math.BigInteger;

import java.nio.file.Path;

/**
 * Record ids (and other id-like keys such as {@code question_id}) are kept exactly as given: a string, or an integer
 * of any size (Jackson keeps a long one as a BigInteger, never a double). Outputs carry the {@link JsonNode} itself,
 * so {@code 5} stays the number 5 and {@code "5"} the string. Any other JSON type (a float such as {@code 1E2}, a
 * boolean, an object, null) is rejected for that record: rewriting it would give an id the user never wrote.
 * <p>
 * For duplicate detection and cache keys ids are compared by their text, so {@code 5} and {@code "5"} count as the
 * same id and the second is rejected as a duplicate: two records that print the same in every message and report
 * could not be told apart by the user.
 */
public final class RecordIds {
    private RecordIds() {}

    /** True when {@code id} is a string or an integer, the only ids kept. */
    public static boolean usable(JsonNode id) {
        return id != null && (id.isTextual() || id.isIntegralNumber());
    }

    /** The record's {@code key} field as given; throws with the reason when it is missing or not a string or integer. */
    public static JsonNode require(JsonNode record, String key) throws InvalidRecord {
        JsonNode v = record.get(key);
        if (v == null || v.isNull()) throw new InvalidRecord("\"" + key + "\" is missing (a string or an integer)");
        if (!usable(v)) throw new InvalidRecord("\"" + key + "\" must be a string or an integer, got " + abbreviate(v.toString()));
        return v;
    }

    /** The record's id when it has a usable one (for messages about a record that is bad otherwise), else null. */
    public static JsonNode of(JsonNode record) {
        JsonNode id = record != null && record.isObject() ? record.get("id") : null;
        return usable(id) ? id : null;
    }

    /** {@code FILE:LINE} or {@code FILE:LINE (id "x")} / {@code FILE:LINE (id 5)}: the start of every record message. */
    public static String where(Path file, long line, JsonNode id) {
        return file + ":" + line + (id == null ? "" : " (id " + abbreviate(id.toString()) + ")");
    }

    /** The node for an id kept as text: an integer node when {@code integer}, else a string node. */
    public static JsonNode node(String text, boolean integer) {
        return integer ? JsonNodeFactory.instance.numberNode(new BigInteger(text)) : TextNode.valueOf(text);
    }

    private static String abbreviate(String s) { return s.length() <= 80 ? s : s.substring(0, 80) + "..."; }
}
