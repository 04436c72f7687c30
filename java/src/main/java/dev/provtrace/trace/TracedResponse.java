package dev.provtrace.trace;

import dev.provtrace.provenance.Correctness;

import java.util.List;

/** A traced response: its sentences with their per-model probabilities, and whether its final answer is right. */
public record TracedResponse(String id, String group, Correctness correctness, String response,
                             List<TracedSentence> sentences) {
    public TracedResponse {
        sentences = List.copyOf(sentences);
    }
}
