/**
 * Hugging Face chat templates, rendered exactly as transformers renders them.
 *
 * <p>{@link dev.provtrace.text.template.ChatTemplate} is the entry point (load a model folder or a template string,
 * render a conversation). Underneath is a small Jinja2 engine written for this project, because the output must
 * equal transformers' byte for byte and Java Jinja ports differ from jinja2 on what chat templates use
 * (namespace(...) with arguments, {@code [::-1]}, Python str methods, Python str()/repr() of values).
 *
 * <p>Design, one file per concern:
 * <ul>
 *   <li>{@code Lexer} / {@code Token}: jinja2's lexer rules with the chat-template environment's settings
 *       (trim_blocks, lstrip_blocks, whitespace control signs, comments, raw, newline normalisation, one trailing
 *       newline dropped).</li>
 *   <li>{@code Parser} / {@code Node}: jinja2's recursive-descent grammar and precedence (filters bind tighter than
 *       arithmetic, {@code ~} between + and *, chained comparisons, tests with one bare argument...) into records;
 *       {@code Validator} makes jinja2's compile-time checks (unknown filters/tests, break outside a loop).</li>
 *   <li>{@code Interpreter} / {@code Scope} / {@code Macro} / {@code LoopContext}: execution with jinja2's scoping
 *       (a fresh scope per loop iteration, macro call, call/generation/with body; {@code if} shares its scope);
 *       {@code Folding} reproduces the one visible effect of jinja2's compile-time constant folding.</li>
 *   <li>{@code PyObjects}, {@code Operators}, {@code PyStr}, {@code PyFormat}: Python value semantics — None /
 *       bool / arbitrary-precision int / float (Python repr) / str (code points, Unicode whitespace) / list / tuple /
 *       dict (insertion order) / range / dict views / one-shot iterators (what select, map... return);
 *       truthiness, equality, ordering, arithmetic, {@code in}, slicing, {@code %} and {@code str.format}.</li>
 *   <li>{@code Undefined}, {@code Methods}: jinja2's default Undefined and the ImmutableSandboxedEnvironment's
 *       attribute/item lookup (mutating methods such as {@code append} are refused with SecurityError).</li>
 *   <li>{@code Filters}, {@code Tests}, {@code Globals}, {@code JsonDumps}, {@code Strftime}: jinja2's built-ins,
 *       transformers' {@code tojson} (json.dumps), {@code raise_exception} and {@code strftime_now}.</li>
 * </ul>
 *
 * <p>Not implemented (no chat template we know needs them): template inheritance and loading
 * (extends/include/import), autoescaping (the environment has it off) and Markup semantics ({@code escape}
 * returns a plain str), set operations on dict views ({@code d.keys() - x}), the filters filesizeformat, groupby,
 * pprint, random, striptags, urlencode, urlize, wordwrap and xmlattr, and lipsum(). Where Python prints an object
 * address ({@code <generator object ... at 0x...>}) the address is left out.
 */
package dev.provtrace.text.template;
