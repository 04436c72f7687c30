package dev.provtrace.text.template;

import java.util.HashMap;
import java.util.Map;

/**
 * A variable scope. Loop iterations, macro calls and caller/generation/with bodies get a fresh child scope, so a
 * {@code set} inside them never leaks out (jinja2's scoping; the reason templates use {@code namespace}).
 * {@code if} bodies share their enclosing scope.
 */
final class Scope {
    final Scope parent;
    private final Map<String, Object> vars = new HashMap<>();

    Scope(Scope parent) { this.parent = parent; }

    Object lookup(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            if (s.vars.containsKey(name)) return s.vars.get(name);
        }
        return PyObjects.MISSING;
    }

    void set(String name, Object value) { vars.put(name, value); }
}
