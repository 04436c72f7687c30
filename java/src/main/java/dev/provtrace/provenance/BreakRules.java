package dev.provtrace.provenance;

import java.util.BitSet;

/**
 * Judges each sentence boundary that ICU's Unicode sentence rules (UAX #29) propose, and drops those that are wrong
 * in reasoning traces: ICU knows languages, not math, markdown or enumerations. {@link #cutFor} only removes or
 * slightly moves ICU's boundaries; the {@code add...Cuts} methods propose the few that ICU misses, and those too go
 * through {@link #cutFor}. Line breaks and code blocks add theirs in {@link Segmenter}.
 * <ul>
 *   <li>No space after the terminator: only a capital starts a new sentence ("x=5.Then"); "x!=y", "3!×2" stay.
 *       (ICU never cuts decimals such as 3.14 in the first place.)</li>
 *   <li>Ellipsis ("..." or "…"): a sentence ends there only when a capitalised word follows ("Wait... Let me"), not
 *       in "1 + 2 + ... + 100" or "a_1 < ... < a_k".</li>
 *   <li>Factorial ("5!", "n!", "(2k)!"): the same, so "5! = 120" is one sentence.</li>
 *   <li>"?" or "!" inside quotes or parentheses followed by a lowercase word ("(why?) because") does not cut.</li>
 *   <li>{@link Abbreviations} and line-start {@link ListMarkers} do not cut.</li>
 *   <li>Markdown emphasis that closes right after the terminator stays with its sentence ("**Answer.** Next").</li>
 * </ul>
 */
final class BreakRules {
    private BreakRules() {}

    /**
     * Where to cut for ICU's boundary {@code b} in {@code text[from, to)}, or -1 for no cut. ICU puts {@code b} after
     * the whitespace that follows a sentence, that is at the start of the next one.
     */
    static int cutFor(String text, int from, int to, int b) {
        int end = Chars.skipSpaceBack(text, from, b);   // just after the sentence's last visible character
        if (end == from || b >= to || Chars.hasLineBreak(text, end, b)) return b;   // line breaks always cut
        if (end == b) {
            int m = b;
            while (m < to && isEmphasis(text.charAt(m))) m++;
            if (m > b && (m == to || Chars.isSpace(text.charAt(m)))) {
                end = m;
                b = Chars.skipSpace(text, m, to);
                if (b == to || Chars.hasLineBreak(text, end, b)) return b;
            }
        }
        int terminator = end - 1;
        while (terminator > from && isCloser(text.charAt(terminator))) terminator--;
        char t = text.charAt(terminator);
        boolean glued = end == b;

        if (glued && (t == '.' || t == '?' || t == '!') && !startsCapitalised(text, b, to)) return -1;
        if (t == '…' || (t == '.' && terminator >= from + 2 && text.startsWith("..", terminator - 2))) {
            return startsCapitalised(text, b, to) ? b : -1;
        }
        if (t == '!' && isFactorial(text, from, terminator)) return startsCapitalised(text, b, to) ? b : -1;
        if ((t == '?' || t == '!') && terminator < end - 1 && Character.isLowerCase(text.codePointAt(b))) return -1;
        if (t == '.' && Abbreviations.keepsSentenceOpen(text, from, terminator, b)) return -1;
        if ((t == '.' || t == ')') && ListMarkers.isMarker(text, Chars.lineStart(text, from, terminator), terminator + 1)) return -1;
        return b;
    }

    /**
     * The one boundary ICU never proposes: after the ellipsis character "…" (not a terminator in UAX #29), so that
     * "Hmm… Then" cuts exactly as "Hmm... Then" does. Adds to {@code cuts} the start of each sentence that follows
     * "…", whitespace and a capitalised word.
     */
    static void addEllipsisCharacterCuts(String text, int from, int to, BitSet cuts) {
        for (int i = text.indexOf('…', from); i >= 0 && i < to; i = text.indexOf('…', i + 1)) {
            int next = Chars.skipSpace(text, i + 1, to);
            if (next > i + 1 && startsCapitalised(text, next, to)) cuts.set(next);
        }
    }

    /**
     * Cuts that ICU misses because the next sentence starts in lowercase math: inline LaTeX ("... periodic functions.
     * \( \sin(2\pi x) \) has a period") or a one-letter variable ("that's 0.06. n is 12", "n=0. n=3 is a winning
     * position"). ICU keeps a period followed by a lowercase word in the sentence, which is right for words
     * ("e.g. the") but not for math, where case says nothing about sentence starts. Abbreviations, list markers,
     * ellipses and factorials still do not cut (the candidates go through {@link #cutFor}).
     *
     * @param mathStarts positions where an inline or display LaTeX span begins
     */
    static void addMathStartCuts(String text, int from, int to, BitSet mathStarts, BitSet cuts) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c != '.' && c != '?' && c != '!') continue;
            int j = i + 1;
            while (j < to && isCloser(text.charAt(j))) j++;
            int next = j;
            while (next < to && (text.charAt(next) == ' ' || text.charAt(next) == '\t')) next++;
            if (next == j || next >= to) continue;
            if (mathStarts.get(next) || isLoneLowercaseLetter(text, next, to)) {
                int cut = cutFor(text, from, to, next);
                if (cut >= 0) cuts.set(cut);
            }
        }
    }

    /** True for a one-letter lowercase word at {@code i} ("n is", "x=3", "𝑥 +"), not for "a's" or "e.g.". */
    private static boolean isLoneLowercaseLetter(String text, int i, int to) {
        int cp = text.codePointAt(i);
        if (!Character.isLetter(cp) || !Character.isLowerCase(cp)) return false;
        int after = i + Character.charCount(cp);
        if (after >= to) return true;
        int next = text.codePointAt(after);
        return !Character.isLetter(next) && next != '\'' && next != '’' && next != '.';
    }

    private static boolean isEmphasis(char c) {
        return c == '*' || c == '_';
    }

    /** Characters that may follow a terminator inside the same sentence: closing quotes, brackets, emphasis. */
    private static boolean isCloser(char c) {
        return ")]}\"'”’»*_".indexOf(c) >= 0;
    }

    /** True when a capitalised word (or a caseless letter, as in Chinese) starts at {@code i}, past opening marks. */
    private static boolean startsCapitalised(String text, int i, int to) {
        while (i < to && "*_\"'“‘«([".indexOf(text.charAt(i)) >= 0) i++;
        if (i >= to) return false;
        int cp = text.codePointAt(i);
        return Character.isLetter(cp) && !Character.isLowerCase(cp);
    }

    /** True when the '!' at {@code bang} is a factorial: after a digit, a bracket or a one-letter variable. */
    private static boolean isFactorial(String text, int from, int bang) {
        int k = bang;
        while (k > from && text.charAt(k - 1) == '!') k--;   // double factorial n!!
        if (k == from) return false;
        char prev = text.charAt(k - 1);
        if (Character.isDigit(prev) || prev == ')' || prev == '}') return true;
        return Character.isLetter(prev) && (k - 1 == from || !Character.isLetter(text.charAt(k - 2)));
    }
}
