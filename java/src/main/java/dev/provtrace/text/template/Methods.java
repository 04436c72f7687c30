package dev.provtrace.text.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The methods of str, dict, list and tuple a template may call. Methods that mutate their object are refused the
 * way jinja2's ImmutableSandboxedEnvironment refuses them: the attribute is an undefined value that raises
 * SecurityError when called.
 */
final class Methods {
    private Methods() {}

    private static final Set<String> STR = Set.of("capitalize", "casefold", "center", "count", "endswith", "find",
            "expandtabs", "format", "index", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier", "islower",
            "isnumeric", "isprintable", "isspace", "istitle", "isupper", "join", "ljust", "lower", "lstrip",
            "partition", "removeprefix", "removesuffix", "replace", "rfind", "rindex", "rjust", "rpartition",
            "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase", "title", "upper", "zfill");
    private static final Set<String> DICT = Set.of("get", "items", "keys", "values", "copy");
    private static final Set<String> DICT_MUTATING = Set.of("clear", "pop", "popitem", "setdefault", "update");
    private static final Set<String> LIST = Set.of("index", "count", "copy");
    private static final Set<String> LIST_MUTATING =
            Set.of("append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort");
    private static final Set<String> TUPLE = Set.of("index", "count");

    /** A bound method of a str / dict / list / tuple. */
    record Bound(Object self, String method) implements PyCallable {
        @Override
        public Object call(List<Object> args, Map<String, Object> kwargs) { return invoke(self, method, args, kwargs); }

        @Override
        public String name() { return method; }
    }

    /** The attribute obj.name when it is a method, an unsafe-undefined for mutating methods, else MISSING. */
    static Object lookup(Object obj, String name) {
        if (obj instanceof String && STR.contains(name)) return new Bound(obj, name);
        if (obj instanceof Map) {
            if (DICT.contains(name)) return new Bound(obj, name);
            if (DICT_MUTATING.contains(name)) return Undefined.unsafe(obj, name);
        }
        if (obj instanceof List) {
            if (LIST.contains(name)) return new Bound(obj, name);
            if (LIST_MUTATING.contains(name)) return Undefined.unsafe(obj, name);
        }
        if ((obj instanceof PyTuple || obj instanceof PyRange) && TUPLE.contains(name)) return new Bound(obj, name);
        return PyObjects.MISSING;
    }

    static Object invoke(Object self, String m, List<Object> pos, Map<String, Object> kw) {
        if (self instanceof String) return str((String) self, m, pos, kw);
        if (self instanceof Map) return dict((Map<?, ?>) self, m, pos, kw);
        List<?> items = self instanceof List ? (List<?>) self
                : self instanceof PyRange ? ((PyRange) self).items() : ((PyTuple) self).items();
        String type = PyObjects.typeName(self);
        switch (m) {
            case "copy": Args.none(type + ".copy", pos, kw); return new ArrayList<>(items);
            case "count": {
                Object x = new Args(type + ".count", pos, kw, "value").required(0);
                return items.stream().filter(i -> PyObjects.pyEquals(i, x)).count();
            }
            default: { // index
                Args a = new Args(type + ".index", pos, kw, "value", "start", "stop");
                Object x = a.required(0);
                for (int i = 0; i < items.size(); i++) if (PyObjects.pyEquals(items.get(i), x)) return (long) i;
                throw TemplateException.python("ValueError", type.equals("list")
                        ? PyObjects.repr(x) + " is not in list" : "tuple.index(x): x not in tuple");
            }
        }
    }

    private static Object dict(Map<?, ?> d, String m, List<Object> pos, Map<String, Object> kw) {
        switch (m) {
            case "get": {
                Args a = new Args("get", pos, kw, "key", "default");
                Object key = a.required(0);
                PyObjects.checkHashable(key);
                Object v = PyObjects.mapGet(d, key);
                return v == PyObjects.MISSING ? a.get(1, null) : v;
            }
            case "items": case "keys": case "values":
                Args.none(m, pos, kw);
                return new DictView(m, d);
            default: Args.none("copy", pos, kw); return new LinkedHashMap<>(d);
        }
    }

