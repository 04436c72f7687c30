package dev.provtrace.text.template;

import java.util.List;

/** The template syntax tree (a subset of jinja2.nodes with the same shapes). */
interface Node {
    int line();

    // ---------------- expressions ----------------
    interface Expr extends Node {}

    record Const(Object value, int line) implements Expr {}

    record Name(String name, int line) implements Expr {}

    /** {@code ns.attr} as an assignment target. */
    record NsRef(String name, String attr, int line) implements Expr {}

    record Getattr(Expr obj, String attr, int line) implements Expr {}

    record Getitem(Expr obj, Expr key, int line) implements Expr {}

    /** A slice inside a subscript; null parts are omitted. */
    record Slice(Expr start, Expr stop, Expr step, int line) implements Expr {}

    record TupleExpr(List<Expr> items, int line) implements Expr {}

    record ListExpr(List<Expr> items, int line) implements Expr {}

    record DictExpr(List<Expr> keys, List<Expr> values, int line) implements Expr {}

    record Keyword(String name, Expr value) {}

    /** Call arguments: positional, keyword, {@code *args}, {@code **kwargs}. */
    record CallArgs(List<Expr> args, List<Keyword> kwargs, Expr dynArgs, Expr dynKwargs) {
        static final CallArgs NONE = new CallArgs(List.of(), List.of(), null, null);
    }

    record Call(Expr fn, CallArgs args, int line) implements Expr {}

    /** {@code value | name(args)}; value is null for the filter of a filter block or a block set. */
    record Filter(Expr value, String name, CallArgs args, int line) implements Expr {}

    record Test(Expr value, String name, CallArgs args, int line) implements Expr {}

    /** + - * / // % ** */
    record BinOp(String op, Expr left, Expr right, int line) implements Expr {}

    /** {@code a ~ b ~ c} */
    record Concat(List<Expr> items, int line) implements Expr {}

    /** Chained comparison: first op0 rest0 op1 rest1 ... (ops: == != < <= > >= in notin). */
    record Compare(Expr first, List<String> ops, List<Expr> rest, int line) implements Expr {}

    record And(Expr left, Expr right, int line) implements Expr {}

    record Or(Expr left, Expr right, int line) implements Expr {}

    record Not(Expr value, int line) implements Expr {}

    record Neg(Expr value, int line) implements Expr {}

    record Pos(Expr value, int line) implements Expr {}

    /** {@code then if test else otherwise}; otherwise may be null (renders undefined). */
    record CondExpr(Expr test, Expr then, Expr otherwise, int line) implements Expr {}

    // ---------------- statements ----------------
    interface Stmt extends Node {}

    record Data(String text, int line) implements Stmt {}

    record Output(Expr expr, int line) implements Stmt {}

    record If(Expr test, List<Stmt> body, List<Stmt> orElse, int line) implements Stmt {}

    record For(Expr target, Expr iter, List<Stmt> body, List<Stmt> orElse, Expr filter, boolean recursive, int line)
            implements Stmt {}

    record Assign(Expr target, Expr value, int line) implements Stmt {}

    record AssignBlock(Expr target, Filter filter, List<Stmt> body, int line) implements Stmt {}

    /** Macro definition; the flags say whether the body reads caller / varargs / kwargs. */
    record MacroDef(String name, List<String> params, List<Expr> defaults, List<Stmt> body,
                    boolean usesCaller, boolean usesVarargs, boolean usesKwargs, int line) implements Stmt {}

    /** {@code {% call(params) fn(args) %}body{% endcall %}}: body is passed as {@code caller}. */
    record CallBlock(Call call, MacroDef caller, int line) implements Stmt {}

    record FilterBlock(Filter filter, List<Stmt> body, int line) implements Stmt {}

    record With(List<Expr> targets, List<Expr> values, List<Stmt> body, int line) implements Stmt {}

    /** A body rendered in its own scope: {@code generation}, {@code block}, {@code autoescape}. */
    record Scoped(List<Stmt> body, int line) implements Stmt {}

    record Break(int line) implements Stmt {}

    record Continue(int line) implements Stmt {}
}
