package dev.provtrace.trace;

import dev.provtrace.provenance.AdaptiveBeta;
import dev.provtrace.provenance.Classifier;
import dev.provtrace.provenance.Label;

import java.util.ArrayList;
import java.util.List;

/** β (given, or chosen from the Δ_TS histogram) and the four-way label of every scored sentence. */
public final class Labeller {
    private Labeller() {}

    /** The β used and the criterion table over all candidate β (always computed, so a report can show it). */
    public record Choice(double beta, AdaptiveBeta.Result criterion) {}

    public static Choice choose(BetaChoice choice, AdaptiveBeta.Histogram deltas) {
        AdaptiveBeta.Result criterion = deltas.values() > 0 ? AdaptiveBeta.choose(deltas) : null;
        if (!choice.auto()) return new Choice(choice.value(), criterion);
        if (criterion == null || !criterion.separated()) {
            throw new IllegalStateException("--beta auto: the Δ_TS of the " + deltas.values() + " scored sentences do not "
                    + "separate into a central part and tails (all in one histogram bin); give --beta a value");
        }
        return new Choice(criterion.beta(), criterion);
    }

    /** One label per sentence; null for a sentence some model has no token in. */
    public static List<Label> label(TracedResponse r, Classifier classifier) {
        List<Label> ls = new ArrayList<>(r.sentences().size());
        for (TracedSentence s : r.sentences()) ls.add(s.scored() ? classifier.label(s.pT(), s.pS(), s.pD()) : null);
        return ls;
    }

    /** Adds Δ_TS of every scored sentence of r to the histogram. */
    public static void addDeltas(TracedResponse r, AdaptiveBeta.Histogram deltas) {
        for (TracedSentence s : r.sentences()) if (s.scored()) deltas.add(s.pT() - s.pS());
    }
}
