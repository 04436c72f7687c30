package dev.provtrace.text.template;

import dev.provtrace.text.template.Node.*;

import java.util.Set;

/**
 * jinja2's constant folding ({@code as_const}): the optimizer evaluates at compile time every expression that does
 * not read a variable or call a function (short-circuits included: {@code false and x} folds), and keeps the value
 * when it has a "safe repr"; the code generator also evaluates a whole constant {@code {{ }}} expression. Folding
 * changes one observable thing: a slice evaluated at compile time goes through the sandbox's getitem (a failing
 * slice becomes undefined) whereas at run time it is a plain Python subscript. The Interpreter therefore folds, the
 * same way, the expressions that contain a slice.
 */
final class Folding {
    private Folding() {}

    /** Filters marked pass_context in jinja2, which the optimizer never folds. */
    static final Set<String> CONTEXT_FILTERS = Set.of("map", "select", "reject", "selectattr", "rejectattr");

    /** Thrown while folding when a node has no compile-time value (jinja2's Impossible). */
    static final class Impossible extends RuntimeException {
        static final Impossible INSTANCE = new Impossible();

        private Impossible() { super(null, null, false, false); }
    }

    /** jinja2.compiler.has_safe_repr: values the optimizer may write back into the code as constants. */
    static boolean hasSafeRepr(Object v) {
        if (v == null || v instanceof Boolean || v instanceof Long || v instanceof java.math.BigInteger
                || v instanceof Double || v instanceof String || v instanceof PyRange) {
            return true;
        }
        if (v instanceof java.util.List) return ((java.util.List<?>) v).stream().allMatch(Folding::hasSafeRepr);
        if (v instanceof PyTuple) return ((PyTuple) v).items().stream().allMatch(Folding::hasSafeRepr);
        if (v instanceof java.util.Map) {
            return ((java.util.Map<?, ?>) v).entrySet().stream()
                    .allMatch(en -> hasSafeRepr(en.getKey()) && hasSafeRepr(en.getValue()));
        }
        return false;
    }

    /** True when a slice occurs in e (only then can folding change the result). */
    static boolean containsSlice(Node e) {
        if (e instanceof Slice) return true;
        for (Node c : Validator.children(e)) if (c != null && containsSlice(c)) return true;
        return false;
    }
}
