package dev.provtrace.trace;

/**
 * @param text             the full context: prompt then response
 * @param responseOffset   code point of {@code text} where the response's first character would be; the response's
 *                         own offsets map to context offsets by adding this (also when a duplicated {@code <think>}
 *                         was dropped: those characters are then the prompt's identical ones)
 * @param addSpecialTokens tokenize with the tokenizer's special tokens (raw prompts) or not (chat templates)
 */
public record PromptContext(String text, int responseOffset, boolean addSpecialTokens) {}
