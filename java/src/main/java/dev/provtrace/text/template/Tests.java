package dev.provtrace.text.template;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** jinja2's tests ({@code x is defined}, {@code x is string}, {@code x is equalto y}...), all of them. */
final class Tests {
    private Tests() {}

    private static final Set<String> NAMES = Set.of("odd", "even", "divisibleby", "defined", "undefined", "filter",
            "test", "none", "boolean", "false", "true", "integer", "float", "lower", "upper", "string", "mapping",
            "number", "sequence", "iterable", "callable", "sameas", "escaped", "in", "==", "eq", "equalto", "!=", "ne",
            ">", "gt", "greaterthan", ">=", "ge", "<", "lt", "lessthan", "<=", "le");

    static boolean exists(String name) { return NAMES.contains(name); }

    static boolean apply(String name, Object v, List<Object> args, Map<String, Object> kwargs) {
        if (!exists(name)) throw TemplateException.python("TemplateRuntimeError", "No test named '" + name + "'.");
        switch (name) {
            case "defined": return !(v instanceof Undefined);
            case "undefined": return v instanceof Undefined;
            case "none": return v == null;
            case "boolean": return v instanceof Boolean;
            case "true": return Boolean.TRUE.equals(v);
            case "false": return Boolean.FALSE.equals(v);
            case "integer": return v instanceof Long || v instanceof java.math.BigInteger;
            case "float": return v instanceof Double;
            case "number": return PyObjects.isNumber(v);
            case "string": return v instanceof String;
            case "mapping": return v instanceof Map;
            case "sequence": return v instanceof String || v instanceof List || v instanceof PyTuple
                    || v instanceof Map || v instanceof Undefined || v instanceof PyRange;
            case "iterable": return PyObjects.isIterable(v);
            case "callable": return v instanceof PyCallable || v instanceof Undefined;
            case "escaped": return false;
            case "lower": return Methods.predicate(PyObjects.str(v), "islower");
            case "upper": return Methods.predicate(PyObjects.str(v), "isupper");
            case "filter": return Filters.exists(stringArg(v));
            case "test": return exists(stringArg(v));
            case "odd": return PyObjects.pyEquals(Operators.binary("%", v, 2L), 1L);
            case "even": return PyObjects.pyEquals(Operators.binary("%", v, 2L), 0L);
            case "divisibleby": {
                Object num = new Args("divisibleby", args, kwargs, "num").required(0);
                return PyObjects.pyEquals(Operators.binary("%", v, num), 0L);
            }
            case "sameas": {
                Object other = new Args("sameas", args, kwargs, "other").required(0);
                if (v == null || other == null || v instanceof Boolean || other instanceof Boolean) return v == other;
                if (v instanceof Long && other instanceof Long) {
                    long x = (Long) v; // CPython caches the small ints -5..256
                    return x == (Long) other && x >= -5 && x <= 256;
                }
                return v == other;
            }
            case "in": {
                Object seq = new Args("in", args, kwargs, "seq").required(0);
                return PyObjects.contains(seq, v);
            }
            default: {
                Object other = new Args(name, args, kwargs, "other").required(0);
                switch (name) {
                    case "==": case "eq": case "equalto": return PyObjects.pyEquals(v, other);
                    case "!=": case "ne": return !PyObjects.pyEquals(v, other);
                    case ">": case "gt": case "greaterthan": return PyObjects.compare(">", v, other);
                    case ">=": case "ge": return PyObjects.compare(">=", v, other);
                    case "<": case "lt": case "lessthan": return PyObjects.compare("<", v, other);
                    default: return PyObjects.compare("<=", v, other);
                }
            }
        }
    }

    private static String stringArg(Object v) { return v instanceof String ? (String) v : ""; }
}
