package dev.provtrace.tokenizer;

/**
 * Token ids of a text with each token's span [starts[i], ends[i]) in Unicode code points of the text.
 * Special tokens the tokenizer added (BOS, ...) have the empty span [0, 0) as in transformers.
 */
public record Encoding(int[] ids, int[] starts, int[] ends) {
    public int size() { return ids.length; }
}
