package dev.provtrace.text.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Python 3 str semantics on Java strings: lengths, indices and slices count code points (not UTF-16 units);
 * whitespace is Python's (str.isspace / str.strip / re's \s), which includes U+00A0, U+3000, U+2028, U+0085...
 */
final class PyStr {
    private PyStr() {}

    /** Python's str.isspace() set (Unicode 14 White_Space minus nothing, plus the \x1c-\x1f separators). */
    static boolean isSpace(int cp) {
        switch (cp) {
            case '\t': case '\n': case 0x0b: case 0x0c: case '\r': case 0x1c: case 0x1d: case 0x1e: case 0x1f:
            case ' ': case 0x85: case 0xa0: case 0x1680: case 0x2028: case 0x2029: case 0x202f: case 0x205f:
            case 0x3000:
                return true;
            default:
                return cp >= 0x2000 && cp <= 0x200a;
        }
    }

    static boolean isAllSpace(String s, int from) {
        for (int i = from; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (!isSpace(cp)) return false;
            i += Character.charCount(cp);
        }
        return true;
    }

    static int length(String s) { return s.codePointCount(0, s.length()); }

    static int[] codePoints(String s) { return s.codePoints().toArray(); }

    static String fromCodePoints(int[] cps, int from, int to) { return new String(cps, from, Math.max(0, to - from)); }

    static List<Object> chars(String s) {
        List<Object> out = new ArrayList<>();
        s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
        return out;
    }

    // ---- strip family ----

    private static boolean inSet(int cp, String chars) {
        return chars == null ? isSpace(cp) : chars.indexOf(new String(Character.toChars(cp))) >= 0;
    }

    static String strip(String s, String chars) { return rstrip(lstrip(s, chars), chars); }

