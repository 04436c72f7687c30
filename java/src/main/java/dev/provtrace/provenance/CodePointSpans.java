package dev.provtrace.provenance;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns UTF-16 spans (how Java indexes strings) into {@link Sentence}s with code-point offsets (how Python and the
 * output format index them). Done once, at the end, in one pass over the ordered spans, so that astral characters
 * (𝑥, emoji) cannot shift any offset and the cost stays linear in the response length.
 */
final class CodePointSpans {
    private CodePointSpans() {}

    /** {@code spans} are ordered, disjoint UTF-16 {@code [start, end)} pairs that never split a surrogate pair. */
    static List<Sentence> toSentences(String text, List<int[]> spans) {
        List<Sentence> out = new ArrayList<>(spans.size());
        int utf16 = 0, codePoint = 0;
        for (int[] span : spans) {
            codePoint += text.codePointCount(utf16, span[0]);
            int start = codePoint;
            codePoint += text.codePointCount(span[0], span[1]);
            utf16 = span[1];
            out.add(new Sentence(start, codePoint, text.substring(span[0], span[1])));
        }
        return out;
    }
}
