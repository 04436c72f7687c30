package dev.provtrace.provenance;

/**
 * One sentence of a response as a half-open range [start, end) of Unicode code points of the response text
 * (not of the prompt-plus-response context). Kept separate from the segmenter's own sentence type so that the
 * provenance code needs nothing but offsets.
 */
public record SentenceSpan(int start, int end) {
    public SentenceSpan {
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("a sentence span needs 0 <= start < end, got [" + start + ", " + end + ")");
        }
    }

    public int length() { return end - start; }

    public boolean contains(int offset) { return offset >= start && offset < end; }
}
