package dev.provtrace.trace;

import dev.provtrace.provenance.AdaptiveBeta;
import dev.provtrace.provenance.Correctness;
import dev.provtrace.provenance.Label;
import dev.provtrace.provenance.LabelledResponse;
import dev.provtrace.provenance.PositionCurves;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything summary.json and report.html need, accumulated one labelled response at a time, so a trace of any
 * size is summarised without holding its responses: label counts overall and per group, correctness, position
 * curves, the Δ_TS histogram by label, and a few example responses for the report.
 */
public final class TraceStats {
    /** Responses shown in full in the report: up to this many, alternating correct and incorrect. */
    public static final int EXAMPLES = 6;
    public static final int DELTA_BINS = 40;

    /** One example kept for the report, with its position in the input. */
    public record Example(long order, TracedResponse response, List<Label> labels) {}

    public final double alpha;
    public final double beta;
    public final BetaChoice choice;
    public final AdaptiveBeta.Result criterion;      // null when there was no scored sentence

    final Map<Label, Integer> total = new EnumMap<>(Label.class);
    final Map<String, Map<Label, Integer>> byGroup = new TreeMap<>();
    final Map<Correctness, Integer> correctness = new EnumMap<>(Correctness.class);
    final PositionCurves.Builder<Label> curves;
    final int[][] deltaCounts = new int[Label.values().length][DELTA_BINS];
    /** [Δ_TS, Δ_TD, Δ_SD][label][bin of DELTA_BINS over [−1, 1]]: the histograms of the figures. */
    final int[][][] deltas = new int[3][Label.values().length][DELTA_BINS];
    private final List<Example> correctExamples = new ArrayList<>(), incorrectExamples = new ArrayList<>(),
            otherExamples = new ArrayList<>();
    int responses, sentences, unscored;
    /** With several teachers: Teacher-labelled sentences per attributed teacher (index); null with one. */
    long[] teacherCounts;
    /** Position curves per group (correct vs incorrect within each): the group × correctness split. */
    final Map<String, PositionCurves.Builder<Label>> curvesByGroup = new TreeMap<>();
    private final int positionBins;
    /** The scatter's points: every labelled sentence up to SCATTER_POINTS, then a fixed-seed reservoir sample. */
    public static final int SCATTER_POINTS = 20_000;
    private final float[][] scatter = new float[SCATTER_POINTS][];   // {Δ_TS, Δ_TD, label ordinal}
    private long scatterSeen;
    private final java.util.SplittableRandom reservoir = new java.util.SplittableRandom(20251224L);

    public TraceStats(double alpha, double beta, BetaChoice choice, AdaptiveBeta.Result criterion) {
        this(alpha, beta, choice, criterion, PositionCurves.DEFAULT_BINS);
    }

    /** @param positionBins bins of the relative-position curves (--position-bins) */
    public TraceStats(double alpha, double beta, BetaChoice choice, AdaptiveBeta.Result criterion, int positionBins) {
        this.curves = new PositionCurves.Builder<>(Label.class, positionBins, PositionCurves.Weighting.SENTENCE);
        this.positionBins = positionBins;
        this.alpha = alpha;
        this.beta = beta;
        this.choice = choice;
        this.criterion = criterion;
    }

    public void add(TracedResponse r, List<Label> labels) {
        correctness.merge(r.correctness(), 1, Integer::sum);
        Map<Label, Integer> g = byGroup.computeIfAbsent(r.group(), k -> new EnumMap<>(Label.class));
        for (int k = 0; k < labels.size(); k++) {
            Label lab = labels.get(k);
            sentences++;
            if (lab == null) {
                unscored++;
                continue;
            }
            total.merge(lab, 1, Integer::sum);
            g.merge(lab, 1, Integer::sum);
            TracedSentence s = r.sentences().get(k);
            if (s.pTeachers() != null) {
                if (teacherCounts == null) teacherCounts = new long[s.pTeachers().length];
                if (lab == Label.TEACHER && s.teacher() >= 0) teacherCounts[s.teacher()]++;
            }
            double width = 2.0 / DELTA_BINS;
            int b = Math.min(DELTA_BINS - 1, Math.max(0, (int) Math.floor((s.pT() - s.pS() + 1) / width)));
            deltaCounts[lab.ordinal()][b]++;
            double[] d = {s.pT() - s.pS(), s.pT() - s.pD(), s.pS() - s.pD()};
            float[] point = {(float) d[0], (float) d[1], lab.ordinal()};
            if (scatterSeen < SCATTER_POINTS) scatter[(int) scatterSeen] = point;
            else {
                long j = reservoir.nextLong(scatterSeen + 1);   // Algorithm R: each sentence kept with the same chance
                if (j < SCATTER_POINTS) scatter[(int) j] = point;
            }
            scatterSeen++;
            for (int which = 0; which < 3; which++) {
                deltas[which][lab.ordinal()][Math.min(DELTA_BINS - 1, Math.max(0, (int) Math.floor((d[which] + 1) / width)))]++;
            }
        }
        curves.add(new LabelledResponse<>(labels, r.correctness()));
        curvesByGroup.computeIfAbsent(r.group(), k -> new PositionCurves.Builder<>(Label.class, positionBins,
                PositionCurves.Weighting.SENTENCE)).add(new LabelledResponse<>(labels, r.correctness()));
        List<Example> bucket = r.correctness() == Correctness.CORRECT ? correctExamples
                : r.correctness() == Correctness.INCORRECT ? incorrectExamples : otherExamples;
        if (bucket.size() < EXAMPLES) bucket.add(new Example(responses, r, new ArrayList<>(labels)));   // labels hold nulls
        responses++;
    }

    /** Up to EXAMPLES responses, alternating correct and incorrect ones, then unknown ones; in input order. */
    public List<Example> examples() {
        List<Example> out = new ArrayList<>();
        for (int k = 0; out.size() < EXAMPLES && (k < correctExamples.size() || k < incorrectExamples.size()); k++) {
            if (k < correctExamples.size()) out.add(correctExamples.get(k));
            if (k < incorrectExamples.size() && out.size() < EXAMPLES) out.add(incorrectExamples.get(k));
        }
        for (int k = 0; out.size() < EXAMPLES && k < otherExamples.size(); k++) out.add(otherExamples.get(k));
        out.sort((a, b) -> Long.compare(a.order(), b.order()));
        return out;
    }

    public int[][] deltaCounts() { return deltaCounts; }

    /** Histograms of Δ_TS (0), Δ_TD (1), Δ_SD (2) by label, DELTA_BINS bins over [−1, 1]. */
    public int[][][] deltas() { return deltas; }

    /** Per group, its position curves (correct and incorrect responses of that group). */
    public Map<String, PositionCurves.Result<Label>> positionCurvesByGroup() {
        Map<String, PositionCurves.Result<Label>> out = new TreeMap<>();
        curvesByGroup.forEach((g, b) -> out.put(g, b.result()));
        return out;
    }

    /** The scatter's points {Δ_TS, Δ_TD, label ordinal}, and how many labelled sentences they were drawn from. */
    public List<float[]> scatterPoints() {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < Math.min(SCATTER_POINTS, scatterSeen); i++) out.add(scatter[i]);
        return out;
    }

    public long scatterSentences() { return scatterSeen; }

    /** The position curves so far. */
    public PositionCurves.Result<Label> positionCurves() { return curves.result(); }
}
