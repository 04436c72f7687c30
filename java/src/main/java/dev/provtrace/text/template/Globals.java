package dev.provtrace.text.template;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The global functions of transformers' chat-template environment: jinja2's {@code range} (sandbox-limited),
 * {@code dict}, {@code namespace}, {@code cycler}, {@code joiner}, plus transformers' {@code raise_exception} and
 * {@code strftime_now}.
 */
final class Globals {
    private Globals() {}

    /** jinja2.sandbox.MAX_RANGE. */
    static final int MAX_RANGE = 100_000;

    record Function(String name, BiFunction<List<Object>, Map<String, Object>, Object> body) implements PyCallable {
        @Override
        public Object call(List<Object> args, Map<String, Object> kwargs) { return body.apply(args, kwargs); }
    }

    static Map<String, Object> create(LocalDateTime now) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("range", new Function("range", Globals::range));
        g.put("dict", new Function("dict", (a, k) -> dict("dict", a, k)));
        g.put("namespace", new Function("namespace", (a, k) -> {
            Namespace ns = new Namespace();
            for (Map.Entry<Object, Object> e : dict("namespace", a, k).entrySet()) {
                ns.attrs.put(PyObjects.str(e.getKey()), e.getValue());
            }
            return ns;
        }));
        g.put("cycler", new Function("cycler", (a, k) -> {
            Args.none("cycler", List.of(), k);
            if (a.isEmpty()) throw TemplateException.python("RuntimeError", "at least one item has to be provided");
            return new Cycler(new ArrayList<>(a));
        }));
        g.put("joiner", new Function("joiner", (a, k) -> {
            String sep = new Args("joiner", a, k, "sep").string(0, ", ");
            boolean[] used = {false};
            return new Function("joiner", (a2, k2) -> {
                if (!used[0]) { used[0] = true; return ""; }
                return sep;
            });
        }));
        g.put("lipsum", new Function("lipsum", (a, k) -> {
            throw TemplateException.python("NotImplementedError",
                    "lipsum() produces random text; this renderer does not implement it");
        }));
        g.put("raise_exception", new Function("raise_exception", (a, k) -> {
            Object message = new Args("raise_exception", a, k, "message").required(0);
            throw TemplateException.raised(PyObjects.str(message));
        }));
        g.put("strftime_now", new Function("strftime_now", (a, k) -> {
            Object format = new Args("strftime_now", a, k, "format").required(0);
            if (!(format instanceof String)) {
                throw TemplateException.python("TypeError", "strftime() argument 1 must be str, not "
                        + PyObjects.typeName(format));
            }
            return Strftime.format(now, (String) format);
        }));
        return g;
    }

    private static Object range(List<Object> a, Map<String, Object> k) {
        Args.none("range", List.of(), k);
        if (a.isEmpty() || a.size() > 3) {
            throw TemplateException.python("TypeError", "range expected at most 3 arguments, got " + a.size());
        }
        for (Object x : a) {
            if (!PyObjects.isInt(x)) {
                if (x instanceof Undefined) throw ((Undefined) x).fail();
                throw TemplateException.python("TypeError", "'" + PyObjects.typeName(x)
                        + "' object cannot be interpreted as an integer");
            }
        }
        long start = 0, stop, step = 1;
        if (a.size() == 1) stop = PyObjects.toIndex(a.get(0));
        else {
            start = PyObjects.toIndex(a.get(0));
            stop = PyObjects.toIndex(a.get(1));
            if (a.size() == 3) step = PyObjects.toIndex(a.get(2));
        }
        if (step == 0) throw TemplateException.python("ValueError", "range() arg 3 must not be zero");
        PyRange r = new PyRange(start, stop, step);
        if (r.length() > MAX_RANGE) {
            throw TemplateException.python("OverflowError",
                    "Range too big. The sandbox blocks ranges larger than MAX_RANGE (" + MAX_RANGE + ").");
        }
        return r;
    }

    /** Python dict(*args, **kwargs): a mapping or an iterable of pairs, then the keyword arguments. */
    static Map<Object, Object> dict(String fn, List<Object> a, Map<String, Object> k) {
        if (a.size() > 1) {
            throw TemplateException.python("TypeError", fn + " expected at most 1 argument, got " + a.size());
        }
        Map<Object, Object> out = new LinkedHashMap<>();
        if (a.size() == 1) {
            Object src = a.get(0);
            if (src instanceof Map) {
                for (Map.Entry<?, ?> e : ((Map<?, ?>) src).entrySet()) PyObjects.dictPut(out, e.getKey(), e.getValue());
            }
            else {
                for (Object pair : PyObjects.iterate(src)) {
                    List<Object> kv = PyObjects.iterate(pair);
                    if (kv.size() != 2) {
                        throw TemplateException.python("ValueError", "dictionary update sequence element has length "
                                + kv.size() + "; 2 is required");
                    }
                    PyObjects.dictPut(out, kv.get(0), kv.get(1));
                }
            }
        }
        k.forEach((key, v) -> PyObjects.dictPut(out, key, v));
        return out;
    }

    /** jinja2.utils.Cycler. */
    static final class Cycler {
        private final List<Object> items;
        private int pos;

        Cycler(List<Object> items) { this.items = items; }

        Object attribute(String name) {
            switch (name) {
                case "current": return items.get(pos);
                case "next": return new Function("next", (a, k) -> {
                    Object rv = items.get(pos);
                    pos = (pos + 1) % items.size();
                    return rv;
                });
                case "reset": return new Function("reset", (a, k) -> { pos = 0; return null; });
                case "items": return items;
                default: return PyObjects.MISSING;
            }
        }
    }
}
