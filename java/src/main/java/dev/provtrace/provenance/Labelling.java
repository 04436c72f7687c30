package dev.provtrace.provenance;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Labels of the sentences of one response (or any list of sentences), with counts. A sentence without a
 * probability in a model the rule needs has a {@code null} label and is counted in {@code unscored}, never in a
 * label.
 */
public record Labelling<L extends Enum<L>>(List<L> labels, Map<L, Integer> counts, int unscored) {
    public Labelling {
        labels = Collections.unmodifiableList(labels);
        counts = Collections.unmodifiableMap(counts);
    }

    static <L extends Enum<L>> Labelling<L> of(Class<L> type, List<L> labels) {
        Map<L, Integer> counts = new EnumMap<>(type);
        for (L l : type.getEnumConstants()) counts.put(l, 0);
        int unscored = 0;
        for (L l : labels) {
            if (l == null) unscored++;
            else counts.merge(l, 1, Integer::sum);
        }
        return new Labelling<>(labels, counts, unscored);
    }

    public int size() { return labels.size(); }

    public int labelled() { return labels.size() - unscored; }

    /** Share of the labelled sentences with label {@code l}; NaN when no sentence is labelled. */
    public double fraction(L l) {
        int n = labelled();
        return n == 0 ? Double.NaN : (double) counts.get(l) / n;
    }
}
