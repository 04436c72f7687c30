package dev.provtrace.demo;

import java.util.List;

/**
 * One line of demo-input.jsonl together with its ground truth: the planted sentences of {@code response} in order.
 * Every non-whitespace character of the response outside {@code <think>} / {@code </think>} belongs to exactly one
 * planted sentence.
 */
public record DemoRecord(String id, String question, String response, String answer, boolean correct, String group,
                         List<PlantedSentence> sentences) {
    public DemoRecord {
        sentences = List.copyOf(sentences);
    }
}
