package dev.provtrace.text.template;

import java.util.List;
import java.util.Map;

/** Anything a template may call: globals, bound str/dict/list methods, macros, loop helpers. */
interface PyCallable {
    Object call(List<Object> args, Map<String, Object> kwargs);

    /** The name for messages and repr. */
    String name();
}
