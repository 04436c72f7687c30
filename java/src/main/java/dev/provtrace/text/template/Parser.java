package dev.provtrace.text.template;

import dev.provtrace.text.template.Node.*;
import dev.provtrace.text.template.Token.Kind;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/** A recursive-descent parser following jinja2.parser.Parser (3.1) rule for rule, precedence included. */
final class Parser {
    private static final Set<String> COMPARE_OPS = Set.of("==", "!=", "<", "<=", ">", ">=");
    private static final Set<String> MATH2_OPS = Set.of("*", "/", "//", "%");

    private final List<Token> tokens;
    private int i;
    private final Deque<String> tagStack = new ArrayDeque<>();
    private final Deque<List<String>> endTokenStack = new ArrayDeque<>();

    private Parser(List<Token> tokens) { this.tokens = tokens; }

    static List<Stmt> parse(String source) {
        Parser p = new Parser(Lexer.tokenize(source));
        List<Stmt> body = p.subparse(null);
        Validator.check(body);
        return body;
    }

    // ---------------- token stream ----------------

    private Token cur() { return tokens.get(i); }

    private Token look() { return tokens.get(Math.min(i + 1, tokens.size() - 1)); }

    private Token next() {
        Token t = tokens.get(i);
        if (i < tokens.size() - 1) i++;
        return t;
    }

    private TemplateException fail(String msg, int line) { return TemplateException.syntax(msg, line); }

    private Token expect(Kind kind) {
        Token t = cur();
        if (!t.is(kind)) {
            if (t.is(Kind.EOF)) throw fail("unexpected end of template, expected '" + kindName(kind) + "'.", t.line());
            throw fail("expected token '" + kindName(kind) + "', got '" + t.describe() + "'", t.line());
        }
        return next();
    }

    private Token expectOp(String op) {
        Token t = cur();
        if (!t.isOp(op)) {
            if (t.is(Kind.EOF)) throw fail("unexpected end of template, expected '" + op + "'.", t.line());
            throw fail("expected token '" + op + "', got '" + t.describe() + "'", t.line());
        }
        return next();
    }

    private Token expectName(String name) {
        Token t = cur();
        if (!t.isName(name)) {
            if (t.is(Kind.EOF)) throw fail("unexpected end of template, expected '" + name + "'.", t.line());
            throw fail("expected token '" + name + "', got '" + t.describe() + "'", t.line());
        }
        return next();
    }

    private static String kindName(Kind k) {
        switch (k) {
            case NAME: return "name";
            case BLOCK_END: return "end of statement block";
            case VARIABLE_END: return "end of print statement";
            default: return k.name().toLowerCase();
        }
    }

    private boolean skipName(String name) {
        if (cur().isName(name)) { next(); return true; }
        return false;
    }

    private boolean skipOp(String op) {
        if (cur().isOp(op)) { next(); return true; }
        return false;
    }

    // ---------------- statements ----------------

    /** Parses until one of endTokens (names, checked right after a block begin) or the end of the template. */
    private List<Stmt> subparse(List<String> endTokens) {
        if (endTokens != null) endTokenStack.push(endTokens);
        try {
            return subparseBody(endTokens);
        } finally {
            if (endTokens != null) endTokenStack.pop();
        }
    }

    private List<Stmt> subparseBody(List<String> endTokens) {
        List<Stmt> body = new ArrayList<>();
        while (true) {
            Token t = cur();
            switch (t.kind()) {
                case DATA:
                    next();
                    body.add(new Data((String) t.value(), t.line()));
                    break;
                case VARIABLE_BEGIN: {
                    next();
                    Expr e = parseTuple(true, false, null, false);
                    expect(Kind.VARIABLE_END);
                    body.add(new Output(e, t.line()));
                    break;
                }
                case BLOCK_BEGIN: {
                    next();
                    if (endTokens != null && cur().is(Kind.NAME) && endTokens.contains((String) cur().value())) {
                        return body;
                    }
                    body.add(parseStatement());
                    expect(Kind.BLOCK_END);
                    break;
                }
                case EOF:
                    if (endTokens != null) failEof(endTokens, t.line());
                    return body;
                default:
                    throw fail("unexpected " + t.describe(), t.line());
            }
        }
    }

