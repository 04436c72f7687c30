package dev.provtrace.model;

import dev.provtrace.io.Checkpoint;
import dev.provtrace.io.NonFiniteScan;

import java.util.List;

/**
 * The load-time NaN/Inf check of the tensors the forward pass reads ({@link WeightSpec#expectedShapes}): one
 * non-finite weight turns every log-prob into NaN, which would otherwise be written out as if it were a score.
 */
public final class FiniteWeights {
    /** How to turn the check off, for the message. */
    public static final String SKIP_HINT = "--skip-weight-scan loads it anyway";
    private static final int MAX_NAMED = 5;

    private FiniteWeights() {}

    /** The first non-finite value of each used tensor that has one (empty when all are finite). */
    public static List<NonFiniteScan.Finding> find(Checkpoint checkpoint, ModelConfig config, int threads) {
        List<String> used = WeightSpec.expectedShapes(config).keySet().stream().filter(checkpoint::has).toList();
        return NonFiniteScan.scan(checkpoint, used, threads);
    }

    /** Null when every used weight is finite; else the first finding, how many other tensors have one, and the hint. */
    public static String problem(Checkpoint checkpoint, ModelConfig config, int threads) {
        return describe(find(checkpoint, config, threads));
    }

    /** As {@link #problem}, for findings already made. */
    public static String describe(List<NonFiniteScan.Finding> found) {
        if (found.isEmpty()) return null;
        StringBuilder sb = new StringBuilder(found.get(0).message());
        if (found.size() > 1) {
            List<String> others = found.subList(1, found.size()).stream().map(NonFiniteScan.Finding::tensor).toList();
            sb.append("; ").append(others.size()).append(" more tensor(s) hold non-finite values: ")
                    .append(String.join(", ", others.subList(0, Math.min(MAX_NAMED, others.size()))))
                    .append(others.size() > MAX_NAMED ? " and " + (others.size() - MAX_NAMED) + " more" : "");
        }
        return sb.append(" (").append(SKIP_HINT).append(")").toString();
    }

    /** Throws {@link WeightsException} naming the folder and {@link #problem} when a used weight is NaN or ±Inf. */
    public static void require(Checkpoint checkpoint, ModelConfig config, int threads) {
        String problem = problem(checkpoint, config, threads);
        if (problem != null) throw new WeightsException(checkpoint.folder() + ": " + problem);
    }
}
