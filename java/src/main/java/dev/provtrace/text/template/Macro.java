package dev.provtrace.text.template;

import dev.provtrace.text.template.Node.MacroDef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A macro (or the body of a call block, passed as {@code caller}): jinja2.runtime.Macro's calling convention. */
final class Macro implements PyCallable {
    private final MacroDef def;
    private final Scope closure;
    private final Interpreter interpreter;

    Macro(MacroDef def, Scope closure, Interpreter interpreter) {
        this.def = def;
        this.closure = closure;
        this.interpreter = interpreter;
    }

    @Override
    public String name() { return def.name(); }

    @Override
    public Object call(List<Object> args, Map<String, Object> kwargsIn) {
        Map<String, Object> kwargs = new LinkedHashMap<>(kwargsIn);
        List<String> params = def.params();
        Scope scope = new Scope(closure);
        int firstDefault = params.size() - def.defaults().size();
        for (int i = 0; i < params.size(); i++) {
            String p = params.get(i);
            Object value;
            if (i < args.size()) value = args.get(i);
            else if (kwargs.containsKey(p)) value = kwargs.remove(p);
            else if (i >= firstDefault) value = interpreter.eval(def.defaults().get(i - firstDefault), scope);
            else value = Undefined.hint("parameter '" + p + "' was not provided");
            scope.set(p, value);
        }
        if (def.usesCaller()) {
            Object caller = kwargs.remove("caller");
            scope.set("caller", caller != null ? caller : Undefined.hint("No caller defined"));
        }
        if (def.usesKwargs()) {
            scope.set("kwargs", new LinkedHashMap<>(kwargs));
        } else if (!kwargs.isEmpty()) {
            String first = kwargs.keySet().iterator().next();
            if (kwargs.containsKey("caller")) {
                throw TemplateException.python("TypeError", "macro '" + def.name() + "' was invoked with two values"
                        + " for the special caller argument. This is most likely a bug.");
            }
            throw TemplateException.python("TypeError", "macro '" + def.name() + "' takes no keyword argument '"
                    + first + "'");
        }
        if (def.usesVarargs()) {
            scope.set("varargs", new PyTuple(new ArrayList<>(args.subList(Math.min(args.size(), params.size()), args.size()))));
        } else if (args.size() > params.size()) {
            throw TemplateException.python("TypeError", "macro '" + def.name() + "' takes not more than "
                    + params.size() + " argument(s)");
        }
        StringBuilder out = new StringBuilder();
        interpreter.exec(def.body(), scope, out);
        return out.toString();
    }

    Object attribute(String name) {
        switch (name) {
            case "name": return def.name();
            case "arguments": return new PyTuple(new ArrayList<>(def.params()));
            case "catch_kwargs": return def.usesKwargs();
            case "catch_varargs": return def.usesVarargs();
            case "caller": return def.usesCaller();
            default: return PyObjects.MISSING;
        }
    }
}
