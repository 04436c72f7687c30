package dev.provtrace.text.template;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * jinja2's lexer (3.1) for the environment transformers compiles chat templates with: default delimiters,
 * {@code trim_blocks=True}, {@code lstrip_blocks=True}, {@code keep_trailing_newline=False}, newlines normalised to
 * {@code \n}. Whitespace control ({@code {%-}, {@code -%}}, {@code {%+}, {@code +%}}, {@code {{-}, {@code -}}}) and the
 * lstrip rule are applied here, exactly where jinja2's regex rules apply them. Comments are dropped; raw blocks
 * become data.
 */
final class Lexer {
    private static final Pattern FLOAT = Pattern.compile(
            "(?<!\\.)(\\d+_)*\\d+((\\.(\\d+_)*\\d+)?[eE][+\\-]?(\\d+_)*\\d+|\\.(\\d+_)*\\d+)");
    private static final Pattern INTEGER = Pattern.compile(
            "(0[bB](_?[0-1])+|0[oO](_?[0-7])+|0[xX](_?[0-9a-fA-F])+|[1-9](_?\\d)*|0(_?0)*)");
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{Nl}_][\\p{L}\\p{Nl}\\p{Mn}\\p{Mc}\\p{Nd}\\p{Pc}]*");
    private static final Pattern STRING = Pattern.compile(
            "('([^'\\\\]*(?:\\\\.[^'\\\\]*)*)'|\"([^\"\\\\]*(?:\\\\.[^\"\\\\]*)*)\")", Pattern.DOTALL);
    private static final String[] OPERATORS = {
        "//", "**", "==", "!=", ">=", "<=",
        "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"};
    private static final Pattern RAW_BEGIN = Pattern.compile("\\{%([-+]?)\\s*raw\\s*(?:-%}\\s*|%})", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern RAW_END = Pattern.compile(
            "\\{%([-+]?)\\s*endraw\\s*(?:\\+%}|-%}\\s*|%}\\n?)", Pattern.UNICODE_CHARACTER_CLASS);

    private final String src;
    private final int[] lineStarts;
    private final List<Token> out = new ArrayList<>();
    private int pos;
    private boolean lineStarting = true;

    private Lexer(String source) {
        this.src = normalize(source);
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < src.length(); i++) if (src.charAt(i) == '\n') starts.add(i + 1);
        lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    static List<Token> tokenize(String source) {
        Lexer lx = new Lexer(source);
        lx.run();
        return lx.out;
    }

    /** Splits on \r\n, \r and \n, drops one trailing empty line (keep_trailing_newline=False), joins with \n. */
    static String normalize(String source) {
        StringBuilder sb = new StringBuilder(source.length());
        for (int i = 0; i < source.length(); i++) {
            char c = source.charAt(i);
            if (c == '\r') {
                sb.append('\n');
                if (i + 1 < source.length() && source.charAt(i + 1) == '\n') i++;
            } else {
                sb.append(c);
            }
        }
        if (sb.length() > 0 && sb.charAt(sb.length() - 1) == '\n') sb.setLength(sb.length() - 1);
        return sb.toString();
    }

    int lineAt(int offset) {
        int lo = 0, hi = lineStarts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
        }
        return lo + 1;
    }

    private TemplateException error(String message, int offset) {
        return TemplateException.syntax(message, lineAt(offset));
    }

    private void run() {
        int n = src.length();
        while (pos < n) {
            int tag = findTagStart(pos);
            if (tag < 0) {
                out.add(new Token(Token.Kind.DATA, src.substring(pos), lineAt(pos)));
                pos = n;
                break;
            }
            char kind = src.charAt(tag + 1);
            String text = src.substring(pos, tag);
            int textStart = pos;
            Matcher raw = kind == '%' ? RAW_BEGIN.matcher(src).region(tag, n) : null;
            boolean isRaw = raw != null && raw.lookingAt();
            String sign;
            int matchEnd;
            if (isRaw) {
                sign = raw.group(1);
                matchEnd = raw.end();
            } else {
                char s = tag + 2 < n ? src.charAt(tag + 2) : 0;
                sign = s == '-' || s == '+' ? String.valueOf(s) : "";
                matchEnd = tag + 2 + sign.length();
            }
            text = stripBeforeTag(text, sign, kind == '{');
            if (!text.isEmpty()) out.add(new Token(Token.Kind.DATA, text, lineAt(textStart)));
            lineStarting = src.charAt(matchEnd - 1) == '\n';
            pos = matchEnd;
            if (isRaw) {
                lexRaw();
            } else if (kind == '#') {
                lexComment(tag);
            } else {
                lexTag(kind == '{', tag);
            }
        }
        out.add(new Token(Token.Kind.EOF, "", lineAt(n)));
    }

    private int findTagStart(int from) {
        for (int i = src.indexOf('{', from); i >= 0 && i + 1 < src.length(); i = src.indexOf('{', i + 1)) {
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') return i;
        }
        return -1;
    }

    /** The OptionalLStrip rule: '-' strips all whitespace before the tag; lstrip_blocks strips a line's indentation. */
    private String stripBeforeTag(String text, String sign, boolean variable) {
        if (sign.equals("-")) return PyStr.rstrip(text, null);
        if (!sign.equals("+") && !variable) {
            int lPos = text.lastIndexOf('\n') + 1;
            if (lPos > 0 || lineStarting) {
                if (lPos < text.length() && PyStr.isAllSpace(text, lPos)) return text.substring(0, lPos);
            }
        }
        return text;
    }

    private void lexComment(int tagStart) {
        int j = src.indexOf("#}", pos);
        if (j < 0) throw error("Missing end of comment tag", tagStart);
        int end = j + 2;
        char before = j - 1 >= pos ? src.charAt(j - 1) : 0;
        if (before == '-') {
            end = skipSpace(end);
        } else if (before != '+') {
            if (end < src.length() && src.charAt(end) == '\n') end++;
        }
        lineStarting = src.charAt(end - 1) == '\n';
        pos = end;
    }

    private void lexRaw() {
        Matcher m = RAW_END.matcher(src);
        int start = pos;
        if (!m.find(pos)) throw error("Missing end of raw directive", pos);
        String text = stripBeforeTag(src.substring(start, m.start()), m.group(1), false);
        if (!text.isEmpty()) out.add(new Token(Token.Kind.DATA, text, lineAt(start)));
        pos = m.end();
        lineStarting = src.charAt(pos - 1) == '\n';
    }

    private int skipSpace(int i) {
        while (i < src.length()) {
            int cp = src.codePointAt(i);
            if (!PyStr.isSpace(cp)) break;
            i += Character.charCount(cp);
        }
        return i;
    }

    private void lexTag(boolean variable, int tagStart) {
        out.add(new Token(variable ? Token.Kind.VARIABLE_BEGIN : Token.Kind.BLOCK_BEGIN, "", lineAt(tagStart)));
        Deque<Character> balance = new ArrayDeque<>();
        int n = src.length();
        while (true) {
            if (balance.isEmpty()) {
                int end = matchTagEnd(variable);
                if (end >= 0) {
                    out.add(new Token(variable ? Token.Kind.VARIABLE_END : Token.Kind.BLOCK_END, "", lineAt(pos)));
                    lineStarting = src.charAt(end - 1) == '\n';
                    pos = end;
                    return;
                }
            }
            if (pos >= n) return; // unterminated tag: the parser reports the unexpected end of template
            int ws = skipSpace(pos);
            if (ws > pos) {
                pos = ws;
                lineStarting = src.charAt(pos - 1) == '\n';
                continue;
            }
            int line = lineAt(pos);
            Matcher m;
            if ((m = FLOAT.matcher(src).region(pos, n).useTransparentBounds(true)).lookingAt()) {
                String t = m.group().replace("_", "");
                out.add(new Token(Token.Kind.FLOAT, Double.parseDouble(t), line));
            } else if ((m = INTEGER.matcher(src).region(pos, n)).lookingAt()) {
                out.add(new Token(Token.Kind.INTEGER, parseInt(m.group().replace("_", "")), line));
            } else if ((m = NAME.matcher(src).region(pos, n)).lookingAt()) {
                out.add(new Token(Token.Kind.NAME, m.group(), line));
            } else if ((m = STRING.matcher(src).region(pos, n)).lookingAt()) {
                String body = m.group().substring(1, m.group().length() - 1);
                out.add(new Token(Token.Kind.STRING, PyStr.unescapeLiteral(body, line), line));
            } else {
                String op = null;
                for (String o : OPERATORS) if (src.startsWith(o, pos)) { op = o; break; }
                if (op == null) {
                    throw error("unexpected char " + PyObjects.repr(String.valueOf(Character.toChars(src.codePointAt(pos))))
                            + " at " + src.codePointCount(0, pos), pos);
                }
                switch (op) {
                    case "{": balance.push('}'); break;
                    case "(": balance.push(')'); break;
                    case "[": balance.push(']'); break;
                    case "}": case ")": case "]":
                        if (balance.isEmpty()) throw error("unexpected '" + op + "'", pos);
                        char expected = balance.pop();
                        if (expected != op.charAt(0)) {
                            throw error("unexpected '" + op + "', expected '" + expected + "'", pos);
                        }
                        break;
                    default:
                }
                out.add(new Token(Token.Kind.OPERATOR, op, line));
                pos += op.length();
                lineStarting = false;
                continue;
            }
            pos = m.end();
            lineStarting = src.charAt(pos - 1) == '\n';
        }
    }

    /** The end-of-tag rule at pos: returns the end offset of the match, or -1. */
    private int matchTagEnd(boolean variable) {
        String close = variable ? "}}" : "%}";
        if (!variable && src.startsWith("+" + close, pos)) return pos + 3;
        if (src.startsWith("-" + close, pos)) return skipSpace(pos + 3);
        if (src.startsWith(close, pos)) {
            int end = pos + 2;
            if (!variable && end < src.length() && src.charAt(end) == '\n') end++; // trim_blocks
            return end;
        }
        return -1;
    }

    private static Object parseInt(String t) {
        int radix = 10;
        String digits = t;
        if (t.length() > 1 && t.charAt(0) == '0') {
            char p = Character.toLowerCase(t.charAt(1));
            if (p == 'b') radix = 2;
            else if (p == 'o') radix = 8;
            else if (p == 'x') radix = 16;
            if (radix != 10) digits = t.substring(2);
        }
        return PyObjects.normalize(new BigInteger(digits, radix));
    }
}
