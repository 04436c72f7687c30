package dev.provtrace.text.template;

import java.util.List;
import java.util.Map;

/** Binds positional and keyword arguments to a Python-style signature, with Python's TypeErrors. */
final class Args {
    private final String fn;
    private final List<Object> pos;
    private final Map<String, Object> kw;
    private final String[] names;

    Args(String fn, List<Object> pos, Map<String, Object> kw, String... names) {
        this.fn = fn;
        this.pos = pos;
        this.kw = kw;
        this.names = names;
        if (pos.size() > names.length) {
            throw TemplateException.python("TypeError", fn + "() takes at most " + names.length + " argument"
                    + (names.length == 1 ? "" : "s") + " (" + pos.size() + " given)");
        }
        for (String k : kw.keySet()) {
            int idx = List.of(names).indexOf(k);
            if (idx < 0) {
                throw TemplateException.python("TypeError", fn + "() got an unexpected keyword argument '" + k + "'");
            }
            if (idx < pos.size()) {
                throw TemplateException.python("TypeError", fn + "() got multiple values for argument '" + k + "'");
            }
        }
    }

    boolean has(int i) { return i < pos.size() || kw.containsKey(names[i]); }

    Object get(int i, Object dflt) {
        if (i < pos.size()) return pos.get(i);
        return kw.containsKey(names[i]) ? kw.get(names[i]) : dflt;
    }

    Object required(int i) {
        if (!has(i)) {
            throw TemplateException.python("TypeError", fn + "() missing required argument '" + names[i] + "'");
        }
        return get(i, null);
    }

    String string(int i, String dflt) {
        Object v = get(i, dflt);
        if (v == null) return null;
        if (!(v instanceof String)) {
            if (v instanceof Undefined) throw ((Undefined) v).fail();
            throw TemplateException.python("TypeError", fn + "() argument " + (i + 1) + " must be str, not "
                    + PyObjects.typeName(v));
        }
        return (String) v;
    }

    /** A str-or-None argument (strip chars, split sep). */
    String optString(int i) {
        Object v = get(i, null);
        return v == null ? null : string(i, null);
    }

    long integer(int i, long dflt) {
        Object v = get(i, dflt);
        return PyObjects.toIndex(v);
    }

    boolean bool(int i, boolean dflt) { return PyObjects.truthy(get(i, dflt)); }

    static void none(String fn, List<Object> pos, Map<String, Object> kw) { new Args(fn, pos, kw); }
}
