package dev.provtrace.text.template;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python object semantics over the template's values. Values are: null (None), Boolean, Long / BigInteger (int),
 * Double (float), String (str), List (list), {@link PyTuple}, Map (dict, insertion ordered), {@link Undefined},
 * {@link Namespace}, {@link PyCallable}, {@link LoopContext}, {@link PySlice}.
 */
final class PyObjects {
    private PyObjects() {}

    static final Object MISSING = new Object() {
        @Override public String toString() { return "<missing>"; }
    };

    // ---------------- type names ----------------

    static String typeName(Object o) {
        if (o == null) return "NoneType";
        if (o instanceof Boolean) return "bool";
        if (o instanceof Long || o instanceof BigInteger) return "int";
        if (o instanceof Double) return "float";
        if (o instanceof String) return "str";
        if (o instanceof List) return "list";
        if (o instanceof PyTuple) return "tuple";
        if (o instanceof Map) return "dict";
        if (o instanceof Undefined) return "Undefined";
        if (o instanceof Namespace) return "Namespace";
        if (o instanceof Macro) return "Macro";
        if (o instanceof LoopContext) return "LoopContext";
        if (o instanceof PySlice) return "slice";
        if (o instanceof PyRange) return "range";
        if (o instanceof PyIterator) return ((PyIterator) o).typeName();
        if (o instanceof DictView) return ((DictView) o).typeName();
        if (o instanceof Methods.Bound) return "builtin_function_or_method";
        if (o instanceof PyCallable) return "function";
        return o.getClass().getSimpleName();
    }

    /** jinja2.utils.object_type_repr. */
    static String objectTypeRepr(Object o) {
        if (o == null) return "None";
        if (o instanceof Undefined) return "jinja2.runtime.Undefined object";
        if (o instanceof Namespace) return "jinja2.utils.Namespace object";
        if (o instanceof Macro) return "jinja2.runtime.Macro object";
        if (o instanceof LoopContext) return "jinja2.runtime.LoopContext object";
        return typeName(o) + " object";
    }

    // ---------------- str / repr ----------------

    /** Python str(). */
    static String str(Object o) {
        if (o instanceof String) return (String) o;
        if (o instanceof Undefined) return "";
        return repr(o);
    }

