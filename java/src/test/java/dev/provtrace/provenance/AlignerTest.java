package dev.provtrace.provenance;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlignerTest {
    private static final double NaN = Double.NaN;

    //                                    response: 0123456789012
    private static final String PROMPT = "Q?\n", RESPONSE = "A b. C d.\n\nE.";
    private static final String CONTEXT = PROMPT + RESPONSE;
    private static final int RESPONSE_START = 3;
    private static final List<SentenceSpan> SENTENCES =
            List.of(new SentenceSpan(0, 4), new SentenceSpan(5, 9), new SentenceSpan(11, 13));

    private static ScoredTokens tokens(int[][] spans, double... logprobs) {
        int[] s = new int[spans.length], e = new int[spans.length];
        for (int i = 0; i < spans.length; i++) { s[i] = spans[i][0]; e[i] = spans[i][1]; }
        return new ScoredTokens(s, e, logprobs);
    }

    /** Byte-level BPE without trimmed offsets: " b", " C", " d" include the space before the word. */
    private static final int[][] UNTRIMMED = {
            {0, 0}, {0, 1}, {1, 3}, {3, 4}, {4, 6}, {6, 7}, {7, 9}, {9, 11}, {11, 14}, {14, 15}, {15, 16}};
    /** The same tokens with trim_offsets=true: the leading spaces are cut from the spans. */
    private static final int[][] TRIMMED = {
            {0, 0}, {0, 1}, {1, 3}, {3, 4}, {5, 6}, {6, 7}, {8, 9}, {10, 11}, {11, 14}, {14, 15}, {15, 16}};
    private static final double[] LOGPROBS = {NaN, NaN, -1, -0.5, -1.5, -1.0, -2, -0.25, -1.75, -3, -1};

    private static void assertSentence(SentenceScore s, int tokens, double sum) {
        assertEquals(tokens, s.tokenCount(), "tokens of sentence " + s.index());
        assertEquals(tokens, s.scoredTokenCount());
        assertEquals(sum, s.logprobSum(), 1e-12);
        assertEquals(sum / tokens, s.meanLogprob(), 1e-12);
        assertEquals(Math.exp(sum / tokens), s.probability(), 1e-12);
    }

    @Test
    void wordWithItsLeadingSpaceGoesToTheSentenceOfTheWordWhetherOrNotOffsetsAreTrimmed() {
        for (int[][] spans : new int[][][] {UNTRIMMED, TRIMMED}) {
            Alignment a = Aligner.align(CONTEXT, RESPONSE_START, SENTENCES, tokens(spans, LOGPROBS));
            assertSentence(a.sentences().get(0), 3, -0.5 - 1.5 - 1.0);
            assertSentence(a.sentences().get(1), 3, -2 - 0.25 - 1.75);   // " C" is here, ".\n\n" too
            assertSentence(a.sentences().get(2), 2, -3 - 1);
            assertEquals(1, a.emptySpanTokens());
            assertEquals(2, a.promptTokens());
            assertEquals(0, a.leadingTokens());
            assertEquals(0, a.outsideTokens());
            assertEquals(Math.exp(-1.0), a.probabilities()[0], 1e-12);
            assertEquals(Math.exp(-4.0 / 3), a.probabilities()[1], 1e-12);
            assertEquals(Math.exp(-2.0), a.probabilities()[2], 1e-12);
        }
    }

    @Test
    void whitespaceOnlyTokenBetweenSentencesGoesToTheEarlierSentence() {
        // "." and "\n\n" are separate tokens; "\n\n" starts in the gap [9, 11) after sentence 1
        int[][] spans = {{3, 4}, {4, 6}, {6, 7}, {7, 9}, {9, 11}, {11, 12}, {12, 14}, {14, 15}, {15, 16}};
        double[] lp = {-0.5, -1.5, -1.0, -2, -0.25, -1.0, -0.5, -3, -1};
        Alignment a = Aligner.align(CONTEXT, RESPONSE_START, SENTENCES, tokens(spans, lp));
        assertSentence(a.sentences().get(0), 3, -3.0);
        assertSentence(a.sentences().get(1), 4, -2 - 0.25 - 1.0 - 0.5);
        assertSentence(a.sentences().get(2), 2, -4.0);
    }

    @Test
    void leadingWhitespaceIsNotAssignedTrailingWhitespaceGoesToTheLastSentenceAndLeftOutTextIsCounted() {
        // response offsets: "\n\n" 0-1, "Go." 2-4, "\n" 5, "</think>" 6-13, "\n\n" 14-15, "Ok." 16-18, "\n" 19
        String response = "\n\nGo.\n</think>\n\nOk.\n";
        String context = "P:" + response;
        List<SentenceSpan> sentences = List.of(new SentenceSpan(2, 5), new SentenceSpan(16, 19));
        int[][] spans = {{0, 2}, {2, 4}, {4, 6}, {6, 7}, {7, 8}, {8, 16}, {16, 19}, {20, 21}, {21, 22}};
        //               "P:"    "\n\n"  "Go"    "."     "\n"    "</think>" "\n\nOk" "."    "\n"
        double[] lp = {NaN, -9, -1, -2, -4, -8, -3, -1, -6};
        Alignment a = Aligner.align(context, 2, sentences, tokens(spans, lp));
        assertEquals(1, a.promptTokens());    // "P:"
        assertEquals(1, a.leadingTokens());   // "\n\n" before the first sentence
        assertEquals(1, a.outsideTokens());   // "</think>", in no sentence
        assertSentence(a.sentences().get(0), 3, -1 - 2 - 4);   // "Go" "." and the "\n" after it
        assertSentence(a.sentences().get(1), 3, -3 - 1 - 6);   // "\n\nOk" (anchored at 'O') "." and trailing "\n"
    }

    @Test
    void tokenStartingOnPromptWhitespaceBelongsToTheResponseAndOffsetsAreCodePoints() {
        String prompt = "\uD83D\uDE00?\n";    // an emoji (two UTF-16 chars, one code point), '?', '\n': 3 code points
        String context = prompt + "Hi \uD83D\uDE00.";  // response: 'H' 0, 'i' 1, ' ' 2, emoji 3, '.' 4
        List<SentenceSpan> sentences = List.of(new SentenceSpan(0, 5));
        int[][] spans = {{0, 1}, {1, 2}, {2, 4}, {4, 6}, {6, 7}, {6, 7}, {7, 8}};
        //               emoji   "?"    "\nH"   "i "  emoji byte 1, byte 2 (same span)  "."
        double[] lp = {NaN, -1, -2, -3, -0.5, -0.25, -1.25};
        Alignment a = Aligner.align(context, 3, sentences, tokens(spans, lp));
        assertEquals(2, a.promptTokens());
        assertSentence(a.sentences().get(0), 5, -2 - 3 - 0.5 - 0.25 - 1.25);
    }

    @Test
    void sentenceWithoutTokensIsKeptWithNaNAndTokensWithoutLogprobAreNotAveraged() {
        String context = "A.B.C.";
        List<SentenceSpan> sentences = List.of(new SentenceSpan(0, 2), new SentenceSpan(2, 4), new SentenceSpan(4, 6));
        // no prompt: the first token has no log-prob; "A.B." is one token, so sentence 1 gets nothing
        int[][] spans = {{0, 1}, {1, 4}, {4, 6}};
        double[] lp = {NaN, -2, Double.NEGATIVE_INFINITY};
        Alignment a = Aligner.align(context, 0, sentences, tokens(spans, lp));

        SentenceScore first = a.sentences().get(0);
        assertEquals(2, first.tokenCount());
        assertEquals(1, first.scoredTokenCount());
        assertEquals(-2.0, first.meanLogprob());
        assertEquals(Math.exp(-2.0), first.probability(), 1e-15);

        SentenceScore empty = a.sentences().get(1);
        assertEquals(1, empty.index());
        assertFalse(empty.hasTokens());
        assertFalse(empty.isScored());
        assertEquals(0, empty.tokenCount());
        assertTrue(Double.isNaN(empty.meanLogprob()));
        assertTrue(Double.isNaN(empty.probability()));

        SentenceScore zero = a.sentences().get(2);   // a -Infinity log-prob is probability 0, not missing
        assertTrue(zero.isScored());
        assertEquals(0.0, zero.probability());
        assertEquals(1, a.unscoredSentences());
    }

    @Test
    void tokenWithOnlyNaNLogprobLeavesTheSentenceUnscored() {
        Alignment a = Aligner.align("Hi.", 0, List.of(new SentenceSpan(0, 3)), tokens(new int[][] {{0, 3}}, NaN));
        assertTrue(a.sentences().get(0).hasTokens());
        assertFalse(a.sentences().get(0).isScored());
        assertTrue(Double.isNaN(a.probabilities()[0]));
    }

    @Test
    void badInputsAreRejectedWithTheReason() {
        ScoredTokens none = tokens(new int[0][]);
        IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class, () -> Aligner.align(
                "abcdef", 0, List.of(new SentenceSpan(0, 3), new SentenceSpan(2, 4)), none));
        assertTrue(overlap.getMessage().contains("sentence 1"), overlap.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Aligner.align(
                "abcdef", 2, List.of(new SentenceSpan(0, 5)), none));            // response is 4 code points
        assertThrows(IllegalArgumentException.class, () -> Aligner.align("ab", 3, List.of(), none));
        assertThrows(IllegalArgumentException.class, () -> Aligner.align(
                "ab", 0, List.of(), tokens(new int[][] {{1, 3}}, -1)));       // token past the context
        assertThrows(IllegalArgumentException.class, () -> new SentenceSpan(3, 3));
        assertThrows(IllegalArgumentException.class, () -> tokens(new int[][] {{0, 1}}, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new ScoredTokens(new int[1], new int[1], new double[2]));
    }
}
