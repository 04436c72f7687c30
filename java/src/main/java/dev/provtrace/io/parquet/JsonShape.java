package dev.provtrace.io.parquet;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one type a JSON field takes over every record of a file, widened as records are seen: unknown (only nulls so
 * far) &lt; boolean | int64 &lt; double | string | list of one element type | struct of named fields. An int64 field
 * that meets a fraction becomes double; a field missing or null in some records is null there. Anything else that
 * disagrees (a string here, a number there) is an error naming the field and the line: a Parquet column has one type.
 */
final class JsonShape {
    enum Kind { UNKNOWN, BOOLEAN, INT64, DOUBLE, STRING, LIST, STRUCT }

    /** A field whose records disagree on its type, or a value Parquet cannot hold. */
    static final class Conflict extends IllegalArgumentException {
        Conflict(String message) { super(message); }
    }

    Kind kind = Kind.UNKNOWN;
    JsonShape element;                                    // LIST
    final Map<String, JsonShape> fields = new LinkedHashMap<>();   // STRUCT, in order of first appearance

    /** Widens this shape to hold {@code v}, the value of {@code path} on line {@code line}. */
    void add(JsonNode v, String path, long line) {
        if (v == null || v.isNull() || v.isMissingNode()) return;
        Kind k = kindOf(v, path, line);
        if (kind == Kind.UNKNOWN) kind = k;
        else if ((kind == Kind.INT64 && k == Kind.DOUBLE) || (kind == Kind.DOUBLE && k == Kind.INT64)) kind = Kind.DOUBLE;
        else if (kind != k) {
            throw new Conflict(path + " is " + describe(kind) + " in earlier records and " + describe(k) + " on line " + line
                    + ": a Parquet column holds one type (write JSONL for such data)");
        }
        if (k == Kind.LIST) {
            if (element == null) element = new JsonShape();
            for (JsonNode e : v) element.add(e, path + "[]", line);
        } else if (k == Kind.STRUCT) {
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                fields.computeIfAbsent(f.getKey(), n -> new JsonShape()).add(f.getValue(), path + "." + f.getKey(), line);
            }
        }
    }

    private static Kind kindOf(JsonNode v, String path, long line) {
        if (v.isBoolean()) return Kind.BOOLEAN;
        if (v.isIntegralNumber()) {
            if (!v.canConvertToLong()) throw new Conflict(path + " on line " + line + " is " + v + ", beyond a 64-bit integer");
            return Kind.INT64;
        }
        if (v.isNumber()) return Kind.DOUBLE;
        if (v.isTextual()) return Kind.STRING;
        if (v.isArray()) return Kind.LIST;
        if (v.isObject()) {
            if (v.isEmpty()) throw new Conflict(path + " on line " + line + " is an empty object: Parquet has no struct without fields");
            return Kind.STRUCT;
        }
        throw new Conflict(path + " on line " + line + " holds " + v.getNodeType() + ", which has no Parquet type here");
    }

    private static String describe(Kind k) {
        return switch (k) {
            case UNKNOWN -> "null";
            case BOOLEAN -> "a boolean";
            case INT64 -> "an integer";
            case DOUBLE -> "a number";
            case STRING -> "a string";
            case LIST -> "a list";
            case STRUCT -> "an object";
        };
    }
}
