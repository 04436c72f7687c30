package dev.provtrace.provenance;

import java.util.Collections;
import java.util.List;

/**
 * The sentence labels of one response in order ({@code null} for an unscored sentence) and whether its final
 * answer was right.
 */
public record LabelledResponse<L extends Enum<L>>(List<L> labels, Correctness correctness) {
    public LabelledResponse {
        labels = Collections.unmodifiableList(labels);
        if (correctness == null) throw new IllegalArgumentException("correctness is required (UNKNOWN if not known)");
    }
}
