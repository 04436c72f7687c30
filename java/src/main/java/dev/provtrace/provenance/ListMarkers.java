package dev.provtrace.provenance;

import java.util.regex.Pattern;

/**
 * Enumeration markers at the start of a line ("1.", "2)", "a.", "iv.", "1.2.", "- 3.", "**4.**", "### 5."). ICU
 * cuts after "1. " when a capital follows ("1. **Units place:** ..."), which would leave the bare number as an
 * action of its own; a marker belongs to its item. Markers in the middle of a line are not touched: "I got 2. Then"
 * is a real sentence end.
 */
final class ListMarkers {
    private static final Pattern MARKER = Pattern.compile(
            "[ \\t]*(?:#{1,6}[ \\t]+)?(?:[-*+•][ \\t]+)?(?:\\*\\*|__)?\\(?"
                    + "(?:\\d{1,3}(?:\\.\\d{1,3})*|[A-Za-z]|[ivxlcdm]{1,6}|[IVXLCDM]{1,6})[.)]");

    private ListMarkers() {}

    /** True when {@code text[lineStart, end)} is exactly a list marker, {@code end} being just after its '.' or ')'. */
    static boolean isMarker(String text, int lineStart, int end) {
        return end - lineStart <= 24 && MARKER.matcher(text).region(lineStart, end).matches();
    }
}