    private void failEof(List<String> endTokens, int line) {
        endTokenStack.push(endTokens);
        try {
            throw unknownTagOrEof(null, line);
        } finally {
            endTokenStack.pop();
        }
    }

    /** jinja2's _fail_ut_eof: what the parser was looking for, and the innermost open block. */
    private TemplateException unknownTagOrEof(String name, int line) {
        java.util.Set<String> expected = new java.util.HashSet<>();
        for (List<String> exprs : endTokenStack) expected.addAll(exprs);
        String looking = endTokenStack.isEmpty() ? null
                : String.join(" or ", endTokenStack.peek().stream().map(x -> "'" + x + "'").toList());
        StringBuilder msg = new StringBuilder(name == null ? "Unexpected end of template."
                : "Encountered unknown tag '" + name + "'.");
        if (looking != null) {
            if (name != null && expected.contains(name)) {
                msg.append(" You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for ")
                        .append(looking).append('.');
            } else {
                msg.append(" Jinja was looking for the following tags: ").append(looking).append('.');
            }
        }
        if (!tagStack.isEmpty()) {
            msg.append(" The innermost block that needs to be closed is '").append(tagStack.peek()).append("'.");
        }
        return fail(msg.toString(), line);
    }

    private List<Stmt> parseStatements(List<String> endTokens, boolean dropNeedle) {
        skipOp(":"); // jinja2 allows "{% for x in y: %}"
        expect(Kind.BLOCK_END);
        List<Stmt> body = subparse(endTokens);
        if (cur().is(Kind.EOF)) failEof(endTokens, cur().line());
        if (dropNeedle) next();
        return body;
    }

    private Stmt parseStatement() {
        Token t = cur();
        if (!t.is(Kind.NAME)) throw fail("tag name expected", t.line());
        String name = (String) t.value();
        tagStack.push(name);
        boolean pop = true;
        try {
            switch (name) {
                case "for": return parseFor();
                case "if": return parseIf();
                case "set": return parseSet();
                case "macro": return parseMacro();
                case "call": return parseCallBlock();
                case "filter": return parseFilterBlock();
                case "with": return parseWith();
                case "print": return parsePrint();
                case "block": return parseBlock();
                case "autoescape": {
                    next();
                    parseExpression(true); // the flag: autoescaping stays off
                    return new Scoped(parseStatements(List.of("endautoescape"), true), t.line());
                }
                case "generation": {
                    next();
                    return new Scoped(parseStatements(List.of("endgeneration"), true), t.line());
                }
                case "break": next(); return new Break(t.line());
                case "continue": next(); return new Continue(t.line());
                case "extends": case "include": case "import": case "from":
                    throw new TemplateException("TemplateRuntimeError",
                            "'" + name + "' needs a template loader, which chat templates do not have", t.line());
                default:
                    tagStack.pop();
                    pop = false;
                    throw unknownTagOrEof(name, t.line());
            }
        } finally {
            if (pop) tagStack.pop();
        }
    }

    private Stmt parseFor() {
        int line = expectName("for").line();
        Expr target = parseAssignTarget(true, false, List.of("in"), false);
        expectName("in");
        Expr iter = parseTuple(false, false, List.of("recursive"), false);
        Expr filter = null;
        if (skipName("if")) filter = parseExpression(true);
        boolean recursive = skipName("recursive");
        List<Stmt> body = parseStatements(List.of("endfor", "else"), false);
        List<Stmt> orElse = List.of();
        if (!next().value().equals("endfor")) orElse = parseStatements(List.of("endfor"), true);
        return new For(target, iter, body, orElse, filter, recursive, line);
    }

    private Stmt parseIf() {
        return parseIfRest(expectName("if").line());
    }

    /** The test and bodies after 'if' or 'elif'; an elif chain nests in the else branch and shares the endif. */
    private If parseIfRest(int line) {
        Expr test = parseTuple(false, false, null, false);
        List<Stmt> body = parseStatements(List.of("elif", "else", "endif"), false);
        Token t = next();
        List<Stmt> orElse = List.of();
        if (t.isName("elif")) orElse = List.of(parseIfRest(t.line()));
        else if (t.isName("else")) orElse = parseStatements(List.of("endif"), true);
        return new If(test, body, orElse, line);
    }

