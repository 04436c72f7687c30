package dev.provtrace.trace;

import dev.provtrace.provenance.AdaptiveBeta;
import dev.provtrace.provenance.Classifier;
import dev.provtrace.provenance.Label;

import java.util.ArrayList;
import java.util.List;

/** Labels every scored sentence with the four-way rule; β fixed or chosen from the data (auto). */
public final class Labeller {
    private Labeller() {}

    public static Labelled label(List<TracedResponse> responses, double alpha, BetaChoice choice) {
        List<Double> deltas = new ArrayList<>();
        for (TracedResponse r : responses) {
            for (TracedSentence s : r.sentences()) if (s.scored()) deltas.add(s.pT() - s.pS());
        }
        double[] d = deltas.stream().mapToDouble(Double::doubleValue).toArray();
        AdaptiveBeta.Result criterion = d.length > 0 ? AdaptiveBeta.choose(d) : null;
        double beta = choice.value();
        if (choice.auto()) {
            if (criterion == null || !criterion.separated()) {
                throw new IllegalStateException("--beta auto: the Δ_TS of the " + d.length + " scored sentences do not separate "
                        + "into a central part and tails (all in one histogram bin); give --beta a value");
            }
            beta = criterion.beta();
        }
        Classifier classifier = new Classifier(alpha, beta);
        List<List<Label>> labels = new ArrayList<>(responses.size());
        for (TracedResponse r : responses) {
            List<Label> ls = new ArrayList<>(r.sentences().size());
            for (TracedSentence s : r.sentences()) ls.add(s.scored() ? classifier.label(s.pT(), s.pS(), s.pD()) : null);
            labels.add(ls);
        }
        return new Labelled(alpha, beta, choice, criterion, responses, labels);
    }
}
