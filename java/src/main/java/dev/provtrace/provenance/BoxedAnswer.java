package dev.provtrace.provenance;

import java.util.Optional;

/**
 * Finds the content of the last {@code \boxed{...}} or {@code \fbox{...}} of a text, with balanced braces, so that
 * {@code \boxed{\frac{1}{2}}} gives {@code \frac{1}{2}}. Escaped braces ({@code \{}, {@code \}}) are content, not
 * nesting. The brace-less form {@code \boxed 5} gives the text up to the next whitespace or {@code $}
 * (as models write {@code \boxed 52} for 52, not LaTeX's one-token argument).
 * <p>
 * Only the last box counts: long reasoning boxes intermediate results, and the final answer comes last. If the last
 * box is never closed (a generation cut off inside it) there is no answer: an earlier, complete box would be an
 * intermediate result, not the final answer.
 */
final class BoxedAnswer {
    private static final String[] COMMANDS = {"\\boxed", "\\fbox"};

    private BoxedAnswer() {}

    static Optional<String> last(String text) {
        int at = -1;
        String command = null;
        for (String c : COMMANDS) {
            for (int from = text.length(); from >= 0; ) {
                int i = text.lastIndexOf(c, from);
                if (i < 0) break;
                if (isCommandEnd(text, i + c.length())) {
                    if (i > at) { at = i; command = c; }
                    break;
                }
                from = i - 1;
            }
        }
        if (at < 0) return Optional.empty();
        int i = at + command.length();
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) i++;
        if (i >= text.length()) return Optional.empty();
        if (text.charAt(i) != '{') {
            int end = i;
            while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && text.charAt(end) != '$') end++;
            return Optional.of(text.substring(i, end));
        }
        int depth = 0;
        for (int j = i; j < text.length(); j++) {
            char ch = text.charAt(j);
            if (ch == '\\') { j++; continue; }
            if (ch == '{') depth++;
            else if (ch == '}' && --depth == 0) return Optional.of(text.substring(i + 1, j));
        }
        return Optional.empty();
    }

    /** A command name ends where no letter follows: "\boxed{" and "\boxed 5" but not "\boxedx". */
    private static boolean isCommandEnd(String text, int i) {
        return i >= text.length() || !Character.isLetter(text.charAt(i));
    }
}