    /** Python repr(). */
    static String repr(Object o) {
        if (o == null) return "None";
        if (o instanceof Boolean) return (Boolean) o ? "True" : "False";
        if (o instanceof Long || o instanceof BigInteger) return o.toString();
        if (o instanceof Double) return floatRepr((Double) o);
        if (o instanceof String) return PyStr.repr((String) o);
        if (o instanceof List) {
            StringBuilder sb = new StringBuilder("[");
            List<?> l = (List<?>) o;
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) sb.append(", ");
                sb.append(repr(l.get(i)));
            }
            return sb.append(']').toString();
        }
        if (o instanceof PyTuple) {
            List<Object> l = ((PyTuple) o).items();
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) sb.append(", ");
                sb.append(repr(l.get(i)));
            }
            if (l.size() == 1) sb.append(',');
            return sb.append(')').toString();
        }
        if (o instanceof Map) {
            StringBuilder sb = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
                if (!first) sb.append(", ");
                first = false;
                sb.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
            }
            return sb.append('}').toString();
        }
        if (o instanceof Undefined) return "Undefined";
        if (o instanceof Macro) return "<Macro '" + ((Macro) o).name() + "'>";
        if (o instanceof Methods.Bound) {
            Methods.Bound b = (Methods.Bound) o;
            return "<built-in method " + b.method() + " of " + typeName(b.self()) + " object>";
        }
        if (o instanceof PyCallable) return "<function " + ((PyCallable) o).name() + ">";
        return o.toString();
    }

    /** Python's repr(float): the shortest string that reads back to the same double, in Python's layout. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return 1 / d < 0 ? "-0.0" : "0.0";
        BigDecimal exact = new BigDecimal(d);
        BigDecimal r = null;
        for (int p = 1; p <= 17; p++) {
            r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            if (r.doubleValue() == d) break;
        }
        r = r.stripTrailingZeros();
        String digits = r.unscaledValue().abs().toString();
        int decpt = digits.length() - r.scale();
        StringBuilder sb = new StringBuilder();
        if (d < 0) sb.append('-');
        if (decpt <= -4 || decpt > 16) {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) sb.append('.').append(digits, 1, digits.length());
            int exp = decpt - 1;
            sb.append('e').append(exp < 0 ? '-' : '+');
            String e = Integer.toString(Math.abs(exp));
            if (e.length() < 2) sb.append('0');
            sb.append(e);
        } else if (decpt <= 0) {
            sb.append("0.").append("0".repeat(-decpt)).append(digits);
        } else if (decpt >= digits.length()) {
            sb.append(digits).append("0".repeat(decpt - digits.length())).append(".0");
        } else {
            sb.append(digits, 0, decpt).append('.').append(digits, decpt, digits.length());
        }
        return sb.toString();
    }

    // ---------------- truthiness, numbers ----------------

    static boolean truthy(Object o) {
        if (o == null || o instanceof Undefined) return false;
        if (o instanceof Boolean) return (Boolean) o;
        if (o instanceof Long) return (Long) o != 0;
        if (o instanceof BigInteger) return ((BigInteger) o).signum() != 0;
        if (o instanceof Double) return (Double) o != 0;
        if (o instanceof String) return !((String) o).isEmpty();
        if (o instanceof List) return !((List<?>) o).isEmpty();
        if (o instanceof PyTuple) return !((PyTuple) o).items().isEmpty();
        if (o instanceof Map) return !((Map<?, ?>) o).isEmpty();
        if (o instanceof PyRange) return ((PyRange) o).length() > 0;
        if (o instanceof DictView) return !((DictView) o).dict().isEmpty();
        return true;
    }

    static boolean isInt(Object o) { return o instanceof Long || o instanceof BigInteger || o instanceof Boolean; }

    static boolean isNumber(Object o) { return isInt(o) || o instanceof Double; }

    static Object normalize(BigInteger b) {
        return b.bitLength() < 64 ? (Object) b.longValue() : b;
    }

    static BigInteger big(Object o) {
        if (o instanceof Boolean) return (Boolean) o ? BigInteger.ONE : BigInteger.ZERO;
        if (o instanceof Long) return BigInteger.valueOf((Long) o);
        return (BigInteger) o;
    }

    static double toDouble(Object o) {
        if (o instanceof Double) return (Double) o;
        if (o instanceof Boolean) return (Boolean) o ? 1 : 0;
        if (o instanceof Long) return (Long) o;
        return ((BigInteger) o).doubleValue();
    }

    /** An int argument used as an index or count (bools count as ints). */
    static long toIndex(Object o) {
        if (o instanceof Long) return (Long) o;
        if (o instanceof Boolean) return (Boolean) o ? 1 : 0;
        if (o instanceof BigInteger) {
            BigInteger b = (BigInteger) o;
            return b.signum() < 0 ? Long.MIN_VALUE / 2 : Long.MAX_VALUE / 2;
        }
        if (o instanceof Undefined) throw ((Undefined) o).fail();
        throw TemplateException.python("TypeError",
                "'" + typeName(o) + "' object cannot be interpreted as an integer");
    }

    // ---------------- equality and ordering ----------------

    static boolean pyEquals(Object a, Object b) {
        if (a == b) return true;
        if (a == null || b == null) return false;
        if (a instanceof Undefined || b instanceof Undefined) return a instanceof Undefined && b instanceof Undefined;
        if (isNumber(a) && isNumber(b)) return compareNumbers(a, b) == 0;
        if (a instanceof String && b instanceof String) return a.equals(b);
        if (a instanceof List && b instanceof List) return seqEquals((List<?>) a, (List<?>) b);
        if (a instanceof PyTuple && b instanceof PyTuple) return seqEquals(((PyTuple) a).items(), ((PyTuple) b).items());
        if (a instanceof PyRange && b instanceof PyRange) return seqEquals(((PyRange) a).items(), ((PyRange) b).items());
        if (a instanceof DictView && b instanceof DictView) {
            DictView x = (DictView) a, y = (DictView) b;
            if (!x.kind().equals(y.kind()) || x.kind().equals("values")) return false;
            List<Object> xi = x.items(), yi = y.items();
            if (xi.size() != yi.size()) return false;
            for (Object o : xi) if (yi.stream().noneMatch(z -> pyEquals(o, z))) return false;
            return true;
        }
        if (a instanceof Map && b instanceof Map) {
            Map<?, ?> x = (Map<?, ?>) a, y = (Map<?, ?>) b;
            if (x.size() != y.size()) return false;
            for (Map.Entry<?, ?> e : x.entrySet()) {
                Object v = mapGet(y, e.getKey());
                if (v == MISSING || !pyEquals(e.getValue(), v)) return false;
            }
            return true;
        }
        return a.equals(b);
    }

    private static boolean seqEquals(List<?> a, List<?> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (!pyEquals(a.get(i), b.get(i))) return false;
        return true;
    }

    static int compareNumbers(Object a, Object b) {
        if (a instanceof Double || b instanceof Double) {
            double x = toDouble(a), y = toDouble(b);
            return Double.compare(x, y) == 0 || x == y ? 0 : x < y ? -1 : 1;
        }
        if (a instanceof Long && b instanceof Long) return Long.compare((Long) a, (Long) b);
        return big(a).compareTo(big(b));
    }

    /** Python's {@code a < b} etc. for op in < <= > >=. */
    static boolean compare(String op, Object a, Object b) {
        if (a instanceof Undefined) throw ((Undefined) a).fail();
        if (b instanceof Undefined) throw ((Undefined) b).fail();
        int c;
        if (isNumber(a) && isNumber(b)) {
            if ((a instanceof Double && Double.isNaN((Double) a)) || (b instanceof Double && Double.isNaN((Double) b))) {
                return false;
            }
            c = compareNumbers(a, b);
        } else if (a instanceof String && b instanceof String) {
            c = PyStr.compare((String) a, (String) b);
        } else if (a instanceof List && b instanceof List) {
            return compareSeq(op, (List<?>) a, (List<?>) b);
        } else if (a instanceof PyTuple && b instanceof PyTuple) {
            return compareSeq(op, ((PyTuple) a).items(), ((PyTuple) b).items());
        } else {
            throw TemplateException.python("TypeError", "'" + op + "' not supported between instances of '"
                    + typeName(a) + "' and '" + typeName(b) + "'");
        }
        switch (op) {
            case "<": return c < 0;
            case "<=": return c <= 0;
            case ">": return c > 0;
            default: return c >= 0;
        }
    }

    /** Python's sequence ordering: the operator applied to the first differing items, else to the lengths. */
    private static boolean compareSeq(String op, List<?> a, List<?> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!pyEquals(a.get(i), b.get(i))) return compare(op, a.get(i), b.get(i));
        }
        return compare(op, (long) a.size(), (long) b.size());
    }

    /** A total order for sort/min/max/dictsort: Python's < on the values. */
    static int sortCompare(Object a, Object b) {
        if (pyEquals(a, b)) return 0;
        return compare("<", a, b) ? -1 : 1;
    }

    // ---------------- containers ----------------

    /** dict lookup with Python key equality (1 == 1.0 == True); MISSING when absent. */
    static Object mapGet(Map<?, ?> m, Object key) {
        if (key == null || key instanceof String) {
            return m.containsKey(key) ? m.get(key) : MISSING;
        }
        if (m.containsKey(key)) return m.get(key);
        for (Map.Entry<?, ?> e : m.entrySet()) if (pyEquals(e.getKey(), key)) return e.getValue();
        return MISSING;
    }

    /** dict[key] = value with Python key equality: 1, 1.0 and True are one key (the first one inserted stays). */
    static void dictPut(Map<Object, Object> m, Object key, Object value) {
        checkHashable(key);
        if (!(key instanceof String) && key != null && !m.containsKey(key)) {
            for (Object k : m.keySet()) {
                if (pyEquals(k, key)) { m.put(k, value); return; }
            }
        }
        m.put(key, value);
    }

    static void checkHashable(Object key) {
        if (key instanceof List || key instanceof Map || key instanceof Namespace || key instanceof DictView
                || key instanceof PySlice) {
            throw TemplateException.python("TypeError", "unhashable type: '" + typeName(key) + "'");
        }
    }

    /** Python iter(o) materialised: list items, tuple items, dict keys, str characters; Undefined is empty. */
    static List<Object> iterate(Object o) {
        if (o instanceof List) {
            @SuppressWarnings("unchecked") List<Object> l = (List<Object>) o;
            return l;
        }
        if (o instanceof PyTuple) return ((PyTuple) o).items();
        if (o instanceof Map) return new ArrayList<>(((Map<?, ?>) o).keySet());
        if (o instanceof String) return PyStr.chars((String) o);
        if (o instanceof Undefined) return List.of();
        if (o instanceof LoopContext) return ((LoopContext) o).remaining();
        if (o instanceof PyRange) return ((PyRange) o).items();
        if (o instanceof DictView) return ((DictView) o).items();
        if (o instanceof PyIterator) return ((PyIterator) o).drain();
        throw TemplateException.python("TypeError", "'" + typeName(o) + "' object is not iterable");
    }

    static boolean isIterable(Object o) {
        return o instanceof List || o instanceof PyTuple || o instanceof Map || o instanceof String
                || o instanceof Undefined || o instanceof LoopContext || o instanceof PyRange || o instanceof DictView
                || o instanceof PyIterator;
    }

    static long len(Object o) {
        if (o instanceof String) return PyStr.length((String) o);
        if (o instanceof List) return ((List<?>) o).size();
        if (o instanceof PyTuple) return ((PyTuple) o).items().size();
        if (o instanceof Map) return ((Map<?, ?>) o).size();
        if (o instanceof Undefined) return 0;
        if (o instanceof LoopContext) return ((LoopContext) o).length();
        if (o instanceof PyRange) return ((PyRange) o).length();
        if (o instanceof DictView) return ((DictView) o).dict().size();
        throw TemplateException.python("TypeError", "object of type '" + typeName(o) + "' has no len()");
    }

    /** Python's {@code item in container}. */
    static boolean contains(Object container, Object item) {
        if (container instanceof String) {
            if (item instanceof String) return ((String) container).contains((String) item);
            throw TemplateException.python("TypeError",
                    "'in <string>' requires string as left operand, not " + typeName(item));
        }
        if (container instanceof Map) {
            checkHashable(item);
            return mapGet((Map<?, ?>) container, item) != MISSING;
        }
        if (container instanceof PyIterator) {
            for (Object x = ((PyIterator) container).next(); x != MISSING; x = ((PyIterator) container).next()) {
                if (pyEquals(x, item)) return true;
            }
            return false;
        }
        if (container instanceof DictView && !((DictView) container).kind().equals("values")) {
            checkHashable(item);
        }
        if (container instanceof List || container instanceof PyTuple || container instanceof Undefined
                || container instanceof PyRange || container instanceof DictView) {
            for (Object x : iterate(container)) if (pyEquals(x, item)) return true;
            return false;
        }
        throw TemplateException.python("TypeError", "argument of type '" + typeName(container) + "' is not iterable");
    }

    static List<Object> sliceList(List<?> l, PySlice s) {
        int[] idx = s.indices(l.size());
        List<Object> out = new ArrayList<>(idx.length);
        for (int i : idx) out.add(l.get(i));
        return out;
    }

    static String sliceString(String str, PySlice s) {
        int[] cps = PyStr.codePoints(str);
        int[] idx = s.indices(cps.length);
        StringBuilder sb = new StringBuilder();
        for (int i : idx) sb.appendCodePoint(cps[i]);
        return sb.toString();
    }

    // ---------------- attribute and item access (the sandbox's getattr / getitem) ----------------

    /** {@code obj.name}: a real attribute (a safe method) first, then the item, else undefined. */
    static Object getattr(Object obj, String name) {
        if (obj instanceof Undefined) throw ((Undefined) obj).fail();
        Object attr = attribute(obj, name);
        if (attr != MISSING) return attr;
        Object item = item(obj, name);
        if (item != MISSING) return item;
        return Undefined.member(obj, name);
    }

    /** {@code obj[key]}: the item first, then (for a str key) the attribute, else undefined. */
    static Object getitem(Object obj, Object key) {
        if (obj instanceof Undefined) throw ((Undefined) obj).fail();
        Object item = item(obj, key);
        if (item != MISSING) return item;
        if (key instanceof String) {
            Object attr = attribute(obj, (String) key);
            if (attr != MISSING) return attr;
        }
        return Undefined.member(obj, key);
    }

    /** The attribute proper (no item fallback), or MISSING. */
    static Object attribute(Object obj, String name) {
        if (obj instanceof Namespace) {
            Map<String, Object> attrs = ((Namespace) obj).attrs;
            return attrs.containsKey(name) ? attrs.get(name) : MISSING;
        }
        if (obj instanceof LoopContext) return ((LoopContext) obj).attribute(name);
        if (obj instanceof Macro) return ((Macro) obj).attribute(name);
        if (obj instanceof Globals.Cycler) return ((Globals.Cycler) obj).attribute(name);
        if (isNumber(obj)) {
            switch (name) {
                case "real": return obj instanceof Double ? obj : normalize(big(obj));
                case "imag": return obj instanceof Double ? (Object) 0.0 : (Object) 0L;
                case "numerator": return obj instanceof Double ? MISSING : normalize(big(obj));
                case "denominator": return obj instanceof Double ? MISSING : (Object) 1L;
                default: return MISSING;
            }
        }
        return Methods.lookup(obj, name);
    }

    /** obj[key] as Python would answer it, or MISSING where Python raises TypeError / LookupError. */
    private static Object item(Object obj, Object key) {
        if (obj instanceof Map) {
            if (key instanceof List || key instanceof Map || key instanceof PySlice) return MISSING;
            if (key instanceof Undefined) return MISSING;
            return mapGet((Map<?, ?>) obj, key);
        }
        if (obj instanceof List || obj instanceof PyTuple) {
            List<?> l = obj instanceof List ? (List<?>) obj : ((PyTuple) obj).items();
            if (key instanceof PySlice) {
                if (!((PySlice) key).valid()) return MISSING;
                List<Object> sl = sliceList(l, (PySlice) key);
                return obj instanceof List ? sl : new PyTuple(sl);
            }
            if (!isInt(key)) return MISSING;
            long i = toIndex(key);
            if (i < 0) i += l.size();
            return i < 0 || i >= l.size() ? MISSING : l.get((int) i);
        }
        if (obj instanceof PyRange) {
            if (!isInt(key)) return MISSING;
            List<Object> l = ((PyRange) obj).items();
            long i = toIndex(key);
            if (i < 0) i += l.size();
            return i < 0 || i >= l.size() ? MISSING : l.get((int) i);
        }
        if (obj instanceof String) {
            String s = (String) obj;
            if (key instanceof PySlice) return ((PySlice) key).valid() ? sliceString(s, (PySlice) key) : MISSING;
            if (!isInt(key)) return MISSING;
            int n = PyStr.length(s);
            long i = toIndex(key);
            if (i < 0) i += n;
            if (i < 0 || i >= n) return MISSING;
            int off = s.offsetByCodePoints(0, (int) i);
            return new String(Character.toChars(s.codePointAt(off)));
        }
        return MISSING;
    }

    /** {@code obj[a:b:c]}: jinja2 compiles slices to plain Python subscripts (no sandbox getitem), errors included. */
    static Object slice(Object obj, PySlice s) {
        if (obj instanceof Undefined) throw ((Undefined) obj).fail();
        if (obj instanceof List || obj instanceof PyTuple || obj instanceof String) {
            if (!s.valid()) {
                throw TemplateException.python("TypeError",
                        "slice indices must be integers or None or have an __index__ method");
            }
            if (obj instanceof String) return sliceString((String) obj, s);
            if (obj instanceof List) return sliceList((List<?>) obj, s);
            return new PyTuple(sliceList(((PyTuple) obj).items(), s));
        }
        if (obj instanceof PyRange) {
            if (!s.valid()) {
                throw TemplateException.python("TypeError",
                        "slice indices must be integers or None or have an __index__ method");
            }
            return ((PyRange) obj).slice(s);
        }
        if (obj instanceof Map) throw TemplateException.python("TypeError", "unhashable type: 'slice'");
        throw TemplateException.python("TypeError", "'" + typeName(obj) + "' object is not subscriptable");
    }

    static Object call(Object fn, List<Object> args, Map<String, Object> kwargs) {
        if (fn instanceof Undefined) throw ((Undefined) fn).fail();
        if (fn instanceof PyCallable) return ((PyCallable) fn).call(args, kwargs);
        throw TemplateException.python("TypeError", "'" + typeName(fn) + "' object is not callable");
    }
}
