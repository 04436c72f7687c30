package dev.provtrace.text.template;

import dev.provtrace.text.template.Node.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Executes a parsed template: statements write to a StringBuilder, expressions evaluate to Python-like values. */
final class Interpreter {
    enum Flow { NORMAL, BREAK, CONTINUE }

    private static final Object NOT_FOLDED = new Object();
    /** Expressions jinja2 would fold at compile time in a way that matters (constant, with a slice inside). */
    private final Map<Expr, Boolean> foldable = new java.util.IdentityHashMap<>();
    private boolean folding;

    Flow exec(List<Stmt> body, Scope scope, StringBuilder out) {
        for (Stmt s : body) {
            Flow f;
            try {
                f = exec(s, scope, out);
            } catch (TemplateException e) {
                throw e.atLine(s.line());
            }
            if (f != Flow.NORMAL) return f;
        }
        return Flow.NORMAL;
    }

    private Flow exec(Stmt s, Scope scope, StringBuilder out) {
        if (s instanceof Data) {
            out.append(((Data) s).text());
        } else if (s instanceof Output) {
            Expr e = ((Output) s).expr();
            // the code generator evaluates a constant {{ }} expression at compile time, whatever its value
            Object folded = isFoldable(e) ? fold(e, scope) : NOT_FOLDED;
            out.append(PyObjects.str(folded != NOT_FOLDED ? folded : eval(e, scope)));
        } else if (s instanceof If) {
            If f = (If) s;
            return exec(PyObjects.truthy(eval(f.test(), scope)) ? f.body() : f.orElse(), scope, out);
        } else if (s instanceof For) {
            For f = (For) s;
            loop(f, eval(f.iter(), scope), scope, out, 0);
        } else if (s instanceof Assign) {
            Assign a = (Assign) s;
            assign(a.target(), eval(a.value(), scope), scope);
        } else if (s instanceof AssignBlock) {
            AssignBlock a = (AssignBlock) s;
            StringBuilder body = new StringBuilder();
            exec(a.body(), new Scope(scope), body);
            Object value = body.toString();
            if (a.filter() != null) value = applyFilter(a.filter(), value, scope);
            assign(a.target(), value, scope);
        } else if (s instanceof MacroDef) {
            MacroDef m = (MacroDef) s;
            scope.set(m.name(), new Macro(m, scope, this));
        } else if (s instanceof CallBlock) {
            CallBlock c = (CallBlock) s;
            Macro caller = new Macro(c.caller(), scope, this);
            out.append(PyObjects.str(call(c.call(), scope, caller)));
        } else if (s instanceof FilterBlock) {
            FilterBlock f = (FilterBlock) s;
            StringBuilder body = new StringBuilder();
            exec(f.body(), new Scope(scope), body);
            out.append(PyObjects.str(applyFilter(f.filter(), body.toString(), scope)));
        } else if (s instanceof With) {
            With w = (With) s;
            List<Object> values = new ArrayList<>();
            for (Expr e : w.values()) values.add(eval(e, scope));
            Scope inner = new Scope(scope);
            for (int i = 0; i < values.size(); i++) assign(w.targets().get(i), values.get(i), inner);
            return exec(w.body(), inner, out);
        } else if (s instanceof Scoped) {
            exec(((Scoped) s).body(), new Scope(scope), out);
        } else if (s instanceof Break) {
            return Flow.BREAK;
        } else if (s instanceof Continue) {
            return Flow.CONTINUE;
        } else {
            throw new IllegalStateException("unknown statement " + s);
        }
        return Flow.NORMAL;
    }