    private static Object str(String s, String m, List<Object> pos, Map<String, Object> kw) {
        switch (m) {
            case "strip": case "lstrip": case "rstrip": {
                Object chars = new Args(m, pos, kw, "chars").get(0, null);
                if (chars != null && !(chars instanceof String)) {
                    throw TemplateException.python("TypeError", m + " arg must be None or str");
                }
                String c = (String) chars;
                return m.equals("strip") ? PyStr.strip(s, c) : m.equals("lstrip") ? PyStr.lstrip(s, c) : PyStr.rstrip(s, c);
            }
            case "split": case "rsplit": {
                Args a = new Args(m, pos, kw, "sep", "maxsplit");
                String sep = a.optString(0);
                long max = a.integer(1, -1);
                return m.equals("split") ? PyStr.split(s, sep, max) : PyStr.rsplit(s, sep, max);
            }
            case "splitlines": return PyStr.splitlines(s, new Args(m, pos, kw, "keepends").bool(0, false));
            case "startswith": case "endswith": {
                Args a = new Args(m, pos, kw, "prefix", "start", "end");
                Object p = a.required(0);
                int[] r = PyStr.range(s, a.get(1, null), a.get(2, null));
                List<Object> options = p instanceof PyTuple ? ((PyTuple) p).items() : List.of(p);
                for (Object o : options) {
                    if (!(o instanceof String)) {
                        throw TemplateException.python("TypeError", m + " first arg must be str or a tuple of str, not "
                                + PyObjects.typeName(o));
                    }
                    if (r == null) continue;
                    String w = s.substring(r[0], r[1]);
                    if (m.equals("startswith") ? w.startsWith((String) o) : w.endsWith((String) o)) return true;
                }
                return false;
            }
            case "upper": Args.none(m, pos, kw); return PyStr.upper(s);
            case "lower": Args.none(m, pos, kw); return PyStr.lower(s);
            case "casefold": Args.none(m, pos, kw); return PyStr.casefold(s);
            case "title": Args.none(m, pos, kw); return PyStr.title(s);
            case "capitalize": Args.none(m, pos, kw); return PyStr.capitalize(s);
            case "swapcase": Args.none(m, pos, kw); return PyStr.swapcase(s);
            case "replace": {
                Args a = new Args(m, pos, kw, "old", "new", "count");
                return PyStr.replace(s, a.string(0, null), a.string(1, null), a.integer(2, -1));
            }
            case "find": case "rfind": case "index": case "rindex": {
                Args a = new Args(m, pos, kw, "sub", "start", "end");
                long k = PyStr.find(s, a.string(0, null), a.get(1, null), a.get(2, null), m.startsWith("r"));
                if (k < 0 && m.endsWith("index")) throw TemplateException.python("ValueError", "substring not found");
                return k;
            }
            case "count": {
                Args a = new Args(m, pos, kw, "sub", "start", "end");
                return PyStr.count(s, a.string(0, null), a.get(1, null), a.get(2, null));
            }
            case "join": {
                Object it = new Args(m, pos, kw, "iterable").required(0);
                StringBuilder sb = new StringBuilder();
                int i = 0;
                for (Object x : PyObjects.iterate(it)) {
                    if (!(x instanceof String)) {
                        throw TemplateException.python("TypeError", "sequence item " + i + ": expected str instance, "
                                + PyObjects.typeName(x) + " found");
                    }
                    if (i++ > 0) sb.append(s);
                    sb.append((String) x);
                }
                return sb.toString();
            }
            case "center": case "ljust": case "rjust": {
                Args a = new Args(m, pos, kw, "width", "fillchar");
                String fill = a.string(1, " ");
                if (PyStr.length(fill) != 1) {
                    throw TemplateException.python("TypeError", "The fill character must be exactly one character long");
                }
                return PyStr.pad(s, a.integer(0, 0), fill, m.equals("center") ? '^' : m.equals("ljust") ? '<' : '>');
            }
            case "zfill": return PyStr.zfill(s, new Args(m, pos, kw, "width").integer(0, 0));
            case "removeprefix": {
                String p = new Args(m, pos, kw, "prefix").string(0, null);
                return s.startsWith(p) ? s.substring(p.length()) : s;
            }
            case "removesuffix": {
                String p = new Args(m, pos, kw, "suffix").string(0, null);
                return !p.isEmpty() && s.endsWith(p) ? s.substring(0, s.length() - p.length()) : s;
            }
            case "partition": case "rpartition": {
                String sep = new Args(m, pos, kw, "sep").string(0, null);
                if (sep.isEmpty()) throw TemplateException.python("ValueError", "empty separator");
                int k = m.equals("partition") ? s.indexOf(sep) : s.lastIndexOf(sep);
                if (k < 0) return m.equals("partition") ? PyTuple.of(s, "", "") : PyTuple.of("", "", s);
                return PyTuple.of(s.substring(0, k), sep, s.substring(k + sep.length()));
            }
            case "format": return PyFormat.format(s, pos, kw);
            case "expandtabs": {
                long tab = new Args(m, pos, kw, "tabsize").integer(0, 8);
                StringBuilder sb = new StringBuilder();
                long col = 0;
                for (int i = 0; i < s.length(); ) {
                    int cp = s.codePointAt(i);
                    i += Character.charCount(cp);
                    if (cp == '\t') {
                        if (tab > 0) {
                            long n = tab - col % tab;
                            sb.append(" ".repeat((int) n));
                            col += n;
                        }
                    } else {
                        sb.appendCodePoint(cp);
                        col = cp == '\n' || cp == '\r' ? 0 : col + 1;
                    }
                }
                return sb.toString();
            }
            default: Args.none(m, pos, kw); return predicate(s, m);
        }
    }

