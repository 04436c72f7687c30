package dev.provtrace.provenance;

import java.util.ArrayList;
import java.util.List;

/**
 * Assigns one model's tokens of a context (prompt + response) to the sentences of the response and scores each
 * sentence by the geometric mean of its tokens' probabilities.
 *
 * <h2>Which sentence a token belongs to</h2>
 * Every token goes to at most one sentence, decided by one code point of the token, its <em>anchor</em>:
 * <ul>
 *   <li>the anchor is the token's first <b>non-whitespace</b> code point; a token made only of whitespace is
 *       anchored at its first code point. Byte-level BPE tokenizers glue the space before a word to the word
 *       ("ĠThe"); transformers' ByteLevel post-processor trims that space from the offsets only when
 *       {@code trim_offsets} is true. Anchoring at the first non-whitespace character puts " The" in the
 *       sentence that starts with "The" whether or not the offsets were trimmed, where a first-character rule
 *       would move the first word of every sentence into the sentence before it.</li>
 *   <li>an anchor inside a sentence's span puts the token in that sentence. A token that starts inside a
 *       sentence and runs past its end (".\n\n") stays in the sentence where it starts.</li>
 *   <li>a whitespace-only token anchored in the gap after a sentence ("\n\n" between two sentences, or trailing
 *       whitespace after the last one) goes to the sentence <b>before</b> the gap.</li>
 *   <li>a token anchored before the response (in the prompt) is not assigned and counted as a prompt token;
 *       one anchored in the response before its first sentence (leading whitespace) is counted as leading; a
 *       non-whitespace token anchored outside every sentence (text the segmenter left out, such as a tag between
 *       sentences or a chat-template suffix) is counted as outside. None of these changes any sentence's score.</li>
 *   <li>zero-width tokens (special tokens with span [0, 0)) are ignored.</li>
 * </ul>
 * A token that starts on prompt whitespace and continues into the response ("\n&lt;think&gt;") is anchored at
 * its first non-whitespace character, so it belongs to the response. A whitespace-only token in a gap that also
 * holds left-out text still goes to the sentence before the gap.
 *
 * <h2>Score</h2>
 * A sentence's score uses the log-probs of its tokens that have one (NaN means not scored, as for the first token
 * of a sequence): {@code mean = sum / count} and {@code probability = exp(mean)}. A sentence with no such token
 * keeps its place with NaN mean and probability (see {@link SentenceScore#isScored()}).
 */
public final class Aligner {
    private Aligner() {}

    /**
     * @param context       the text the model scored (prompt + response) — needed to see which characters are
     *                      whitespace
     * @param responseStart code point offset of the response in {@code context}
     * @param sentences     sentence spans in code points of the response, ordered and disjoint
     * @param tokens        the model's tokens of {@code context}, spans in code points of {@code context}
     */
    public static Alignment align(String context, int responseStart, List<SentenceSpan> sentences, ScoredTokens tokens) {
        int[] text = context.codePoints().toArray();
        if (responseStart < 0 || responseStart > text.length) {
            throw new IllegalArgumentException("response start " + responseStart + " is outside the context of "
                    + text.length + " code points");
        }
        checkSentences(sentences, text.length - responseStart);

        int n = sentences.size();
        int[] count = new int[n], scored = new int[n];
        double[] sum = new double[n];
        int prompt = 0, leading = 0, outside = 0, empty = 0;
        for (int t = 0; t < tokens.size(); t++) {
            int start = tokens.starts()[t], end = tokens.ends()[t];
            if (end > text.length) {
                throw new IllegalArgumentException("token " + t + " span [" + start + ", " + end
                        + ") runs past the context of " + text.length + " code points");
            }
            if (start == end) { empty++; continue; }
            int anchor = firstNonWhitespace(text, start, end);
            boolean whitespaceOnly = anchor < 0;
            if (whitespaceOnly) anchor = start;
            int offset = anchor - responseStart;
            if (offset < 0) { prompt++; continue; }

            int k = lastSentenceStartingAtOrBefore(sentences, offset);
            if (k < 0) { leading++; continue; }
            if (offset >= sentences.get(k).end() && !whitespaceOnly) { outside++; continue; }
            count[k]++;
            double lp = tokens.logprobs()[t];
            if (!Double.isNaN(lp)) {
                scored[k]++;
                sum[k] += lp;
            }
        }

        List<SentenceScore> scores = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            double mean = scored[k] > 0 ? sum[k] / scored[k] : Double.NaN;
            scores.add(new SentenceScore(k, sentences.get(k), count[k], scored[k], sum[k], mean, Math.exp(mean)));
        }
        return new Alignment(scores, prompt, leading, outside, empty);
    }

    /** Whitespace as Java's {@link Character#isWhitespace} plus Unicode space separators (NBSP, thin space). */
    static boolean isWhitespace(int codePoint) {
        return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint);
    }

    private static int firstNonWhitespace(int[] text, int start, int end) {
        for (int i = start; i < end; i++) if (!isWhitespace(text[i])) return i;
        return -1;
    }

    private static int lastSentenceStartingAtOrBefore(List<SentenceSpan> sentences, int offset) {
        int lo = 0, hi = sentences.size() - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (sentences.get(mid).start() <= offset) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found;
    }

    private static void checkSentences(List<SentenceSpan> sentences, int responseLength) {
        int previousEnd = 0;
        for (int k = 0; k < sentences.size(); k++) {
            SentenceSpan s = sentences.get(k);
            if (s.start() < previousEnd) {
                throw new IllegalArgumentException("sentence " + k + " " + s + " overlaps or precedes the sentence before it");
            }
            if (s.end() > responseLength) {
                throw new IllegalArgumentException("sentence " + k + " " + s + " runs past the response of "
                        + responseLength + " code points");
            }
            previousEnd = s.end();
        }
    }
}
