package dev.provtrace.trace;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.provenance.Classifier;
import dev.provtrace.provenance.Correctness;
import dev.provtrace.provenance.Label;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sensitivity of a trace's labels to α and β: every sentence relabelled under every (α, β) of a grid, from the
 * probabilities the trace stored (no model). Per cell: label fractions over all labelled sentences, over those of
 * correct and of incorrect responses, and the correct-minus-incorrect difference of the Teacher share (the paper's
 * association between teacher-originated reasoning and correctness). One pass over the trace, one set of counters
 * per cell, so a trace of any size is swept in constant memory.
 */
public final class ThresholdSweep {
    /** More cells than this is a typo in the step, not a study. */
    public static final int MAX_CELLS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The grid's values of one threshold, ascending. */
    public record Axis(String name, double[] values) {}

    /** α values × β values, from {@code alpha=START:STOP:STEP,beta=...}; a missing one is the single value given. */
    public record Grid(Axis alpha, Axis beta) {
        public int cells() { return alpha.values.length * beta.values.length; }
    }

    /** Counts of one cell: [part][label], part 0 all sentences, 1 those of correct responses, 2 of incorrect ones. */
    private static final class Cell {
        final long[][] counts = new long[3][Label.values().length];
    }

    private final Grid grid;
    private final Classifier[][] classifiers;
    private final Cell[][] cells;
    private long sentences, unscored, correctResponses, incorrectResponses, responses;

    public ThresholdSweep(Grid grid) {
        this.grid = grid;
        int na = grid.alpha.values.length, nb = grid.beta.values.length;
        classifiers = new Classifier[na][nb];
        cells = new Cell[na][nb];
        for (int i = 0; i < na; i++) {
            for (int j = 0; j < nb; j++) {
                classifiers[i][j] = new Classifier(grid.alpha.values[i], grid.beta.values[j]);
                cells[i][j] = new Cell();
            }
        }
    }

    /**
     * Parses {@code alpha=0.05:0.2:0.025,beta=0.05:0.3:0.025}: each threshold as START:STOP:STEP (STOP included when
     * the steps reach it exactly, counted in decimal so 0.05 + 6 × 0.025 is 0.2) or as one value; a threshold not
     * named keeps {@code alpha} / {@code beta} (the --alpha / --beta of the command).
     */
    public static Grid parse(String spec, double alpha, double beta) {
        Map<String, double[]> axes = new LinkedHashMap<>();
        for (String part : spec.split(",", -1)) {
            int eq = part.indexOf('=');
            String key = eq < 0 ? part.trim() : part.substring(0, eq).trim();
            if (eq < 0 || !(key.equals("alpha") || key.equals("beta"))) {
                throw new IllegalArgumentException("--sweep: \"" + part + "\" is not alpha=START:STOP:STEP or beta=START:STOP:STEP"
                        + " (or alpha=VALUE)");
            }
            if (axes.containsKey(key)) throw new IllegalArgumentException("--sweep: " + key + " is given twice");
            axes.put(key, values(key, part.substring(eq + 1).trim()));
        }
        Grid g = new Grid(new Axis("alpha", axes.getOrDefault("alpha", new double[] {alpha})),
                new Axis("beta", axes.getOrDefault("beta", new double[] {beta})));
        if (g.cells() > MAX_CELLS) {
            throw new IllegalArgumentException("--sweep: " + g.alpha.values.length + " × " + g.beta.values.length + " = " + g.cells()
                    + " cells, more than " + MAX_CELLS + " (is a step too small?)");
        }
        return g;
    }

