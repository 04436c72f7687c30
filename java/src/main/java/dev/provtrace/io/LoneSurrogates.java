package dev.provtrace.io;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Map;

/**
 * Finds strings that are not Unicode text: JSON's {@code \\uD800} escape decodes to a Java string with an unpaired
 * surrogate, which tokenizers and UTF-8 encoders cannot handle (they fail the whole run, or write '?'). Every string
 * of a record, field names included, is checked once when the line is read, so no command ever sees one.
 */
final class LoneSurrogates {
    private LoneSurrogates() {}

    /** Where the first lone surrogate in {@code node} is, as a sentence; null when every string is well formed. */
    static String find(JsonNode node) {
        return find(node, "");
    }

    private static String find(JsonNode node, String path) {
        if (node.isTextual()) {
            int at = firstLone(node.textValue());
            return at < 0 ? null : describe(node.textValue(), at, path.isEmpty() ? "the value" : "\"" + path + "\"");
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                int at = firstLone(e.getKey());
                if (at >= 0) return describe(e.getKey(), at, "a field name");
                String found = find(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey());
                if (found != null) return found;
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = find(node.get(i), path + "[" + i + "]");
                if (found != null) return found;
            }
        }
        return null;
    }

    /** Index of the first unpaired surrogate char, or -1. */
    static int firstLone(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) i++;
                else return i;
            } else if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    private static String describe(String s, int at, String where) {
        return String.format("a lone surrogate \\u%04x in %s at character %d (an escape without its pair is not text)",
                (int) s.charAt(at), where, s.codePointCount(0, at));
    }
}