    private Stmt parseSet() {
        int line = next().line();
        Expr target = parseAssignTarget(true, false, null, true);
        if (skipOp("=")) {
            Expr value = parseTuple(true, false, null, false);
            return new Assign(target, value, line);
        }
        Filter filter = cur().isOp("|") ? (Filter) parseFilter(null, false) : null;
        List<Stmt> body = parseStatements(List.of("endset"), true);
        return new AssignBlock(target, filter, body, line);
    }

    private MacroDef parseMacro() {
        int line = next().line();
        Token nameTok = expect(Kind.NAME);
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        parseSignature(params, defaults);
        List<Stmt> body = parseStatements(List.of("endmacro"), true);
        return macro((String) nameTok.value(), params, defaults, body, line);
    }

    private static MacroDef macro(String name, List<String> params, List<Expr> defaults, List<Stmt> body, int line) {
        Set<String> used = Validator.namesLoaded(body);
        return new MacroDef(name, params, defaults, body,
                used.contains("caller"), used.contains("varargs"), used.contains("kwargs"), line);
    }

    private void parseSignature(List<String> params, List<Expr> defaults) {
        expectOp("(");
        while (!cur().isOp(")")) {
            if (!params.isEmpty()) expectOp(",");
            Token p = expect(Kind.NAME);
            if (skipOp("=")) {
                defaults.add(parseExpression(true));
            } else if (!defaults.isEmpty()) {
                throw fail("non-default argument follows default argument", p.line());
            }
            params.add((String) p.value());
        }
        expectOp(")");
    }

    private Stmt parseCallBlock() {
        int line = next().line();
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        if (cur().isOp("(")) parseSignature(params, defaults);
        Expr call = parseExpression(true);
        if (!(call instanceof Call)) throw fail("expected call", line);
        List<Stmt> body = parseStatements(List.of("endcall"), true);
        return new CallBlock((Call) call, macro("caller", params, defaults, body, line), line);
    }

    private Stmt parseFilterBlock() {
        int line = next().line();
        Filter f = (Filter) parseFilter(null, true);
        return new FilterBlock(f, parseStatements(List.of("endfilter"), true), line);
    }

    private Stmt parseWith() {
        int line = next().line();
        List<Expr> targets = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (!cur().is(Kind.BLOCK_END)) {
            if (!targets.isEmpty()) expectOp(",");
            targets.add(parseAssignTarget(true, false, null, false));
            expectOp("=");
            values.add(parseExpression(true));
        }
        return new With(targets, values, parseStatements(List.of("endwith"), true), line);
    }

    private Stmt parsePrint() {
        int line = next().line();
        List<Expr> items = new ArrayList<>();
        while (!cur().is(Kind.BLOCK_END)) {
            if (!items.isEmpty()) expectOp(",");
            items.add(parseExpression(true));
        }
        List<Expr> parts = new ArrayList<>(items);
        if (parts.size() == 1) return new Output(parts.get(0), line);
        // {% print a, b %} outputs each expression in turn
        List<Stmt> outs = new ArrayList<>();
        for (Expr e : parts) outs.add(new Output(e, line));
        return new If(new Const(Boolean.TRUE, line), outs, List.of(), line);
    }

    private Stmt parseBlock() {
        int line = next().line();
        expect(Kind.NAME);
        skipName("scoped");
        skipName("required");
        List<Stmt> body = parseStatements(List.of("endblock"), true);
        if (cur().is(Kind.NAME)) next();
        return new Scoped(body, line);
    }

    // ---------------- assignment targets ----------------

    private Expr parseAssignTarget(boolean withTuple, boolean nameOnly, List<String> extraEnd, boolean withNamespace) {
        Expr target;
        if (withNamespace && look().isOp(".")) {
            Token ns = expect(Kind.NAME);
            next();
            Token attr = expect(Kind.NAME);
            target = new NsRef((String) ns.value(), (String) attr.value(), ns.line());
        } else if (nameOnly) {
            Token t = expect(Kind.NAME);
            target = new Name((String) t.value(), t.line());
        } else {
            target = withTuple ? parseTuple(false, true, extraEnd, false) : parsePrimary();
        }
        if (!canAssign(target)) {
            throw fail("can't assign to '" + target.getClass().getSimpleName().toLowerCase() + "'", target.line());
        }
        return target;
    }