    /** A for loop: each iteration runs in a fresh child scope; else runs when nothing was iterated. */
    private void loop(For f, Object iterable, Scope scope, StringBuilder out, int depth0) {
        List<Object> items = new ArrayList<>(PyObjects.iterate(iterable));
        if (f.filter() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                Scope s = new Scope(scope);
                assign(f.target(), item, s);
                if (PyObjects.truthy(eval(f.filter(), s))) kept.add(item);
            }
            items = kept;
        }
        LoopContext ctx = new LoopContext(items, depth0, !f.recursive() ? null : it -> {
            StringBuilder sb = new StringBuilder();
            loop(f, it, scope, sb, depth0 + 1);
            return sb.toString();
        });
        for (int i = 0; i < items.size(); i++) {
            Scope s = new Scope(scope);
            assign(f.target(), items.get(i), s);
            ctx.index0 = i;
            s.set("loop", ctx);
            if (exec(f.body(), s, out) == Flow.BREAK) break;
        }
        if (items.isEmpty()) exec(f.orElse(), new Scope(scope), out);
    }

    private void assign(Expr target, Object value, Scope scope) {
        if (target instanceof Name) {
            scope.set(((Name) target).name(), value);
        } else if (target instanceof NsRef) {
            NsRef r = (NsRef) target;
            Object ns = scope.lookup(r.name());
            if (!(ns instanceof Namespace)) {
                throw new TemplateException("TemplateRuntimeError", "cannot assign attribute on non-namespace object",
                        r.line());
            }
            ((Namespace) ns).attrs.put(r.attr(), value);
        } else {
            List<Expr> targets = ((TupleExpr) target).items();
            List<Object> values = PyObjects.iterate(value);
            if (values.size() > targets.size()) {
                throw TemplateException.python("ValueError", "too many values to unpack (expected " + targets.size() + ")");
            }
            if (values.size() < targets.size()) {
                throw TemplateException.python("ValueError", "not enough values to unpack (expected " + targets.size()
                        + ", got " + values.size() + ")");
            }
            for (int i = 0; i < targets.size(); i++) assign(targets.get(i), values.get(i), scope);
        }
    }

    // ---------------- expressions ----------------

    private boolean isFoldable(Expr e) {
        return !folding && foldable.computeIfAbsent(e, Folding::containsSlice);
    }

    /** jinja2's as_const: the value, or NOT_FOLDED where compile-time evaluation raises (Impossible). */
    private Object fold(Expr e, Scope scope) {
        folding = true;
        try {
            return evalInner(e, scope);
        } catch (TemplateException | Folding.Impossible ex) {
            return NOT_FOLDED;
        } finally {
            folding = false;
        }
    }

    Object eval(Expr e, Scope scope) {
        try {
            if (isFoldable(e)) {
                Object v = fold(e, scope);
                if (v != NOT_FOLDED && Folding.hasSafeRepr(v)) return v;
            }
            return evalInner(e, scope);
        } catch (TemplateException ex) {
            throw ex.atLine(e.line());
        }
    }

    private Object evalInner(Expr e, Scope scope) {
        if (e instanceof Const) return ((Const) e).value();
        if (folding && (e instanceof Name || e instanceof Call || e instanceof NsRef
                || (e instanceof Filter && Folding.CONTEXT_FILTERS.contains(((Filter) e).name())))) {
            throw Folding.Impossible.INSTANCE;
        }
        if (folding && (e instanceof Name || e instanceof Call || e instanceof NsRef
                || (e instanceof Filter && Folding.CONTEXT_FILTERS.contains(((Filter) e).name())))) {
            throw Folding.Impossible.INSTANCE;
        }
        if (e instanceof Name) {
            String name = ((Name) e).name();
            Object v = scope.lookup(name);
            return v == PyObjects.MISSING ? Undefined.name(name) : v;
        }
        if (e instanceof Getattr) {
            Getattr g = (Getattr) e;
            return PyObjects.getattr(eval(g.obj(), scope), g.attr());
        }
        if (e instanceof Getitem) {
            Getitem g = (Getitem) e;
            Object obj = eval(g.obj(), scope);
            Object key;
            if (g.key() instanceof Slice) {
                Slice sl = (Slice) g.key();
                PySlice slice = new PySlice(evalOpt(sl.start(), scope), evalOpt(sl.stop(), scope), evalOpt(sl.step(), scope));
                // jinja2 folds constant subscripts at compile time through the sandbox's getitem (errors become
                // undefined); at run time a slice is a plain Python subscript
                return folding ? PyObjects.getitem(obj, slice) : PyObjects.slice(obj, slice);
            } else {
                key = eval(g.key(), scope);
            }
            return PyObjects.getitem(obj, key);
        }
        if (e instanceof TupleExpr) {
            List<Object> items = new ArrayList<>();
            for (Expr x : ((TupleExpr) e).items()) items.add(eval(x, scope));
            return new PyTuple(items);
        }
        if (e instanceof ListExpr) {
            List<Object> items = new ArrayList<>();
            for (Expr x : ((ListExpr) e).items()) items.add(eval(x, scope));
            return items;
        }
        if (e instanceof DictExpr) {
            DictExpr d = (DictExpr) e;
            Map<Object, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < d.keys().size(); i++) {
                Object k = eval(d.keys().get(i), scope);
                PyObjects.dictPut(m, k, eval(d.values().get(i), scope));
            }
            return m;
        }
        if (e instanceof Call) return call((Call) e, scope, null);
        if (e instanceof Filter) {
            Filter f = (Filter) e;
            return applyFilter(f, eval(f.value(), scope), scope);
        }
        if (e instanceof Test) {
            Test t = (Test) e;
            Object v = eval(t.value(), scope);
            List<Object> args = new ArrayList<>();
            Map<String, Object> kwargs = new LinkedHashMap<>();
            evalArgs(t.args(), scope, args, kwargs);
            return Tests.apply(t.name(), v, args, kwargs);
        }
        if (e instanceof BinOp) {
            BinOp b = (BinOp) e;
            Object left = eval(b.left(), scope);
            return Operators.binary(b.op(), left, eval(b.right(), scope));
        }
        if (e instanceof Concat) {
            StringBuilder sb = new StringBuilder();
            for (Expr x : ((Concat) e).items()) sb.append(PyObjects.str(eval(x, scope)));
            return sb.toString();
        }
        if (e instanceof Compare) {
            Compare c = (Compare) e;
            Object left = eval(c.first(), scope);
            for (int i = 0; i < c.ops().size(); i++) {
                Object right = eval(c.rest().get(i), scope);
                if (!compare(c.ops().get(i), left, right)) return false;
                left = right;
            }
            return true;
        }
        if (e instanceof And) {
            Object left = eval(((And) e).left(), scope);
            return !PyObjects.truthy(left) ? left : eval(((And) e).right(), scope);
        }
        if (e instanceof Or) {
            Object left = eval(((Or) e).left(), scope);
            return PyObjects.truthy(left) ? left : eval(((Or) e).right(), scope);
        }
        if (e instanceof Not) return !PyObjects.truthy(eval(((Not) e).value(), scope));
        if (e instanceof Neg) return Operators.neg(eval(((Neg) e).value(), scope));
        if (e instanceof Pos) return Operators.pos(eval(((Pos) e).value(), scope));
        if (e instanceof CondExpr) {
            CondExpr c = (CondExpr) e;
            if (PyObjects.truthy(eval(c.test(), scope))) return eval(c.then(), scope);
            if (c.otherwise() != null) return eval(c.otherwise(), scope);
            return Undefined.hint("the inline if-expression on line " + c.line()
                    + " evaluated to false and no else section was defined.");
        }
        if (e instanceof Slice) throw TemplateException.syntax("slice outside a subscript", e.line());
        if (e instanceof NsRef) throw TemplateException.syntax("namespace reference outside an assignment", e.line());
        throw new IllegalStateException("unknown expression " + e);
    }

    private Object evalOpt(Expr e, Scope scope) { return e == null ? null : eval(e, scope); }

    private static boolean compare(String op, Object a, Object b) {
        switch (op) {
            case "==": return PyObjects.pyEquals(a, b);
            case "!=": return !PyObjects.pyEquals(a, b);
            case "in": return PyObjects.contains(b, a);
            case "notin": return !PyObjects.contains(b, a);
            default: return PyObjects.compare(op, a, b);
        }
    }

    private void evalArgs(CallArgs a, Scope scope, List<Object> args, Map<String, Object> kwargs) {
        for (Expr x : a.args()) args.add(eval(x, scope));
        for (Keyword k : a.kwargs()) kwargs.put(k.name(), eval(k.value(), scope));
        if (a.dynArgs() != null) args.addAll(PyObjects.iterate(eval(a.dynArgs(), scope)));
        if (a.dynKwargs() != null) {
            Object m = eval(a.dynKwargs(), scope);
            if (!(m instanceof Map)) {
                throw TemplateException.python("TypeError", "argument after ** must be a mapping, not "
                        + PyObjects.typeName(m));
            }
            for (Map.Entry<?, ?> en : ((Map<?, ?>) m).entrySet()) {
                if (!(en.getKey() instanceof String)) {
                    throw TemplateException.python("TypeError", "keywords must be strings");
                }
                kwargs.put((String) en.getKey(), en.getValue());
            }
        }
    }

    private Object call(Call c, Scope scope, Macro caller) {
        Object fn = eval(c.fn(), scope);
        List<Object> args = new ArrayList<>();
        Map<String, Object> kwargs = new LinkedHashMap<>();
        evalArgs(c.args(), scope, args, kwargs);
        if (caller != null) kwargs.put("caller", caller);
        return PyObjects.call(fn, args, kwargs);
    }

    private Object applyFilter(Filter f, Object value, Scope scope) {
        List<Object> args = new ArrayList<>();
        Map<String, Object> kwargs = new LinkedHashMap<>();
        evalArgs(f.args(), scope, args, kwargs);
        return Filters.apply(f.name(), value, args, kwargs);
    }
}
