package dev.provtrace.text.template;

import dev.provtrace.text.template.Node.Stmt;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;

/** A compiled template in transformers' chat-template environment. */
final class Template {
    private final List<Stmt> body;

    private Template(List<Stmt> body) { this.body = body; }

    /** Parses and checks the template; syntax errors are TemplateExceptions with the line. */
    static Template compile(String source) { return new Template(Parser.parse(source)); }

    /** Renders with the given variables (already converted by {@link Values}) and strftime_now's clock. */
    String render(Map<String, Object> variables, LocalDateTime now) {
        Scope globals = new Scope(null);
        Globals.create(now).forEach(globals::set);
        variables.forEach(globals::set);
        Scope top = new Scope(globals);
        StringBuilder out = new StringBuilder();
        try {
            new Interpreter().exec(body, top, out);
        } catch (StackOverflowError e) {
            throw TemplateException.python("RecursionError", "maximum recursion depth exceeded");
        }
        return out.toString();
    }
}
