package dev.provtrace.text.template;

import java.util.LinkedHashMap;
import java.util.Map;

/** jinja2's {@code namespace(...)}: the one object whose attributes a template may assign ({@code set ns.x = ...}). */
final class Namespace {
    final Map<String, Object> attrs = new LinkedHashMap<>();

    @Override
    public String toString() { return "<Namespace " + PyObjects.repr(attrs) + ">"; }
}