    private static boolean canAssign(Expr e) {
        if (e instanceof Name || e instanceof NsRef) return true;
        if (e instanceof TupleExpr) return ((TupleExpr) e).items().stream().allMatch(Parser::canAssign);
        return false;
    }

    // ---------------- expressions ----------------

    Expr parseExpression(boolean withCondExpr) {
        return withCondExpr ? parseCondExpr() : parseOr();
    }

    private Expr parseCondExpr() {
        int line = cur().line();
        Expr expr1 = parseOr();
        while (skipName("if")) {
            Expr expr2 = parseOr();
            Expr expr3 = skipName("else") ? parseCondExpr() : null;
            expr1 = new CondExpr(expr2, expr1, expr3, line);
            line = cur().line();
        }
        return expr1;
    }

    private Expr parseOr() {
        int line = cur().line();
        Expr left = parseAnd();
        while (skipName("or")) {
            left = new Or(left, parseAnd(), line);
            line = cur().line();
        }
        return left;
    }

    private Expr parseAnd() {
        int line = cur().line();
        Expr left = parseNot();
        while (skipName("and")) {
            left = new And(left, parseNot(), line);
            line = cur().line();
        }
        return left;
    }

    private Expr parseNot() {
        if (cur().isName("not")) {
            int line = next().line();
            return new Not(parseNot(), line);
        }
        return parseCompare();
    }

    private Expr parseCompare() {
        int line = cur().line();
        Expr expr = parseMath1();
        List<String> ops = new ArrayList<>();
        List<Expr> rest = new ArrayList<>();
        while (true) {
            Token t = cur();
            if (t.is(Kind.OPERATOR) && COMPARE_OPS.contains((String) t.value())) {
                next();
                ops.add((String) t.value());
                rest.add(parseMath1());
            } else if (skipName("in")) {
                ops.add("in");
                rest.add(parseMath1());
            } else if (t.isName("not") && look().isName("in")) {
                next();
                next();
                ops.add("notin");
                rest.add(parseMath1());
            } else {
                break;
            }
        }
        return ops.isEmpty() ? expr : new Compare(expr, ops, rest, line);
    }

    private Expr parseMath1() {
        int line = cur().line();
        Expr left = parseConcat();
        while (cur().isOp("+") || cur().isOp("-")) {
            String op = (String) next().value();
            left = new BinOp(op, left, parseConcat(), line);
            line = cur().line();
        }
        return left;
    }

    private Expr parseConcat() {
        int line = cur().line();
        List<Expr> args = new ArrayList<>();
        args.add(parseMath2());
        while (skipOp("~")) args.add(parseMath2());
        return args.size() == 1 ? args.get(0) : new Concat(args, line);
    }

    private Expr parseMath2() {
        int line = cur().line();
        Expr left = parsePow();
        while (cur().is(Kind.OPERATOR) && MATH2_OPS.contains((String) cur().value())) {
            String op = (String) next().value();
            left = new BinOp(op, left, parsePow(), line);
            line = cur().line();
        }
        return left;
    }

    private Expr parsePow() {
        int line = cur().line();
        Expr left = parseUnary(true);
        while (skipOp("**")) {
            left = new BinOp("**", left, parseUnary(true), line);
            line = cur().line();
        }
        return left;
    }

    private Expr parseUnary(boolean withFilter) {
        Token t = cur();
        Expr node;
        if (t.isOp("-")) {
            next();
            node = new Neg(parseUnary(false), t.line());
        } else if (t.isOp("+")) {
            next();
            node = new Pos(parseUnary(false), t.line());
        } else {
            node = parsePrimary();
        }
        node = parsePostfix(node);
        if (withFilter) node = parseFilterExpr(node);
        return node;
    }

