package dev.provtrace.trace;

import dev.provtrace.provenance.AdaptiveBeta;
import dev.provtrace.provenance.Label;

import java.util.List;

/**
 * The outcome of labelling traced responses: β used (given or chosen), the β criterion table (always computed,
 * so a report can show where a fixed β sits), and one label per sentence (null = unscored) per response.
 */
public record Labelled(double alpha, double beta, BetaChoice choice, AdaptiveBeta.Result criterion,
                       List<TracedResponse> responses, List<List<Label>> labels) {}
