package dev.provtrace.text.template;

import java.util.List;

/** A Python tuple (immutable, repr with parentheses, never equal to a list). */
record PyTuple(List<Object> items) {
    static PyTuple of(Object... items) { return new PyTuple(java.util.Arrays.asList(items)); }
}