    private Expr parsePrimary() {
        Token t = cur();
        switch (t.kind()) {
            case NAME: {
                next();
                String v = (String) t.value();
                switch (v) {
                    case "true": case "True": return new Const(Boolean.TRUE, t.line());
                    case "false": case "False": return new Const(Boolean.FALSE, t.line());
                    case "none": case "None": return new Const(null, t.line());
                    default: return new Name(v, t.line());
                }
            }
            case STRING: {
                next();
                StringBuilder sb = new StringBuilder((String) t.value());
                while (cur().is(Kind.STRING)) sb.append((String) next().value());
                return new Const(sb.toString(), t.line());
            }
            case INTEGER: case FLOAT:
                next();
                return new Const(t.value(), t.line());
            case OPERATOR: {
                String op = (String) t.value();
                if (op.equals("(")) {
                    next();
                    Expr e = parseTuple(true, false, null, true);
                    expectOp(")");
                    return e;
                }
                if (op.equals("[")) return parseList();
                if (op.equals("{")) return parseDict();
                break;
            }
            default:
        }
        if (t.is(Kind.EOF)) throw fail("unexpected end of template", t.line());
        throw fail("unexpected '" + t.describe() + "'", t.line());
    }

    /**
     * jinja2's parse_tuple: a comma list becomes a tuple. simplified = names/literals only (assignment targets);
     * with_condexpr=False leaves a trailing 'if' to the caller (for-loop filters, if-tests).
     */
    private Expr parseTuple(boolean withCondExpr, boolean simplified, List<String> extraEnd, boolean explicitParens) {
        int line = cur().line();
        List<Expr> args = new ArrayList<>();
        boolean isTuple = false;
        while (true) {
            if (!args.isEmpty()) expectOp(",");
            if (isTupleEnd(extraEnd)) break;
            args.add(simplified ? parsePrimary() : parseExpression(withCondExpr));
            if (cur().isOp(",")) isTuple = true;
            else break;
            line = cur().line();
        }
        if (!isTuple) {
            if (!args.isEmpty()) return args.get(0);
            if (!explicitParens) {
                throw fail("Expected an expression, got '" + cur().describe() + "'", cur().line());
            }
        }
        return new TupleExpr(args, line);
    }

    private boolean isTupleEnd(List<String> extraEnd) {
        Token t = cur();
        if (t.is(Kind.VARIABLE_END) || t.is(Kind.BLOCK_END) || t.isOp(")")) return true;
        return extraEnd != null && t.is(Kind.NAME) && extraEnd.contains((String) t.value());
    }

    private Expr parseList() {
        int line = expectOp("[").line();
        List<Expr> items = new ArrayList<>();
        while (!cur().isOp("]")) {
            if (!items.isEmpty()) expectOp(",");
            if (cur().isOp("]")) break;
            items.add(parseExpression(true));
        }
        expectOp("]");
        return new ListExpr(items, line);
    }

    private Expr parseDict() {
        int line = expectOp("{").line();
        List<Expr> keys = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (!cur().isOp("}")) {
            if (!keys.isEmpty()) expectOp(",");
            if (cur().isOp("}")) break;
            keys.add(parseExpression(true));
            expectOp(":");
            values.add(parseExpression(true));
        }
        expectOp("}");
        return new DictExpr(keys, values, line);
    }

    private Expr parsePostfix(Expr node) {
        while (true) {
            if (cur().isOp(".") || cur().isOp("[")) node = parseSubscript(node);
            else if (cur().isOp("(")) node = parseCall(node);
            else return node;
        }
    }

    private Expr parseFilterExpr(Expr node) {
        while (true) {
            if (cur().isOp("|")) node = parseFilter(node, false);
            else if (cur().isName("is")) node = parseTest(node);
            else if (cur().isOp("(")) node = parseCall(node);
            else return node;
        }
    }

    private Expr parseSubscript(Expr node) {
        Token t = next();
        if (t.isOp(".")) {
            Token attr = next();
            if (attr.is(Kind.NAME)) return new Getattr(node, (String) attr.value(), t.line());
            if (!attr.is(Kind.INTEGER)) throw fail("expected name or number", attr.line());
            return new Getitem(node, new Const(attr.value(), attr.line()), t.line());
        }
        List<Expr> args = new ArrayList<>();
        while (!cur().isOp("]")) {
            if (!args.isEmpty()) expectOp(",");
            args.add(parseSubscribed());
        }
        expectOp("]");
        Expr key = args.size() == 1 ? args.get(0) : new TupleExpr(args, t.line());
        return new Getitem(node, key, t.line());
    }

