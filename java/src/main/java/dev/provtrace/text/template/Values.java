package dev.provtrace.text.template;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Converts Java and JSON values into the template's Python-like values (ints as Long, floats as Double...). */
final class Values {
    private Values() {}

    static Object fromJava(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Double) return v;
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
        if (v instanceof BigInteger) return PyObjects.normalize((BigInteger) v);
        if (v instanceof Float) return (double) (Float) v;
        if (v instanceof BigDecimal) return ((BigDecimal) v).doubleValue();
        if (v instanceof Character) return v.toString();
        if (v instanceof JsonNode) return fromJson((JsonNode) v);
        if (v instanceof ChatMessage) return ((ChatMessage) v).toMap();
        if (v instanceof Map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) out.put(fromJava(e.getKey()), fromJava(e.getValue()));
            return out;
        }
        if (v instanceof Collection) {
            List<Object> out = new ArrayList<>();
            for (Object x : (Collection<?>) v) out.add(fromJava(x));
            return out;
        }
        if (v instanceof Object[]) {
            List<Object> out = new ArrayList<>();
            for (Object x : (Object[]) v) out.add(fromJava(x));
            return out;
        }
        throw new IllegalArgumentException("cannot pass a " + v.getClass().getName() + " to a chat template");
    }

    static Object fromJson(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) return null;
        if (n.isTextual()) return n.textValue();
        if (n.isBoolean()) return n.booleanValue();
        if (n.isIntegralNumber()) return PyObjects.normalize(n.bigIntegerValue());
        if (n.isNumber()) return n.doubleValue();
        if (n.isArray()) {
            List<Object> out = new ArrayList<>();
            for (JsonNode x : n) out.add(fromJson(x));
            return out;
        }
        if (n.isObject()) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : n.properties()) out.put(e.getKey(), fromJson(e.getValue()));
            return out;
        }
        throw new IllegalArgumentException("unsupported JSON node " + n.getNodeType());
    }
}
