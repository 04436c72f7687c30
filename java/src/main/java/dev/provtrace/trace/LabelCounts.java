package dev.provtrace.trace;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.provenance.Label;

/** Sentences per label ({@code long[Label.values().length]}, by ordinal) and what the sweep and compare report of them. */
final class LabelCounts {
    private LabelCounts() {}

    static long total(long[] counts) {
        long n = 0;
        for (long k : counts) n += k;
        return n;
    }

    /** {@code label}'s share of the labelled sentences; null when none is labelled. */
    static Double share(long[] counts, Label label) {
        long n = total(counts);
        return n == 0 ? null : (double) counts[label.ordinal()] / n;
    }

    /** {"labelled_sentences", "counts" (when {@code withCounts}), "fractions"}; fractions null when none is labelled. */
    static ObjectNode json(long[] counts, boolean withCounts) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("labelled_sentences", total(counts));
        if (withCounts) {
            ObjectNode cnt = o.putObject("counts");
            for (Label lab : Label.values()) cnt.put(lab.name(), counts[lab.ordinal()]);
        }
        ObjectNode frac = o.putObject("fractions");
        for (Label lab : Label.values()) {
            Double v = share(counts, lab);
            if (v == null) frac.putNull(lab.name());
            else frac.put(lab.name(), v);
        }
        return o;
    }
}
