package dev.provtrace.provenance;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the spans of a reasoning trace inside which no sentence may end: LaTeX ({@code $...$}, {@code \(...\)},
 * {@code $$...$$}, {@code \[...\]}, {@code \begin{env}...\end{env}}), fenced code blocks, inline code and URLs.
 * Their dots, question marks and line breaks are math, code or addresses, not sentence ends; a display block stays
 * one piece even across lines.
 * <p>
 * Fenced code blocks ({@code ```} or {@code ~~~} at a line start, up to a closing fence of at least the same length)
 * are also <em>standalone</em>: a block is exactly one action. Cutting code by lines or statements would need a
 * notion of a code "sentence" that does not exist, while one action per block is simple and predictable. As in
 * CommonMark, a fence that is never closed runs to the end of the text (here: up to the next reasoning tag).
 * <p>
 * Math needs a closing delimiter before the next blank line (LaTeX itself forbids paragraph breaks inside math);
 * an unclosed opener, as in a truncated generation, protects nothing, so one stray {@code \[} cannot swallow the rest
 * of a response (nor can math longer than {@value #MAX_MATH_CHARS} characters). Inline {@code $...$} follows Pandoc's rule (no space after the opening {@code $}, none before the
 * closing one, no digit right after it, same line), and a {@code $} with a space before it can only open, so
 * that prices like "$5 and $6. Then $x$" do not pair up into math. Escaped characters
 * ({@code \$}) are skipped.
 */
final class MarkupScanner {
    /** A protected span {@code [start, end)} in UTF-16 indices; a standalone one is a sentence of its own. */
    record Region(int start, int end, boolean standalone, boolean isLatex) {}

    /** Longest LaTeX span looked for, so that many unclosed openers cannot make scanning quadratic. */
    private static final int MAX_MATH_CHARS = 8192;

    private final String text;
    private final int from, to;
    private final List<Region> regions = new ArrayList<>();

    private MarkupScanner(String text, int from, int to) {
        this.text = text;
        this.from = from;
        this.to = to;
    }

    /** The protected spans of {@code text[from, to)}, ordered and disjoint (the first opener wins). */
    static List<Region> scan(String text, int from, int to) {
        MarkupScanner s = new MarkupScanner(text, from, to);
        s.run();
        return s.regions;
    }

    private void run() {
        int i = from;
        while (i < to) {
            char c = text.charAt(i);
            if ((c == '`' || c == '~') && atLineStart(i)) {
                int end = fencedCodeEnd(i);
                if (end > 0) {
                    regions.add(new Region(i, end, true, false));
                    i = end;
                    continue;
                }
            }
            int end = switch (c) {
                case '\\' -> latexEnd(i);
                case '$' -> dollarMathEnd(i);
                case '`' -> inlineCodeEnd(i);
                case 'h', 'H', 'w', 'W' -> urlEnd(i);
                default -> -1;
            };
            if (end > 0) {
                regions.add(new Region(i, end, false, c == '\\' || c == '$'));
                i = end;
            } else {
                i = Math.min(to, i + skipUnmatched(i, c));
            }
        }
    }

    /** How far to move past an opener that matched nothing: a whole escape ({@code \$}), a whole delimiter run. */
    private int skipUnmatched(int i, char c) {
        if (c == '\\') return 2;
        if (c == '$' && i + 1 < to && text.charAt(i + 1) == '$') return 2;
        if (c == '`') return run(i, '`');
        return 1;
    }

    private boolean atLineStart(int i) {
        int k = i;
        while (k > from && (text.charAt(k - 1) == ' ' || text.charAt(k - 1) == '\t')) k--;
        return k == from || Chars.isLineBreak(text.charAt(k - 1));
    }

    private int run(int i, char c) {
        int k = i;
        while (k < to && text.charAt(k) == c) k++;
        return k - i;
    }

    /** End of the fenced block opening at {@code i} (after its closing fence, or {@code to}), or -1 if not a fence. */
    private int fencedCodeEnd(int i) {
        char fence = text.charAt(i);
        int n = run(i, fence);
        if (n < 3) return -1;
        int lineEnd = Chars.lineEnd(text, i + n, to);
        if (fence == '`' && text.substring(i + n, lineEnd).indexOf('`') >= 0) return -1;   // ```inline``` code
        for (int j = lineEnd; j < to; j = Chars.lineEnd(text, j + 1, to)) {
            int k = j + 1;
            while (k < to && (text.charAt(k) == ' ' || text.charAt(k) == '\t')) k++;
            int m = run(k, fence);
            if (m >= n && Chars.isBlank(text, k + m, Chars.lineEnd(text, k + m, to))) return k + m;
        }
        return to;
    }

    private int latexEnd(int i) {
        if (text.startsWith("\\[", i)) return closerEnd(i + 2, "\\]");
        if (text.startsWith("\\(", i)) return closerEnd(i + 2, "\\)");
        if (text.startsWith("\\begin{", i)) return environmentEnd(i);
        return -1;
    }

    private int dollarMathEnd(int i) {
        if (i + 1 < to && text.charAt(i + 1) == '$') return closerEnd(i + 2, "$$");
        if (i + 1 >= to || Chars.isSpace(text.charAt(i + 1))) return -1;
        for (int j = i + 1; j < to; j++) {
            char c = text.charAt(j);
            if (Chars.isLineBreak(c)) return -1;
            if (c == '\\') {
                j++;
            } else if (c == '$') {
                if (Chars.isSpace(text.charAt(j - 1))) return -1;   // can only open: ours was a lone "$5"
                if (!(j + 1 < to && Character.isDigit(text.charAt(j + 1)))) return j + 1;
            }
        }
        return -1;
    }

    /** End of {@code \begin{name} ... \end{name}} starting at {@code i}, counting nested environments of that name. */
    private int environmentEnd(int i) {
        int nameStart = i + "\\begin{".length();
        int close = text.indexOf('}', nameStart);
        if (close < 0 || close >= to || close == nameStart) return -1;
        String name = text.substring(nameStart, close);
        if (!name.matches("[A-Za-z*]+")) return -1;
        String begin = "\\begin{" + name + "}", end = "\\end{" + name + "}";
        int depth = 1;
        for (int j = close + 1, limit = Math.min(to, i + MAX_MATH_CHARS); j < limit; ) {
            if (Chars.isLineBreak(text.charAt(j)) && blankLineAt(j)) return -1;
            if (text.startsWith(begin, j)) {
                depth++;
                j += begin.length();
            } else if (text.startsWith(end, j)) {
                j += end.length();
                if (--depth == 0) return j <= to ? j : -1;
            } else {
                j++;
            }
        }
        return -1;
    }

    /** The end of the first {@code closer} at or after {@code j} and before any blank line, or -1. */
    private int closerEnd(int j, String closer) {
        for (int limit = Math.min(to, j + MAX_MATH_CHARS); j + closer.length() <= limit; j++) {
            if (Chars.isLineBreak(text.charAt(j)) && blankLineAt(j)) return -1;
            if (text.startsWith(closer, j)) return j + closer.length();
        }
        return -1;
    }

    /** True when the line break at {@code j} is followed by a line holding only whitespace. */
    private boolean blankLineAt(int j) {
        int k = j + 1;
        if (text.charAt(j) == '\r' && k < to && text.charAt(k) == '\n') k++;
        while (k < to && (text.charAt(k) == ' ' || text.charAt(k) == '\t')) k++;
        return k < to && Chars.isLineBreak(text.charAt(k));
    }

    private int inlineCodeEnd(int i) {
        int n = run(i, '`');
        for (int j = i + n; j < to && !Chars.isLineBreak(text.charAt(j)); ) {
            if (text.charAt(j) == '`') {
                int m = run(j, '`');
                if (m == n) return j + m;
                j += m;
            } else {
                j++;
            }
        }
        return -1;
    }

    private int urlEnd(int i) {
        int prefix = text.regionMatches(true, i, "https://", 0, 8) ? 8
                : text.regionMatches(true, i, "http://", 0, 7) ? 7
                : text.regionMatches(true, i, "www.", 0, 4) ? 4 : 0;
        if (prefix == 0 || (i > from && Character.isLetterOrDigit(text.charAt(i - 1)))) return -1;
        int j = i;
        while (j < to && !Chars.isSpace(text.charAt(j)) && "<>\"`".indexOf(text.charAt(j)) < 0) j++;
        String url = text.substring(i, j);
        while (j > i + prefix) {   // trailing punctuation belongs to the sentence, not the address
            char last = text.charAt(j - 1);
            boolean unbalanced = (last == ')' && url.indexOf('(') < 0) || (last == ']' && url.indexOf('[') < 0);
            if (".,;:!?'*".indexOf(last) < 0 && !unbalanced) break;
            j--;
        }
        return j > i + prefix ? j : -1;
    }
}
