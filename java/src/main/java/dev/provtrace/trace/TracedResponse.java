package dev.provtrace.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.provtrace.provenance.Correctness;

import java.util.List;

/**
 * A traced response: its sentences with their per-model probabilities, and whether its final answer is right.
 *
 * @param idValue the id as the input gave it (a string or integer node), written to every output
 */
public record TracedResponse(String id, String group, Correctness correctness, String response,
                             List<TracedSentence> sentences, JsonNode idValue) {
    public TracedResponse {
        sentences = List.copyOf(sentences);
        if (idValue == null) idValue = TextNode.valueOf(id);
    }

    public TracedResponse(String id, String group, Correctness correctness, String response, List<TracedSentence> sentences) {
        this(id, group, correctness, response, sentences, TextNode.valueOf(id));
    }
}
