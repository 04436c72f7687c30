package dev.provtrace.text.template;

import dev.provtrace.text.template.Node.*;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Compile-time checks jinja2 makes when it generates Python code: unknown filters and tests
 * ("No filter named 'x'."), and {@code break}/{@code continue} outside a loop (a Python SyntaxError there; macro,
 * call and generation bodies are functions, so a loop around them does not count).
 */
final class Validator {
    private Validator() {}

    static void check(List<Stmt> body) {
        for (Stmt s : body) visit(s, 0);
    }

    private static void visit(Node n, int loopDepth) {
        if (n == null) return;
        if (n instanceof Break || n instanceof Continue) {
            if (loopDepth == 0) {
                throw new TemplateException("SyntaxError",
                        n instanceof Break ? "'break' outside loop" : "'continue' not properly in loop", n.line());
            }
            return;
        }
        if (n instanceof Filter) {
            Filter f = (Filter) n;
            if (Filters.NOT_IMPLEMENTED.contains(f.name())) {
                throw new TemplateException("TemplateAssertionError", "The jinja2 filter '" + f.name()
                        + "' is not implemented by this renderer.", f.line());
            }
            if (!Filters.exists(f.name())) {
                throw new TemplateException("TemplateAssertionError", "No filter named '" + f.name() + "'.", f.line());
            }
        }
        if (n instanceof Test) {
            Test t = (Test) n;
            if (!Tests.exists(t.name())) {
                throw new TemplateException("TemplateAssertionError", "No test named '" + t.name() + "'.", t.line());
            }
        }
        if (n instanceof If && ((If) n).test() instanceof Const) {
            // jinja2's optimizer drops the branch a constant test never takes, unknown filters in it included
            If f = (If) n;
            boolean taken = PyObjects.truthy(((Const) f.test()).value());
            for (Stmt s : taken ? f.body() : f.orElse()) visit(s, loopDepth);
            return;
        }
        if (n instanceof For) {
            For f = (For) n;
            visit(f.target(), loopDepth);
            visit(f.iter(), loopDepth);
            visit(f.filter(), loopDepth);
            for (Stmt s : f.body()) visit(s, loopDepth + 1);
            for (Stmt s : f.orElse()) visit(s, loopDepth);
            return;
        }
        int inner = n instanceof MacroDef || n instanceof Scoped ? 0 : loopDepth;
        for (Node c : children(n)) visit(c, inner);
    }

    /** The names a body reads (jinja2's find_undeclared for caller / varargs / kwargs). */
    static Set<String> namesLoaded(List<Stmt> body) {
        Set<String> out = new HashSet<>();
        List<Node> stack = new ArrayList<>(body);
        while (!stack.isEmpty()) {
            Node n = stack.remove(stack.size() - 1);
            if (n == null) continue;
            if (n instanceof Name) out.add(((Name) n).name());
            stack.addAll(children(n));
        }
        return out;
    }

    private static void addArgs(List<Node> out, CallArgs a) {
        out.addAll(a.args());
        for (Keyword k : a.kwargs()) out.add(k.value());
        if (a.dynArgs() != null) out.add(a.dynArgs());
        if (a.dynKwargs() != null) out.add(a.dynKwargs());
    }

    static List<Node> children(Node n) {
        List<Node> out = new ArrayList<>();
        if (n instanceof Getattr) out.add(((Getattr) n).obj());
        else if (n instanceof Getitem) { out.add(((Getitem) n).obj()); out.add(((Getitem) n).key()); }
        else if (n instanceof Slice) {
            Slice s = (Slice) n;
            out.add(s.start()); out.add(s.stop()); out.add(s.step());
        } else if (n instanceof TupleExpr) out.addAll(((TupleExpr) n).items());
        else if (n instanceof ListExpr) out.addAll(((ListExpr) n).items());
        else if (n instanceof DictExpr) { out.addAll(((DictExpr) n).keys()); out.addAll(((DictExpr) n).values()); }
        else if (n instanceof Call) { out.add(((Call) n).fn()); addArgs(out, ((Call) n).args()); }
        else if (n instanceof Filter) { out.add(((Filter) n).value()); addArgs(out, ((Filter) n).args()); }
        else if (n instanceof Test) { out.add(((Test) n).value()); addArgs(out, ((Test) n).args()); }
        else if (n instanceof BinOp) { out.add(((BinOp) n).left()); out.add(((BinOp) n).right()); }
        else if (n instanceof Concat) out.addAll(((Concat) n).items());
        else if (n instanceof Compare) { out.add(((Compare) n).first()); out.addAll(((Compare) n).rest()); }
        else if (n instanceof And) { out.add(((And) n).left()); out.add(((And) n).right()); }
        else if (n instanceof Or) { out.add(((Or) n).left()); out.add(((Or) n).right()); }
        else if (n instanceof Not) out.add(((Not) n).value());
        else if (n instanceof Neg) out.add(((Neg) n).value());
        else if (n instanceof Pos) out.add(((Pos) n).value());
        else if (n instanceof CondExpr) {
            CondExpr c = (CondExpr) n;
            out.add(c.test()); out.add(c.then()); out.add(c.otherwise());
        } else if (n instanceof Output) out.add(((Output) n).expr());
        else if (n instanceof If) {
            If f = (If) n;
            out.add(f.test()); out.addAll(f.body()); out.addAll(f.orElse());
        } else if (n instanceof For) {
            For f = (For) n;
            out.add(f.target()); out.add(f.iter()); out.add(f.filter()); out.addAll(f.body()); out.addAll(f.orElse());
        } else if (n instanceof Assign) { out.add(((Assign) n).target()); out.add(((Assign) n).value()); }
        else if (n instanceof AssignBlock) {
            AssignBlock a = (AssignBlock) n;
            out.add(a.filter()); out.addAll(a.body());
        } else if (n instanceof MacroDef) {
            MacroDef m = (MacroDef) n;
            out.addAll(m.defaults()); out.addAll(m.body());
        } else if (n instanceof CallBlock) { out.add(((CallBlock) n).call()); out.add(((CallBlock) n).caller()); }
        else if (n instanceof FilterBlock) { out.add(((FilterBlock) n).filter()); out.addAll(((FilterBlock) n).body()); }
        else if (n instanceof With) {
            With w = (With) n;
            out.addAll(w.values()); out.addAll(w.body());
        } else if (n instanceof Scoped) out.addAll(((Scoped) n).body());
        return out;
    }
}
