package dev.provtrace.text.template;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * jinja2's built-in filters with their Python semantics, and transformers' {@code tojson}. Filters that produce
 * generators in jinja2 (select, map, reverse...) produce lists here; the items are the same.
 */
final class Filters {
    private Filters() {}

    private static final Set<String> NAMES = Set.of("abs", "attr", "batch", "capitalize", "center", "count", "d",
            "default", "dictsort", "e", "escape", "first", "float", "forceescape", "format", "indent", "int", "items",
            "join", "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr", "replace",
            "reverse", "round", "safe", "select", "selectattr", "slice", "sort", "string", "sum", "title", "tojson",
            "trim", "truncate", "unique", "upper", "wordcount");

    /** jinja2 filters this renderer does not implement (no chat template we know uses them). */
    static final Set<String> NOT_IMPLEMENTED = Set.of("filesizeformat", "groupby", "pprint", "random", "striptags",
            "urlencode", "urlize", "wordwrap", "xmlattr");

    private static final Pattern WORD = Pattern.compile("\\w+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern WORD_BEGINNING = Pattern.compile("[-\\s({\\[<]+", Pattern.UNICODE_CHARACTER_CLASS);

    static boolean exists(String name) { return NAMES.contains(name); }

    /** jinja2's soft_str: str() unless already a str (Undefined renders as ""). */
    private static String s(Object v) { return PyObjects.str(v); }

    static Object apply(String name, Object v, List<Object> args, Map<String, Object> kw) {
        switch (name) {
            case "abs": {
                Args.none("abs", args, kw);
                if (PyObjects.isInt(v)) return PyObjects.normalize(PyObjects.big(v).abs());
                if (v instanceof Double) return Math.abs((Double) v);
                throw TemplateException.python("TypeError", "bad operand type for abs(): '" + PyObjects.typeName(v) + "'");
            }
            case "attr": {
                String attr = new Args("attr", args, kw, "name").string(0, null);
                if (v instanceof Undefined) throw ((Undefined) v).fail();
                Object a = PyObjects.attribute(v, attr);
                return a == PyObjects.MISSING ? Undefined.member(v, attr) : a;
            }
            case "batch": {
                Args a = new Args("batch", args, kw, "linecount", "fill_with");
                long count = a.integer(0, 0);
                Object fill = a.get(1, null);
                return PyIterator.generator("do_batch", () -> batch(v, count, fill));
            }
            case "slice": {
                Args a = new Args(name, args, kw, "slices", "fill_with");
                long slices = a.integer(0, 0);
                Object fill = a.get(1, null);
                return PyIterator.generator("sync_do_slice", () -> slice(v, slices, fill));
            }
            case "reverse": {
                Args.none(name, args, kw);
                return reverse(v);
            }
            case "unique": {
                Args a = new Args(name, args, kw, "case_sensitive", "attribute");
                boolean cs = a.bool(0, false);
                Object attr = a.get(1, null);
                return PyIterator.generator("sync_do_unique", () -> unique(v, cs, attr));
            }
            default:
                return applyEager(name, v, args, kw);
        }
    }

    private static List<Object> batch(Object v, long count, Object fill) {
        List<Object> out = new ArrayList<>();
        List<Object> tmp = new ArrayList<>();
        for (Object item : PyObjects.iterate(v)) {
            if (tmp.size() == count) { out.add(tmp); tmp = new ArrayList<>(); }
            tmp.add(item);
        }
        if (!tmp.isEmpty()) {
            if (fill != null) while (tmp.size() < count) tmp.add(fill);
            out.add(tmp);
        }
        return out;
    }

    private static List<Object> slice(Object v, long slices, Object fill) {
        List<Object> seq = PyObjects.iterate(v);
        int length = seq.size();
        int per = (int) (length / slices), extra = (int) (length % slices), offset = 0;
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < slices; i++) {
            int start = offset + i * per;
            if (i < extra) offset++;
            int end = offset + (i + 1) * per;
            List<Object> tmp = new ArrayList<>(seq.subList(start, end));
            if (fill != null && i >= extra) tmp.add(fill);
            out.add(tmp);
        }
        return out;
    }

    private static List<Object> unique(Object v, boolean cs, Object attr) {
        List<Object> seen = new ArrayList<>();
        List<Object> out = new ArrayList<>();
        for (Object item : PyObjects.iterate(v)) {
            Object k = key(attrGet(item, attr, null), cs);
            PyObjects.checkHashable(k);
            if (seen.stream().noneMatch(x -> PyObjects.pyEquals(x, k))) {
                seen.add(k);
                out.add(item);
            }
        }
        return out;
    }

    /** Python's reversed() accepts these (sequences, dicts and their views, ranges, and Undefined). */
    private static boolean reversible(Object v) {
        return v instanceof String || v instanceof List || v instanceof PyTuple || v instanceof Map
                || v instanceof DictView || v instanceof PyRange || v instanceof Undefined;
    }

    /** do_reverse: a str reversed, else reversed(value) (an iterator), else list(value) reversed. */
    private static Object reverse(Object v) {
        if (v instanceof String) return PyObjects.sliceString((String) v, new PySlice(null, null, -1L));
        if (reversible(v)) {
            String type = v instanceof List ? "list_reverseiterator"
                    : v instanceof Map ? "dict_reversekeyiterator"
                    : v instanceof DictView ? "dict_reverse" + ((DictView) v).kind().replaceAll("s$", "") + "iterator"
                    : v instanceof PyRange ? "range_iterator" : "reversed";
            List<Object> items = new ArrayList<>(PyObjects.iterate(v));
            Collections.reverse(items);
            return new PyIterator(type, type, () -> items);
        }
        if (!PyObjects.isIterable(v)) throw TemplateException.python("FilterArgumentError", "argument must be iterable");
        List<Object> out = new ArrayList<>(PyObjects.iterate(v));
        Collections.reverse(out);
        return out;
    }

    private static Object applyEager(String name, Object v, List<Object> args, Map<String, Object> kw) {
        switch (name) {
            case "capitalize": Args.none(name, args, kw); return PyStr.capitalize(s(v));
            case "title": {
                Args.none(name, args, kw);
                String str = s(v);
                StringBuilder sb = new StringBuilder();
                Matcher m = WORD_BEGINNING.matcher(str);
                int last = 0;
                List<String> items = new ArrayList<>();
                while (m.find()) {
                    items.add(str.substring(last, m.start()));
                    items.add(m.group());
                    last = m.end();
                }
                items.add(str.substring(last));
                for (String item : items) {
                    if (item.isEmpty()) continue;
                    int first = Character.charCount(item.codePointAt(0));
                    sb.append(PyStr.upper(item.substring(0, first))).append(PyStr.lower(item.substring(first)));
                }
                return sb.toString();
            }
            case "center": return PyStr.pad(s(v), new Args(name, args, kw, "width").integer(0, 80), " ", '^');
            case "count": case "length": Args.none(name, args, kw); return PyObjects.len(v);
            case "d": case "default": {
                Args a = new Args(name, args, kw, "default_value", "boolean");
                if (v instanceof Undefined || (a.bool(1, false) && !PyObjects.truthy(v))) return a.get(0, "");
                return v;
            }
            case "dictsort": {
                Args a = new Args(name, args, kw, "case_sensitive", "by", "reverse");
                boolean cs = a.bool(0, false);
                String by = a.string(1, "key");
                if (!by.equals("key") && !by.equals("value")) {
                    throw TemplateException.python("FilterArgumentError", "You can only sort by either \"key\" or \"value\"");
                }
                int pos = by.equals("key") ? 0 : 1;
                List<Object> items = PyObjects.iterate(Methods.invoke(mapping(v), "items", List.of(), Map.of()));
                return sorted(items, x -> key(((PyTuple) x).items().get(pos), cs), a.bool(2, false));
            }
            case "e": case "escape": case "forceescape": Args.none(name, args, kw); return escape(s(v));
            case "first": {
                Args.none(name, args, kw);
                Object first = v instanceof PyIterator ? ((PyIterator) v).next() : PyObjects.MISSING;
                if (!(v instanceof PyIterator)) {
                    List<Object> items = PyObjects.iterate(v);
                    if (!items.isEmpty()) first = items.get(0);
                }
                return first == PyObjects.MISSING ? Undefined.hint("No first item, sequence was empty.") : first;
            }
            case "last": {
                Args.none(name, args, kw);
                if (!reversible(v)) {
                    throw TemplateException.python("TypeError", "'" + PyObjects.typeName(v) + "' object is not reversible");
                }
                List<Object> items = PyObjects.iterate(v);
                return items.isEmpty() ? Undefined.hint("No last item, sequence was empty.") : items.get(items.size() - 1);
            }
            case "float": {
                Object dflt = new Args(name, args, kw, "default").get(0, 0.0);
                if (v instanceof Undefined) throw ((Undefined) v).fail();
                Object f = toFloat(v);
                return f == null ? dflt : f;
            }
            case "int": {
                Args a = new Args(name, args, kw, "default", "base");
                if (v instanceof Undefined) throw ((Undefined) v).fail();
                return toInt(v, a.get(0, 0L), a.integer(1, 10));
            }
            case "format": {
                if (!args.isEmpty() && !kw.isEmpty()) {
                    throw TemplateException.python("FilterArgumentError",
                            "can't handle positional and keyword arguments at the same time");
                }
                Object fmtArgs = !kw.isEmpty() ? new LinkedHashMap<Object, Object>(kw) : new PyTuple(new ArrayList<>(args));
                return PyFormat.percent(s(v), fmtArgs);
            }
            case "indent": {
                Args a = new Args(name, args, kw, "width", "first", "blank");
                Object w = a.get(0, 4L);
                String ind = w instanceof String ? (String) w : " ".repeat((int) Math.max(0, PyObjects.toIndex(w)));
                List<Object> lines = PyStr.splitlines(s(v) + "\n", false);
                String rv;
                if (a.bool(2, false)) {
                    rv = String.join("\n" + ind, lines.stream().map(o -> (String) o).toList());
                } else {
                    StringBuilder sb = new StringBuilder((String) lines.get(0));
                    for (int i = 1; i < lines.size(); i++) {
                        String line = (String) lines.get(i);
                        sb.append('\n').append(line.isEmpty() ? line : ind + line);
                    }
                    rv = sb.toString();
                }
                return a.bool(1, false) ? ind + rv : rv;
            }
            case "items": {
                Args.none(name, args, kw);
                return PyIterator.generator("do_items", () -> {
                    if (v instanceof Undefined) return new ArrayList<>();
                    if (!(v instanceof Map)) {
                        throw TemplateException.python("TypeError", "Can only get item pairs from a mapping.");
                    }
                    return PyObjects.iterate(Methods.invoke(v, "items", List.of(), Map.of()));
                });
            }
            case "join": {
                Args a = new Args(name, args, kw, "d", "attribute");
                String d = s(a.get(0, ""));
                Object attr = a.get(1, null);
                StringBuilder sb = new StringBuilder();
                boolean first = true;
                for (Object item : PyObjects.iterate(v)) {
                    if (!first) sb.append(d);
                    first = false;
                    sb.append(s(attr == null ? item : attrGet(item, attr, null)));
                }
                return sb.toString();
            }
            case "list": Args.none(name, args, kw); return new ArrayList<>(PyObjects.iterate(v));
            case "lower": Args.none(name, args, kw); return PyStr.lower(s(v));
            case "upper": Args.none(name, args, kw); return PyStr.upper(s(v));
            case "string": Args.none(name, args, kw); return s(v);
            case "safe": Args.none(name, args, kw); return s(v);
            case "trim": return PyStr.strip(s(v), new Args(name, args, kw, "chars").optString(0));
            case "replace": {
                Args a = new Args(name, args, kw, "old", "new", "count");
                Object count = a.get(2, null);
                return PyStr.replace(s(v), s(a.required(0)), s(a.required(1)), count == null ? -1 : PyObjects.toIndex(count));
            }
            case "map": return map(v, args, kw);
            case "select": return selectOrReject(v, args, kw, true, false);
            case "reject": return selectOrReject(v, args, kw, false, false);
            case "selectattr": return selectOrReject(v, args, kw, true, true);
            case "rejectattr": return selectOrReject(v, args, kw, false, true);
            case "min": case "max": {
                Args a = new Args(name, args, kw, "case_sensitive", "attribute");
                boolean cs = a.bool(0, false);
                Object attr = a.get(1, null);
                List<Object> items = PyObjects.iterate(v);
                if (items.isEmpty()) return Undefined.hint("No aggregated item, sequence was empty.");
                Object best = items.get(0);
                Object bestKey = key(attrGet(best, attr, null), cs);
                for (Object item : items.subList(1, items.size())) {
                    Object k = key(attrGet(item, attr, null), cs);
                    // Python's min/max ask item < best / item > best
                    if (PyObjects.compare(name.equals("min") ? "<" : ">", k, bestKey)) { best = item; bestKey = k; }
                }
                return best;
            }
            case "round": {
                Args a = new Args(name, args, kw, "precision", "method");
                long precision = a.integer(0, 0);
                String method = a.string(1, "common");
                return round(v, precision, method);
            }
            case "sort": {
                Args a = new Args(name, args, kw, "reverse", "case_sensitive", "attribute");
                boolean cs = a.bool(1, false);
                Object attr = a.get(2, null);
                List<String> attrs = attr instanceof String ? List.of(((String) attr).split(",")) : null;
                return sorted(PyObjects.iterate(v), item -> {
                    if (attrs != null && attrs.size() > 1) {
                        List<Object> keys = new ArrayList<>();
                        for (String part : attrs) keys.add(key(attrGet(item, part, null), cs));
                        return keys;
                    }
                    return key(attrGet(item, attr, null), cs);
                }, a.bool(0, false));
            }
            case "sum": {
                Args a = new Args(name, args, kw, "attribute", "start");
                Object attr = a.get(0, null);
                Object total = a.get(1, 0L);
                for (Object item : PyObjects.iterate(v)) total = Operators.binary("+", total, attrGet(item, attr, null));
                return total;
            }
            case "tojson": {
                Args a = new Args(name, args, kw, "ensure_ascii", "indent", "separators", "sort_keys");
                return JsonDumps.dumps(v, a.bool(0, false), a.get(1, null), a.get(2, null), a.bool(3, false));
            }
            case "truncate": {
                Args a = new Args(name, args, kw, "length", "killwords", "end", "leeway");
                long length = a.integer(0, 255);
                boolean killwords = a.bool(1, false);
                String end = a.string(2, "...");
                long leeway = a.integer(3, 5);
                int endLen = PyStr.length(end);
                if (length < endLen) {
                    throw TemplateException.python("AssertionError", "expected length >= " + endLen + ", got " + length);
                }
                if (leeway < 0) throw TemplateException.python("AssertionError", "expected leeway >= 0, got " + leeway);
                if (PyObjects.len(v) <= length + leeway) return v;
                Object head = PyObjects.slice(v, new PySlice(null, length - endLen, null));
                if (killwords) return Operators.binary("+", head, end);
                if (!(head instanceof String)) {
                    throw TemplateException.python("AttributeError", "'" + PyObjects.typeName(head)
                            + "' object has no attribute 'rsplit'");
                }
                return PyStr.rsplit((String) head, " ", 1).get(0) + end;
            }
            case "wordcount": {
                Args.none(name, args, kw);
                Matcher m = WORD.matcher(s(v));
                long c = 0;
                while (m.find()) c++;
                return c;
            }
            default:
                throw TemplateException.python("TemplateRuntimeError", "No filter named '" + name + "'.");
        }
    }

    private static Map<?, ?> mapping(Object v) {
        if (v instanceof Map) return (Map<?, ?>) v;
        if (v instanceof Undefined) throw ((Undefined) v).fail();
        throw TemplateException.python("AttributeError", "'" + PyObjects.typeName(v) + "' object has no attribute 'items'");
    }

    /** ignore_case: strings are compared lower-cased unless case_sensitive. */
    private static Object key(Object v, boolean caseSensitive) {
        return !caseSensitive && v instanceof String ? PyStr.lower((String) v) : v;
    }

    private static List<Object> sorted(List<Object> items, UnaryOperator<Object> keyFn, boolean reverse) {
        List<Object[]> keyed = new ArrayList<>();
        for (Object item : items) keyed.add(new Object[] {keyFn.apply(item), item});
        Comparator<Object[]> cmp = (x, y) -> PyObjects.sortCompare(x[0], y[0]);
        // Python's sort with reverse=True keeps equal items in their original order
        keyed.sort(reverse ? (x, y) -> cmp.compare(y, x) : cmp);
        List<Object> out = new ArrayList<>();
        for (Object[] k : keyed) out.add(k[1]);
        return out;
    }

    /** make_attrgetter: dotted path of getitem lookups, integer parts as ints; default replaces undefined. */
    static Object attrGet(Object item, Object attribute, Object dflt) {
        if (attribute == null) return item;
        List<Object> parts = new ArrayList<>();
        if (attribute instanceof String) {
            for (String p : ((String) attribute).split("\\.", -1)) {
                parts.add(!p.isEmpty() && p.chars().allMatch(Character::isDigit) ? (Object) Long.parseLong(p) : p);
            }
        } else {
            parts.add(attribute);
        }
        for (Object part : parts) {
            item = PyObjects.getitem(item, part);
            if (dflt != null && item instanceof Undefined) item = dflt;
        }
        return item;
    }

    private static Object map(Object v, List<Object> args, Map<String, Object> kwIn) {
        Map<String, Object> kw = new LinkedHashMap<>(kwIn);
        List<Object> rest = args.isEmpty() ? List.of() : args.subList(1, args.size());
        return PyIterator.generator("sync_do_map", () -> {
            List<Object> out = new ArrayList<>();
            if (!PyObjects.truthy(v)) return out;
            if (args.isEmpty() && kw.containsKey("attribute")) {
                Object attr = kw.remove("attribute");
                Object dflt = kw.remove("default");
                if (!kw.isEmpty()) {
                    throw TemplateException.python("FilterArgumentError",
                            "Unexpected keyword argument '" + kw.keySet().iterator().next() + "'");
                }
                for (Object item : PyObjects.iterate(v)) out.add(attrGet(item, attr, dflt));
                return out;
            }
            if (args.isEmpty()) throw TemplateException.python("FilterArgumentError", "map requires a filter argument");
            String filter = s(args.get(0));
            if (!exists(filter)) {
                throw TemplateException.python("TemplateRuntimeError", "No filter named '" + filter + "'.");
            }
            for (Object item : PyObjects.iterate(v)) out.add(apply(filter, item, rest, kw));
            return out;
        });
    }

    private static Object selectOrReject(Object v, List<Object> args, Map<String, Object> kw, boolean select,
                                         boolean lookupAttr) {
        return PyIterator.generator("select_or_reject", () -> {
            List<Object> out = new ArrayList<>();
            if (!PyObjects.truthy(v)) return out;
            int off = 0;
            Object attr = null;
            if (lookupAttr) {
                if (args.isEmpty()) {
                    throw TemplateException.python("FilterArgumentError", "Missing parameter for attribute name");
                }
                attr = args.get(0);
                off = 1;
            }
            String test = args.size() > off ? s(args.get(off)) : null;
            List<Object> testArgs = args.size() > off + 1 ? args.subList(off + 1, args.size()) : List.of();
            for (Object item : PyObjects.iterate(v)) {
                Object x = lookupAttr ? attrGet(item, attr, null) : item;
                boolean r = test == null ? PyObjects.truthy(x) : Tests.apply(test, x, testArgs, kw);
                if (r == select) out.add(item);
            }
            return out;
        });
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&': sb.append("&amp;"); break;
                case '<': sb.append("&lt;"); break;
                case '>': sb.append("&gt;"); break;
                case '"': sb.append("&#34;"); break;
                case '\'': sb.append("&#39;"); break;
                default: sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Python float(v), or null where it raises TypeError / ValueError. */
    private static Object toFloat(Object v) {
        if (PyObjects.isNumber(v)) return PyObjects.toDouble(v);
        if (v instanceof String) return parseFloat((String) v);
        return null;
    }

    static Double parseFloat(String str) {
        String t = PyStr.strip(str, null).toLowerCase();
        String body = t.startsWith("+") || t.startsWith("-") ? t.substring(1) : t;
        double sign = t.startsWith("-") ? -1 : 1;
        if (body.equals("inf") || body.equals("infinity")) return sign * Double.POSITIVE_INFINITY;
        if (body.equals("nan")) return Double.NaN;
        if (!body.matches("(\\d(_?\\d)*)?(\\.(\\d(_?\\d)*)?)?(e[+-]?\\d(_?\\d)*)?") || !body.matches(".*\\d.*")
                || body.startsWith("e") || body.startsWith(".e")) {
            return null;
        }
        return sign * Double.parseDouble(body.replace("_", ""));
    }

    private static Object toInt(Object v, Object dflt, long base) {
        if (v instanceof String) {
            Object r = parseInt((String) v, (int) base);
            if (r != null) return r;
        } else if (PyObjects.isInt(v)) {
            return PyObjects.normalize(PyObjects.big(v));
        } else if (v instanceof Double) {
            double d = (Double) v;
            if (Double.isInfinite(d)) throw TemplateException.python("OverflowError", "cannot convert float infinity to integer");
            if (!Double.isNaN(d)) return PyObjects.normalize(new BigDecimal(d).toBigInteger());
        }
        Object f = toFloat(v);
        if (f instanceof Double && !((Double) f).isNaN() && !((Double) f).isInfinite()) {
            return PyObjects.normalize(new BigDecimal((Double) f).toBigInteger());
        }
        return dflt;
    }

    /** Python int(str, base), or null on ValueError. */
    static Object parseInt(String str, int base) {
        String t = PyStr.strip(str, null);
        boolean neg = false;
        if (t.startsWith("+") || t.startsWith("-")) {
            neg = t.startsWith("-");
            t = t.substring(1);
        }
        String lower = t.toLowerCase();
        if ((base == 16 && lower.startsWith("0x")) || (base == 8 && lower.startsWith("0o"))
                || (base == 2 && lower.startsWith("0b"))) {
            t = t.substring(2);
            if (t.startsWith("_")) t = t.substring(1);
        } else if (base == 0) {
            if (lower.startsWith("0x")) { base = 16; t = t.substring(2); }
            else if (lower.startsWith("0o")) { base = 8; t = t.substring(2); }
            else if (lower.startsWith("0b")) { base = 2; t = t.substring(2); }
            else base = 10;
        }
        if (t.isEmpty() || t.startsWith("_") || t.endsWith("_") || t.contains("__")) return null;
        try {
            BigInteger b = new BigInteger(t.replace("_", ""), base);
            return PyObjects.normalize(neg ? b.negate() : b);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Object round(Object v, long precision, String method) {
        if (!method.equals("common") && !method.equals("ceil") && !method.equals("floor")) {
            throw TemplateException.python("FilterArgumentError", "method must be common, ceil or floor");
        }
        if (!method.equals("common")) {
            // math.floor / math.ceil of value * 10 ** precision, divided back
            Object scale = Operators.pow(10L, precision);
            Object scaled = Operators.binary("*", v, scale);
            if (!PyObjects.isNumber(scaled)) {
                throw TemplateException.python("TypeError", "must be real number, not " + PyObjects.typeName(scaled));
            }
            double x = PyObjects.toDouble(scaled);
            if (Double.isInfinite(x)) {
                throw TemplateException.python("OverflowError", "cannot convert float infinity to integer");
            }
            if (Double.isNaN(x)) throw TemplateException.python("ValueError", "cannot convert float NaN to integer");
            double r = method.equals("ceil") ? Math.ceil(x) : Math.floor(x);
            return Operators.truediv(PyObjects.normalize(new BigDecimal(r).toBigInteger()), scale);
        }
        if (!PyObjects.isNumber(v)) {
            throw TemplateException.python("TypeError", "type " + PyObjects.typeName(v) + " doesn't define __round__ method");
        }
        if (PyObjects.isInt(v)) {
            if (precision >= 0) return PyObjects.normalize(PyObjects.big(v));
            BigDecimal r = new BigDecimal(PyObjects.big(v)).setScale((int) precision, RoundingMode.HALF_EVEN);
            return PyObjects.normalize(r.setScale(0, RoundingMode.UNNECESSARY).toBigInteger());
        }
        double d = (Double) v;
        if (Double.isNaN(d) || Double.isInfinite(d)) return d;
        double r = new BigDecimal(d).setScale((int) precision, RoundingMode.HALF_EVEN).doubleValue();
        return r == 0 ? Math.copySign(0.0, d) : r;
    }
}