    private Expr parseSubscribed() {
        int line = cur().line();
        Expr[] parts = new Expr[3];
        if (cur().isOp(":")) {
            next();
        } else {
            Expr node = parseExpression(true);
            if (!cur().isOp(":")) return node;
            next();
            parts[0] = node;
        }
        if (!cur().isOp(":") && !cur().isOp("]") && !cur().isOp(",")) parts[1] = parseExpression(true);
        if (cur().isOp(":")) {
            next();
            if (!cur().isOp("]") && !cur().isOp(",")) parts[2] = parseExpression(true);
        }
        return new Slice(parts[0], parts[1], parts[2], line);
    }

    private Expr parseCall(Expr node) {
        int line = cur().line();
        return new Call(node, parseCallArgs(), line);
    }

    private CallArgs parseCallArgs() {
        Token open = expectOp("(");
        List<Expr> args = new ArrayList<>();
        List<Keyword> kwargs = new ArrayList<>();
        Expr dynArgs = null, dynKwargs = null;
        boolean requireComma = false;
        while (!cur().isOp(")")) {
            if (requireComma) {
                expectOp(",");
                if (cur().isOp(")")) break;
            }
            if (cur().isOp("*")) {
                ensure(dynArgs == null && dynKwargs == null, open);
                next();
                dynArgs = parseExpression(true);
            } else if (cur().isOp("**")) {
                ensure(dynKwargs == null, open);
                next();
                dynKwargs = parseExpression(true);
            } else if (cur().is(Kind.NAME) && look().isOp("=")) {
                ensure(dynKwargs == null, open);
                String key = (String) next().value();
                next();
                kwargs.add(new Keyword(key, parseExpression(true)));
            } else {
                ensure(dynArgs == null && dynKwargs == null && kwargs.isEmpty(), open);
                args.add(parseExpression(true));
            }
            requireComma = true;
        }
        expectOp(")");
        return new CallArgs(args, kwargs, dynArgs, dynKwargs);
    }

    private void ensure(boolean ok, Token at) {
        if (!ok) throw fail("invalid syntax for function call expression", at.line());
    }

    private Expr parseFilter(Expr node, boolean startInline) {
        while (cur().isOp("|") || startInline) {
            if (!startInline) next();
            Token t = expect(Kind.NAME);
            StringBuilder name = new StringBuilder((String) t.value());
            while (cur().isOp(".")) {
                next();
                name.append('.').append((String) expect(Kind.NAME).value());
            }
            CallArgs args = cur().isOp("(") ? parseCallArgs() : CallArgs.NONE;
            node = new Filter(node, name.toString(), args, t.line());
            startInline = false;
        }
        return node;
    }

    private Expr parseTest(Expr node) {
        Token is = next();
        boolean negated = skipName("not");
        StringBuilder name = new StringBuilder((String) expect(Kind.NAME).value());
        while (cur().isOp(".")) {
            next();
            name.append('.').append((String) expect(Kind.NAME).value());
        }
        CallArgs args = CallArgs.NONE;
        Token t = cur();
        if (t.isOp("(")) {
            args = parseCallArgs();
        } else if ((t.is(Kind.NAME) || t.is(Kind.STRING) || t.is(Kind.INTEGER) || t.is(Kind.FLOAT)
                || t.isOp("[") || t.isOp("{"))
                && !t.isName("else") && !t.isName("or") && !t.isName("and")) {
            if (t.isName("is")) throw fail("You cannot chain multiple tests with is", t.line());
            Expr arg = parsePostfix(parsePrimary());
            args = new CallArgs(new ArrayList<>(Arrays.asList(arg)), List.of(), null, null);
        }
        Expr test = new Test(node, name.toString(), args, is.line());
        return negated ? new Not(test, is.line()) : test;
    }
}