    private static double[] values(String key, String range) {
        String[] p = range.split(":", -1);
        try {
            if (p.length == 1) return new double[] {threshold(key, new BigDecimal(p[0]))};
            if (p.length != 3) throw new NumberFormatException();
            BigDecimal start = new BigDecimal(p[0]), stop = new BigDecimal(p[1]), step = new BigDecimal(p[2]);
            if (step.signum() <= 0) throw new IllegalArgumentException("--sweep: " + key + "'s step must be > 0, got " + p[2]);
            if (stop.compareTo(start) < 0) throw new IllegalArgumentException("--sweep: " + key + " stops (" + p[1] + ") before it starts (" + p[0] + ")");
            BigDecimal count = stop.subtract(start).divideToIntegralValue(step);
            if (count.compareTo(BigDecimal.valueOf(MAX_CELLS)) >= 0) {
                throw new IllegalArgumentException("--sweep: " + key + "=" + range + " has more than " + MAX_CELLS + " values");
            }
            int n = count.intValueExact() + 1;
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = threshold(key, start.add(step.multiply(BigDecimal.valueOf(i))));
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--sweep: " + key + "=" + range + " is not START:STOP:STEP or one number");
        }
    }

    private static double threshold(String key, BigDecimal v) {
        if (v.signum() < 0) throw new IllegalArgumentException("--sweep: " + key + " values must be >= 0, got " + v.toPlainString());
        return v.doubleValue();
    }

    public Grid grid() { return grid; }

    /** Labels every sentence of one response under every cell. */
    public void add(TracedResponse r) {
        responses++;
        int part = r.correctness() == Correctness.CORRECT ? 1 : r.correctness() == Correctness.INCORRECT ? 2 : 0;
        if (part == 1) correctResponses++;
        if (part == 2) incorrectResponses++;
        for (TracedSentence s : r.sentences()) {
            sentences++;
            if (Double.isNaN(s.pT()) || Double.isNaN(s.pS()) || Double.isNaN(s.pD())) {
                unscored++;
                continue;
            }
            for (int i = 0; i < cells.length; i++) {
                for (int j = 0; j < cells[i].length; j++) {
                    int lab = classifiers[i][j].label(s.pT(), s.pS(), s.pD()).ordinal();
                    long[][] c = cells[i][j].counts;
                    c[0][lab]++;
                    if (part != 0) c[part][lab]++;
                }
            }
        }
    }

    /** The sweep over a whole trace. */
    public static ThresholdSweep of(TraceOutputs.ResponseSource source, Grid grid) throws IOException {
        ThresholdSweep sweep = new ThresholdSweep(grid);
        source.forEach(sweep::add);
        return sweep;
    }

    /** One JSON object per cell, α-major: what sweep.jsonl holds. */
    public List<ObjectNode> rows() {
        List<ObjectNode> rows = new ArrayList<>(grid.cells());
        for (int i = 0; i < cells.length; i++) {
            for (int j = 0; j < cells[i].length; j++) {
                long[][] c = cells[i][j].counts;
                ObjectNode o = JSON.createObjectNode();
                o.put("alpha", grid.alpha.values[i]);
                o.put("beta", grid.beta.values[j]);
                o.set("overall", LabelCounts.json(c[0], true));
                o.set("correct", LabelCounts.json(c[1], true));
                o.set("incorrect", LabelCounts.json(c[2], true));
                Double gap = teacherGap(i, j);
                if (gap == null) o.putNull("teacher_gap");
                else o.put("teacher_gap", gap);
                rows.add(o);
            }
        }
        return rows;
    }

    /** Teacher share of correct responses' sentences minus that of incorrect ones'; null when either has none. */
    public Double teacherGap(int alphaIndex, int betaIndex) {
        long[][] c = cells[alphaIndex][betaIndex].counts;
        Double correct = LabelCounts.share(c[1], Label.TEACHER), incorrect = LabelCounts.share(c[2], Label.TEACHER);
        return correct == null || incorrect == null ? null : correct - incorrect;
    }

    /** The Teacher share over all labelled sentences of a cell; null when none is labelled. */
    public Double teacherShare(int alphaIndex, int betaIndex) { return LabelCounts.share(cells[alphaIndex][betaIndex].counts[0], Label.TEACHER); }

    public long responses() { return responses; }

    public long sentences() { return sentences; }

    public long unscored() { return unscored; }

    public long correctResponses() { return correctResponses; }

    public long incorrectResponses() { return incorrectResponses; }
}
