package dev.provtrace.provenance;

import java.util.List;

/**
 * Sentence scores of one response under one model, with counts of the tokens that went to no sentence so that a
 * report can show what was left out.
 *
 * @param sentences         one score per input sentence, in order
 * @param promptTokens      tokens anchored before the response (the prompt)
 * @param leadingTokens     tokens anchored in the response but before its first sentence (leading whitespace)
 * @param outsideTokens     non-whitespace tokens anchored between or after sentences (text the segmenter left out)
 * @param emptySpanTokens   zero-width tokens (special tokens with span [0, 0)), ignored
 */
public record Alignment(List<SentenceScore> sentences, int promptTokens, int leadingTokens, int outsideTokens,
                        int emptySpanTokens) {
    public Alignment {
        sentences = List.copyOf(sentences);
    }

    /** Per-sentence probabilities, NaN where a sentence has none: the input of {@link Classifier}. */
    public double[] probabilities() {
        return sentences.stream().mapToDouble(SentenceScore::probability).toArray();
    }

    public int unscoredSentences() {
        return (int) sentences.stream().filter(s -> !s.isScored()).count();
    }
}