    static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            if (!inSet(cp, chars)) break;
            i += Character.charCount(cp);
        }
        return s.substring(i);
    }

    static String rstrip(String s, String chars) {
        int i = s.length();
        while (i > 0) {
            int cp = s.codePointBefore(i);
            if (!inSet(cp, chars)) break;
            i -= Character.charCount(cp);
        }
        return s.substring(0, i);
    }

    // ---- split family ----

    static List<Object> split(String s, String sep, long maxsplit) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int[] cps = codePoints(s);
            int i = 0, n = cps.length;
            while (true) {
                while (i < n && isSpace(cps[i])) i++;
                if (i >= n) break;
                if (maxsplit >= 0 && out.size() >= maxsplit) {
                    out.add(fromCodePoints(cps, i, n)); // the rest keeps its trailing whitespace
                    break;
                }
                int j = i;
                while (j < n && !isSpace(cps[j])) j++;
                out.add(fromCodePoints(cps, i, j));
                i = j;
            }
            return out;
        }
        if (sep.isEmpty()) throw TemplateException.python("ValueError", "empty separator");
        int start = 0;
        while (maxsplit < 0 || out.size() < maxsplit) {
            int k = s.indexOf(sep, start);
            if (k < 0) break;
            out.add(s.substring(start, k));
            start = k + sep.length();
        }
        out.add(s.substring(start));
        return out;
    }

    static List<Object> rsplit(String s, String sep, long maxsplit) {
        if (maxsplit < 0) return split(s, sep, -1);
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int[] cps = codePoints(s);
            int j = cps.length;
            while (true) {
                while (j > 0 && isSpace(cps[j - 1])) j--;
                if (j <= 0) break;
                if (out.size() >= maxsplit) {
                    out.add(fromCodePoints(cps, 0, j)); // the rest keeps its leading whitespace
                    break;
                }
                int i = j;
                while (i > 0 && !isSpace(cps[i - 1])) i--;
                out.add(fromCodePoints(cps, i, j));
                j = i;
            }
        } else {
            if (sep.isEmpty()) throw TemplateException.python("ValueError", "empty separator");
            int end = s.length();
            while (out.size() < maxsplit) {
                int k = s.lastIndexOf(sep, end - sep.length());
                if (k < 0 || end - sep.length() < 0) break;
                out.add(s.substring(k + sep.length(), end));
                end = k;
            }
            out.add(s.substring(0, end));
        }
        java.util.Collections.reverse(out);
        return out;
    }

    static List<Object> splitlines(String s, boolean keepends) {
        List<Object> out = new ArrayList<>();
        int i = 0, start = 0, n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            int eol = -1;
            if (c == '\r' && i + 1 < n && s.charAt(i + 1) == '\n') eol = i + 2;
            else if (c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d || c == 0x1e
                    || c == 0x85 || c == 0x2028 || c == 0x2029) eol = i + 1;
            if (eol >= 0) {
                out.add(s.substring(start, keepends ? eol : i));
                start = i = eol;
            } else {
                i++;
            }
        }
        if (start < n) out.add(s.substring(start));
        return out;
    }

    // ---- case ----

    static String upper(String s) { return s.toUpperCase(Locale.ROOT); }

    static String lower(String s) { return s.toLowerCase(Locale.ROOT); }

    /** Python str.casefold(), approximated by full upper- then lower-casing ('ß' → 'ss'), with 'ς' folded to 'σ'. */
    static String casefold(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(cp -> {
            String c = new String(Character.toChars(cp));
            sb.append(Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp)
                    ? lower(upper(c)).replace('ς', 'σ') : c);
        });
        return sb.toString();
    }

    private static boolean isCased(int cp) {
        return Character.isUpperCase(cp) || Character.isLowerCase(cp) || Character.isTitleCase(cp);
    }

    private static String titleOf(int cp) {
        int t = Character.toTitleCase(cp);
        String up = new String(Character.toChars(cp)).toUpperCase(Locale.ROOT);
        // Python uses full case mappings: 'ß'.title() == 'Ss'; Java's toTitleCase is the simple mapping.
        if (up.codePointCount(0, up.length()) > 1) {
            return up.substring(0, Character.charCount(up.codePointAt(0))) + lower(up.substring(Character.charCount(up.codePointAt(0))));
        }
        return new String(Character.toChars(t));
    }

    /** Python str.title(). */
    static String title(String s) {
        StringBuilder sb = new StringBuilder();
        boolean prevCased = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            String c = new String(Character.toChars(cp));
            if (isCased(cp)) {
                sb.append(prevCased ? lower(c) : titleOf(cp));
                prevCased = true;
            } else {
                sb.append(c);
                prevCased = false;
            }
            i += Character.charCount(cp);
        }
        return sb.toString();
    }

    /** Python str.capitalize() (3.8+: first character title-cased, the rest lower-cased). */
    static String capitalize(String s) {
        if (s.isEmpty()) return s;
        int cp = s.codePointAt(0);
        return titleOf(cp) + lower(s.substring(Character.charCount(cp)));
    }

    static String swapcase(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(cp -> {
            String c = new String(Character.toChars(cp));
            sb.append(Character.isUpperCase(cp) ? lower(c) : Character.isLowerCase(cp) ? upper(c) : c);
        });
        return sb.toString();
    }

    // ---- search / replace ----

    /** Python str.replace(old, new, count): an empty {@code old} inserts {@code new} around every code point. */
    static String replace(String s, String old, String neu, long count) {
        if (count < 0) count = Long.MAX_VALUE;
        if (old.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            long done = 0;
            int i = 0;
            while (true) {
                if (done < count) { sb.append(neu); done++; }
                if (i >= s.length()) break;
                int cp = s.codePointAt(i);
                sb.appendCodePoint(cp);
                i += Character.charCount(cp);
            }
            return sb.toString();
        }
        StringBuilder sb = new StringBuilder();
        int start = 0;
        long done = 0;
        while (done < count) {
            int k = s.indexOf(old, start);
            if (k < 0) break;
            sb.append(s, start, k).append(neu);
            start = k + old.length();
            done++;
        }
        return sb.append(s.substring(start)).toString();
    }

    /** Converts Python (code point) start/end arguments into a UTF-16 range [from, to) or null when empty-invalid. */
    static int[] range(String s, Object start, Object end) {
        int n = length(s);
        int a = start == null ? 0 : clampIndex(PyObjects.toIndex(start), n);
        int b = end == null ? n : clampIndex(PyObjects.toIndex(end), n);
        if (a > b) return null;
        return new int[] {s.offsetByCodePoints(0, a), s.offsetByCodePoints(0, b), a};
    }

    private static int clampIndex(long i, int n) {
        if (i < 0) i += n;
        if (i < 0) i = 0;
        if (i > n) i = n;
        return (int) i;
    }

    static long find(String s, String sub, Object start, Object end, boolean reverse) {
        int[] r = range(s, start, end);
        if (r == null) return -1;
        String window = s.substring(r[0], r[1]);
        int k = reverse ? window.lastIndexOf(sub) : window.indexOf(sub);
        if (k < 0) return -1;
        return r[2] + window.codePointCount(0, k);
    }

    static long count(String s, String sub, Object start, Object end) {
        int[] r = range(s, start, end);
        if (r == null) return 0;
        String window = s.substring(r[0], r[1]);
        if (sub.isEmpty()) return length(window) + 1;
        long c = 0;
        for (int k = window.indexOf(sub); k >= 0; k = window.indexOf(sub, k + sub.length())) c++;
        return c;
    }

    static String pad(String s, long width, String fill, char align) {
        int len = length(s);
        if (width <= len) return s;
        int total = (int) (width - len);
        int left = align == '<' ? 0 : align == '>' ? total : total / 2 + (total & (int) width & 1);
        int right = total - left;
        return fill.repeat(left) + s + fill.repeat(right);
    }

    static String zfill(String s, long width) {
        int len = length(s);
        if (width <= len) return s;
        String zeros = "0".repeat((int) (width - len));
        if (!s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-')) return s.charAt(0) + zeros + s.substring(1);
        return zeros + s;
    }

    static int compare(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i), y = b.codePointAt(j);
            if (x != y) return Integer.compare(x, y);
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    // ---- literals ----

    /**
     * Decodes the body of a template string literal the way jinja2 does:
     * {@code value.encode("ascii", "backslashreplace").decode("unicode-escape")}.
     */
    static String unescapeLiteral(String body, int line) {
        if (body.indexOf('\\') < 0) return body;
        // backslashreplace first: every non-ASCII code point becomes \xNN, \\uNNNN or \\UNNNNNNNN text
        StringBuilder ascii = new StringBuilder();
        body.codePoints().forEach(cp -> {
            if (cp < 0x80) ascii.append((char) cp);
            else if (cp <= 0xff) ascii.append(String.format("\\x%02x", cp));
            else if (cp <= 0xffff) ascii.append(String.format("\\u%04x", cp));
            else ascii.append(String.format("\\U%08x", cp));
        });
        String s = ascii.toString();
        StringBuilder sb = new StringBuilder();
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c != '\\') { sb.append(c); continue; }
            if (i + 1 >= n) throw TemplateException.syntax("\\ at end of string", line);
            char e = s.charAt(++i);
            switch (e) {
                case '\n': break;
                case '\\': sb.append('\\'); break;
                case '\'': sb.append('\''); break;
                case '"': sb.append('"'); break;
                case 'a': sb.append('\u0007'); break;
                case 'b': sb.append('\b'); break;
                case 'f': sb.append('\f'); break;
                case 'n': sb.append('\n'); break;
                case 'r': sb.append('\r'); break;
                case 't': sb.append('\t'); break;
                case 'v': sb.append('\u000b'); break;
                case 'x': case 'u': case 'U': {
                    int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    String hex = s.substring(i + 1, Math.min(n, i + 1 + digits));
                    if (hex.length() < digits || !hex.chars().allMatch(h -> Character.digit(h, 16) >= 0)) {
                        throw TemplateException.syntax("truncated \\" + e + "X".repeat(digits) + " escape", line);
                    }
                    int cp = Integer.parseUnsignedInt(hex, 16);
                    if (cp > 0x10ffff) throw TemplateException.syntax("illegal Unicode character", line);
                    sb.appendCodePoint(cp);
                    i += digits;
                    break;
                }
                case 'N': {
                    int close = s.indexOf('}', i);
                    if (i + 1 >= n || s.charAt(i + 1) != '{' || close < 0) {
                        throw TemplateException.syntax("malformed \\N character escape", line);
                    }
                    String name = s.substring(i + 2, close);
                    try {
                        sb.appendCodePoint(Character.codePointOf(name));
                    } catch (IllegalArgumentException ex) {
                        throw TemplateException.syntax("unknown Unicode character name", line);
                    }
                    i = close;
                    break;
                }
                default:
                    if (e >= '0' && e <= '7') {
                        int v = e - '0', k = 1;
                        while (k < 3 && i + 1 < n && s.charAt(i + 1) >= '0' && s.charAt(i + 1) <= '7') {
                            v = v * 8 + (s.charAt(++i) - '0');
                            k++;
                        }
                        sb.append((char) v);
                    } else {
                        sb.append('\\').append(e);
                    }
            }
        }
        return sb.toString();
    }

    /** Python repr() of a str. */
    static String repr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder sb = new StringBuilder().append(quote);
        s.codePoints().forEach(cp -> {
            if (cp == quote || cp == '\\') sb.append('\\').appendCodePoint(cp);
            else if (cp == '\t') sb.append("\\t");
            else if (cp == '\n') sb.append("\\n");
            else if (cp == '\r') sb.append("\\r");
            else if (cp < 0x20 || cp == 0x7f) sb.append(String.format("\\x%02x", cp));
            else if (cp < 0x7f || isPrintable(cp)) sb.appendCodePoint(cp);
            else if (cp <= 0xff) sb.append(String.format("\\x%02x", cp));
            else if (cp <= 0xffff) sb.append(String.format("\\u%04x", cp));
            else sb.append(String.format("\\U%08x", cp));
        });
        return sb.append(quote).toString();
    }

    static boolean isPrintable(int cp) {
        if (cp == ' ') return true;
        switch (Character.getType(cp)) {
            case Character.CONTROL: case Character.FORMAT: case Character.SURROGATE: case Character.PRIVATE_USE:
            case Character.UNASSIGNED: case Character.LINE_SEPARATOR: case Character.PARAGRAPH_SEPARATOR:
            case Character.SPACE_SEPARATOR:
                return false;
            default:
                return true;
        }
    }
}
