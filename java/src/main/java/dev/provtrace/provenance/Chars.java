package dev.provtrace.provenance;

/** Character classes shared by the segmentation rules, so that every rule agrees on what "space" means. */
final class Chars {
    private Chars() {}

    /** Whitespace as sentences are trimmed of it: Java's whitespace plus Unicode space separators (NBSP, ...). */
    static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    /** Characters that end a line: every one of them ends a sentence outside protected spans. */
    static boolean isLineBreak(char c) {
        return c == '\n' || c == '\r' || c == '\u000B' || c == '\u000C' || c == '\u0085' || c == '\u2028' || c == '\u2029';
    }

    static boolean isBlank(String text, int from, int to) {
        for (int i = from; i < to; i++) if (!isSpace(text.charAt(i))) return false;
        return true;
    }

    /** The first position at or after {@code i} (and before {@code to}) that is not whitespace. */
    static int skipSpace(String text, int i, int to) {
        while (i < to && isSpace(text.charAt(i))) i++;
        return i;
    }

    /** The position just after the last non-whitespace character before {@code i} (not before {@code from}). */
    static int skipSpaceBack(String text, int from, int i) {
        while (i > from && isSpace(text.charAt(i - 1))) i--;
        return i;
    }

    static boolean hasLineBreak(String text, int from, int to) {
        for (int i = from; i < to; i++) if (isLineBreak(text.charAt(i))) return true;
        return false;
    }

    /** Where the line holding {@code i} starts, not before {@code from}. */
    static int lineStart(String text, int from, int i) {
        while (i > from && !isLineBreak(text.charAt(i - 1))) i--;
        return i;
    }

    /** The next line break at or after {@code i}, or {@code to}. */
    static int lineEnd(String text, int i, int to) {
        while (i < to && !isLineBreak(text.charAt(i))) i++;
        return i;
    }
}
