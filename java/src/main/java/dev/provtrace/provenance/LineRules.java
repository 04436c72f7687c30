package dev.provtrace.provenance;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The line-level rules of real reasoning traces, on top of "every line break ends a sentence":
 * <ul>
 *   <li><b>A formula that goes on.</b> A line break does not cut when the line ends in {@code =}, {@code ,}, an
 *       operator ({@code + - / ^ < > ≤ ≥ ≠ ≈ × ÷ ±}; not {@code *}, which closes markdown emphasis), {@code \cdot}, {@code \times}, ...) or an open bracket, or when
 *       the next line continues a formula (it starts with {@code =}, {@code +}, {@code ×}, {@code ≤}, {@code ≥},
 *       {@code ≈}, {@code \cdot}, {@code \times} or a closing bracket). A blank line always cuts, a line of
 *       dashes or stars (a markdown rule) never continues, and a list item always starts anew.</li>
 *   <li><b>Unfenced code.</b> Two or more consecutive code-like lines (indented by four spaces or a tab and not a
 *       list item, or plainly code: {@code def f(x):}, {@code return ...}, {@code for i in ...:}, a line ending in
 *       {@code ;}, {@code {} or {@code }}) are one unit, as a fenced block is.</li>
 *   <li><b>Fragments.</b> A sentence of three characters or fewer that is a word cut off ("So,", "And") joins the
 *       one after it, unless that one is a block of its own ({@link #joinFragments}).</li>
 * </ul>
 */
final class LineRules {
    private LineRules() {}

    private static final Pattern CONTINUING_END = Pattern.compile(
            "(?:[=,+\\-/^<>≤≥≠≈×÷±(\\[{]|\\\\(?:cdot|times|le|ge|leq|geq|neq|approx|pm|div|Rightarrow|implies|to))$");
    private static final Pattern CONTINUING_START = Pattern.compile(
            "^(?:[=+×÷≤≥≈)\\]}]|\\\\(?:cdot|times|le|ge|leq|geq|approx|Rightarrow|implies))");
    private static final Pattern RULE = Pattern.compile("^[-*_=\\s]{3,}$");
    private static final Pattern LIST_ITEM = Pattern.compile("^(?:[-*+•]|\\d+[.)])\\s");
    private static final Pattern CODE = Pattern.compile(
            "^(?:def |class |import |from \\S+ import |return\\b|for .+ in .+:$|while .+:$|if .+:$|elif .+:$|else:$|try:$|"
                    + "except\\b.*:$|print\\(|#include|int |void |public |private |var |let |const |function )|"
                    + "(?:[;{}]|\\):)$");

    /** Drops the line-break cuts of lines that go on into the next (formulas written over several lines). */
    static void joinContinuedLines(String text, int from, int to, BitSet cuts) {
        for (int i = from; i < to; i++) {
            if (!Chars.isLineBreak(text.charAt(i))) continue;
            int lineStart = Chars.lineStart(text, from, i);
            int lastEnd = Chars.skipSpaceBack(text, lineStart, i);
            int next = i + 1;
            if (text.charAt(i) == '\r' && next < to && text.charAt(next) == '\n') next++;
            int nextStart = next;
            while (nextStart < to && Chars.isSpace(text.charAt(nextStart)) && !Chars.isLineBreak(text.charAt(nextStart))) nextStart++;
            if (lastEnd == lineStart || nextStart >= to || Chars.isLineBreak(text.charAt(nextStart))) continue;   // blank line
            String line = text.substring(lineStart, lastEnd);
            String nextLine = text.substring(nextStart, Chars.skipSpaceBack(text, nextStart, Chars.lineEnd(text, nextStart, to)));
            if (RULE.matcher(line).matches() || RULE.matcher(nextLine).matches()) continue;
            if (LIST_ITEM.matcher(nextLine).find()) continue;   // a new list item starts, whatever the line before ends in
            if (CONTINUING_END.matcher(line).find() || CONTINUING_START.matcher(nextLine).find()) {
                cuts.clear(lastEnd, nextStart + 1);   // every cut in the gap between the two lines
            }
        }
    }

    /**
     * Runs of two or more consecutive code-like lines: their inner cuts are dropped and their ends cut, their
     * insides are marked in {@code protectedInside} so no later rule cuts there, and their starts in {@code blockStarts}.
     */
    static void keepCodeBlocks(String text, int from, int to, BitSet cuts, BitSet protectedInside, BitSet blockStarts) {
        List<int[]> lines = new ArrayList<>();   // [start, end) of each non-blank line
        for (int i = from; i < to; ) {
            int end = Chars.lineEnd(text, i, to);
            if (!Chars.isBlank(text, i, end)) lines.add(new int[] {i, end});
            i = end + 1;
        }
        int k = 0;
        while (k < lines.size()) {
            int j = k;
            while (j < lines.size() && codeLike(text, lines.get(j)) && (j == k || adjacent(text, lines.get(j - 1), lines.get(j)))) j++;
            if (j - k >= 2) {
                int start = lines.get(k)[0], end = Chars.skipSpaceBack(text, start, lines.get(j - 1)[1]);
                cuts.clear(start + 1, end);
                protectedInside.set(start + 1, end);
                cuts.set(start);
                cuts.set(end);
                blockStarts.set(start);
                k = j;
            } else {
                k = Math.max(k + 1, j);
            }
        }
    }

    /** A paragraph break (two line breaks with only spaces between) in {@code text[from, to)}. */
    private static boolean blankLineBetween(String text, int from, int to) {
        int breaks = 0;
        for (int i = from; i < to; i++) if (text.charAt(i) == '\n') breaks++;
        return breaks >= 2;
    }

    private static boolean adjacent(String text, int[] a, int[] b) {
        int breaks = 0;
        for (int i = a[1]; i < b[0]; i++) if (text.charAt(i) == '\n') breaks++;
        return breaks <= 1;
    }

    private static boolean codeLike(String text, int[] line) {
        String raw = text.substring(line[0], line[1]);
        String body = raw.strip();
        boolean indented = raw.startsWith("    ") || raw.startsWith("\t");
        if (indented && !LIST_ITEM.matcher(body).find()) return true;
        return CODE.matcher(body).find();
    }

    /**
     * A fragment: three code points or fewer with a letter in them and no sentence terminator at the end ("So,",
     * "And", "Ok"); "No." and "42." are sentences, and "👍" or "-" are not words to join.
     */
    private static boolean isFragment(String text, int from, int to) {
        if (text.codePointCount(from, to) > 3) return false;
        char last = text.charAt(to - 1);
        if (last == '.' || last == '!' || last == '?' || last == '。' || last == '…') return false;
        return text.substring(from, to).codePoints().anyMatch(Character::isLetter);
    }

    /**
     * Joins each fragment ({@link #isFragment}) to the sentence after it, within one stretch between tags and one
     * paragraph, unless that sentence is a block of its own (display math, or code: {@code blockStarts}); a last
     * fragment stays alone.
     * {@code spans} are UTF-16 [start, end) pairs; those from {@code first} on are this stretch's.
     */
    static void joinFragments(String text, List<int[]> spans, int first, BitSet blockStarts) {
        for (int i = first; i < spans.size() - 1; ) {
            int[] s = spans.get(i);
            int next = spans.get(i + 1)[0];
            if (isFragment(text, s[0], s[1]) && !blockStarts.get(next) && !text.startsWith("\\[", next)
                    && !text.startsWith("$$", next) && !text.startsWith("\\begin{", next) && !blankLineBetween(text, s[1], next)) {
                spans.get(i + 1)[0] = s[0];
                spans.remove(i);
            } else {
                i++;
            }
        }
    }
}
