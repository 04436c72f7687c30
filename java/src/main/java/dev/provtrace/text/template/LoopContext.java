package dev.provtrace.text.template;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The {@code loop} variable of a for loop (jinja2.runtime.LoopContext). */
final class LoopContext implements PyCallable {
    private final List<Object> items;
    private final int depth0;
    private final Function<Object, String> recurse;
    int index0;
    private Object lastChanged = PyObjects.MISSING;

    LoopContext(List<Object> items, int depth0, Function<Object, String> recurse) {
        this.items = items;
        this.depth0 = depth0;
        this.recurse = recurse;
    }

    long length() { return items.size(); }

    List<Object> remaining() { return items.subList(Math.min(items.size(), index0 + 1), items.size()); }

    @Override
    public String name() { return "loop"; }

    /** {@code loop(children)} in a recursive loop renders the loop body over children, one level deeper. */
    @Override
    public Object call(List<Object> args, Map<String, Object> kwargs) {
        if (recurse == null) {
            throw TemplateException.python("TypeError",
                    "The loop must have the 'recursive' marker to be called recursively.");
        }
        Object it = new Args("loop", args, kwargs, "iterable").required(0);
        return recurse.apply(it);
    }

    Object attribute(String name) {
        int n = items.size();
        switch (name) {
            case "index": return (long) index0 + 1;
            case "index0": return (long) index0;
            case "revindex": return (long) (n - index0);
            case "revindex0": return (long) (n - index0 - 1);
            case "first": return index0 == 0;
            case "last": return index0 == n - 1;
            case "length": return (long) n;
            case "depth": return (long) depth0 + 1;
            case "depth0": return (long) depth0;
            case "previtem": return index0 > 0 ? items.get(index0 - 1) : Undefined.hint("there is no previous item");
            case "nextitem": return index0 + 1 < n ? items.get(index0 + 1) : Undefined.hint("there is no next item");
            case "cycle": return new PyCallable() {
                @Override
                public Object call(List<Object> args, Map<String, Object> kwargs) {
                    if (args.isEmpty()) throw TemplateException.python("TypeError", "no items for cycling given");
                    return args.get(index0 % args.size());
                }

                @Override
                public String name() { return "cycle"; }
            };
            case "changed": return new PyCallable() {
                @Override
                public Object call(List<Object> args, Map<String, Object> kwargs) {
                    Object value = new PyTuple(new java.util.ArrayList<>(args));
                    if (lastChanged == PyObjects.MISSING || !PyObjects.pyEquals(lastChanged, value)) {
                        lastChanged = value;
                        return true;
                    }
                    return false;
                }

                @Override
                public String name() { return "changed"; }
            };
            default: return PyObjects.MISSING;
        }
    }

    @Override
    public String toString() { return "<LoopContext " + (index0 + 1) + "/" + items.size() + ">"; }
}
