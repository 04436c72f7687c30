package dev.provtrace.provenance;

import java.util.Objects;

/**
 * One action of a reasoning response: {@code text} is {@code response[start:end]} with the offsets counted in Unicode
 * code points, as Python slices a string, so that the scoring side (Python or Java) can map sentences to token
 * offsets without caring how Java stores characters. The text is trimmed and never empty.
 */
public record Sentence(int start, int end, String text) {
    public Sentence {
        Objects.requireNonNull(text, "text");
        if (start < 0 || end <= start) throw new IllegalArgumentException("bad span [" + start + ", " + end + ")");
        if (text.codePointCount(0, text.length()) != end - start) {
            throw new IllegalArgumentException("text has " + text.codePointCount(0, text.length()) + " code points, span [" + start + ", " + end + ") has " + (end - start));
        }
    }
}
