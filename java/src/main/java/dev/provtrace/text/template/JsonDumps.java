package dev.provtrace.text.template;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps(x, ensure_ascii=..., indent=..., separators=..., sort_keys=...)}, which transformers
 * installs as the {@code tojson} filter: no HTML escaping, {@code ", "} / {@code ": "} separators (or {@code ","}
 * between items when indenting), keys in insertion order unless sorted.
 */
final class JsonDumps {
    private final boolean ensureAscii;
    private final String indent; // null: single line
    private final String itemSep;
    private final String keySep;
    private final boolean sortKeys;

    private JsonDumps(boolean ensureAscii, String indent, String itemSep, String keySep, boolean sortKeys) {
        this.ensureAscii = ensureAscii;
        this.indent = indent;
        this.itemSep = itemSep;
        this.keySep = keySep;
        this.sortKeys = sortKeys;
    }

    /** indent: null, an int (spaces) or a str; separators: null or a 2-sequence of str. */
    static String dumps(Object value, boolean ensureAscii, Object indent, Object separators, boolean sortKeys) {
        String ind = null;
        if (indent != null) {
            if (indent instanceof String) ind = (String) indent;
            else ind = " ".repeat((int) Math.max(0, PyObjects.toIndex(indent)));
        }
        String itemSep = ind == null ? ", " : ",";
        String keySep = ": ";
        if (separators != null) {
            List<Object> seps = PyObjects.iterate(separators);
            if (seps.size() != 2) {
                throw TemplateException.python("ValueError", "too many values to unpack (expected 2)");
            }
            itemSep = PyObjects.str(seps.get(0));
            keySep = PyObjects.str(seps.get(1));
        }
        StringBuilder sb = new StringBuilder();
        new JsonDumps(ensureAscii, ind, itemSep, keySep, sortKeys).write(sb, value, 0);
        return sb.toString();
    }

    private void newline(StringBuilder sb, int level) {
        sb.append('\n');
        for (int i = 0; i < level; i++) sb.append(indent);
    }

    private void write(StringBuilder sb, Object v, int level) {
        if (v == null) sb.append("null");
        else if (v instanceof Boolean) sb.append((Boolean) v ? "true" : "false");
        else if (v instanceof Long || v instanceof BigInteger) sb.append(v);
        else if (v instanceof Double) sb.append(floatText((Double) v));
        else if (v instanceof String) string(sb, (String) v);
        else if (v instanceof List || v instanceof PyTuple) {
            List<?> items = v instanceof List ? (List<?>) v : ((PyTuple) v).items();
            if (items.isEmpty()) { sb.append("[]"); return; }
            sb.append('[');
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) sb.append(itemSep);
                if (indent != null) newline(sb, level + 1);
                write(sb, items.get(i), level + 1);
            }
            if (indent != null) newline(sb, level);
            sb.append(']');
        } else if (v instanceof Map) {
            Map<?, ?> m = (Map<?, ?>) v;
            if (m.isEmpty()) { sb.append("{}"); return; }
            List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
            if (sortKeys) entries.sort((a, b) -> PyObjects.sortCompare(a.getKey(), b.getKey()));
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : entries) {
                if (!first) sb.append(itemSep);
                first = false;
                if (indent != null) newline(sb, level + 1);
                string(sb, keyText(e.getKey()));
                sb.append(keySep);
                write(sb, e.getValue(), level + 1);
            }
            if (indent != null) newline(sb, level);
            sb.append('}');
        } else {
            throw TemplateException.python("TypeError", "Object of type " + PyObjects.typeName(v)
                    + " is not JSON serializable");
        }
    }

    private static String floatText(double d) {
        if (Double.isNaN(d)) return "NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
        return PyObjects.floatRepr(d);
    }

    private static String keyText(Object k) {
        if (k instanceof String) return (String) k;
        if (k == null) return "null";
        if (k instanceof Boolean) return (Boolean) k ? "true" : "false";
        if (k instanceof Long || k instanceof BigInteger) return k.toString();
        if (k instanceof Double) return floatText((Double) k);
        throw TemplateException.python("TypeError", "keys must be str, int, float, bool or None, not "
                + PyObjects.typeName(k));
    }

    private void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                case '\b': sb.append("\\b"); break;
                case '\f': sb.append("\\f"); break;
                default:
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
            }
        }
        sb.append('"');
    }
}