    static boolean predicate(String s, String m) {
        if (m.equals("isascii")) return s.chars().allMatch(c -> c < 0x80);
        if (s.isEmpty()) return m.equals("isprintable");
        switch (m) {
            case "isalnum": return s.codePoints().allMatch(Character::isLetterOrDigit);
            case "isalpha": return s.codePoints().allMatch(Character::isLetter);
            case "isdecimal": case "isdigit": case "isnumeric":
                return s.codePoints().allMatch(c -> Character.getType(c) == Character.DECIMAL_DIGIT_NUMBER
                        || (!m.equals("isdecimal") && Character.isDigit(c))
                        || (m.equals("isnumeric") && (Character.getType(c) == Character.OTHER_NUMBER
                        || Character.getType(c) == Character.LETTER_NUMBER)));
            case "isidentifier":
                return Character.isJavaIdentifierStart(s.codePointAt(0)) && s.codePointAt(0) != '$'
                        && s.codePoints().allMatch(c -> Character.isJavaIdentifierPart(c) && c != '$');
            case "islower": return s.codePoints().anyMatch(Character::isLowerCase)
                    && s.codePoints().noneMatch(c -> Character.isUpperCase(c) || Character.isTitleCase(c));
            case "isupper": return s.codePoints().anyMatch(Character::isUpperCase)
                    && s.codePoints().noneMatch(c -> Character.isLowerCase(c) || Character.isTitleCase(c));
            case "isspace": return s.codePoints().allMatch(PyStr::isSpace);
            case "isprintable": return s.codePoints().allMatch(PyStr::isPrintable);
            default: return PyStr.title(s).equals(s) && s.codePoints().anyMatch(c -> Character.isUpperCase(c)
                    || Character.isTitleCase(c)); // istitle
        }
    }
}
