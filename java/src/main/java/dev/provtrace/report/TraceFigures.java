package dev.provtrace.report;

import dev.provtrace.provenance.Label;
import dev.provtrace.provenance.PositionCurves;
import dev.provtrace.trace.TraceStats;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.StackedXYBarRenderer;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.data.xy.DefaultTableXYDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The figures of a trace, written by the run that labels it (trace, classify) into {@code OUT/figures} as SVG and
 * PNG ({@link Figures}), static: for each label its share by relative position in correct (green, solid) and
 * incorrect (red, dashed) responses with Wilson 95% bands, broken where a bin has no sentence instead of bridging
 * it; the Teacher share by position per group × correctness; the histograms of Δ_TS, Δ_TD and Δ_SD stacked by
 * label; and Δ_TS against Δ_TD coloured by label (at most {@link TraceStats#SCATTER_POINTS} points, a fixed-seed
 * sample beyond that, as its title says). The correctness colours are not the label colours, so the Teacher band is
 * never mistaken for a Teacher curve.
 */
public final class TraceFigures {
    /** Label colours (the report's): Shared grey, Teacher blue, Student orange, Boosted purple. */
    static final Color[] LABEL_COLOURS = {new Color(0x9E9E9E), new Color(0x1F77B4), new Color(0xFF7F0E), new Color(0x9467BD)};
    private static final Color CORRECT = new Color(0x2CA02C), INCORRECT = new Color(0xD62728);
    private static final String[] DELTAS = {"delta_ts", "delta_td", "delta_sd"};
    private static final String BY_GROUP = "position_teacher_by_group", SCATTER = "delta_scatter";
    /** One colour per group (ColorBrewer Dark2), repeated after eight. */
    private static final Color[] GROUP_COLOURS = {new Color(0x1B9E77), new Color(0xD95F02), new Color(0x7570B3),
            new Color(0xE7298A), new Color(0x66A61E), new Color(0xE6AB02), new Color(0xA6761D), new Color(0x666666)};
    private static final String[] DELTA_TITLES = {"Δ_TS = p_T − p_S", "Δ_TD = p_T − p_D", "Δ_SD = p_S − p_D"};

    private TraceFigures() {}

    /** The base names of the figures (each written as .svg and .png). */
    public static List<String> names() {
        List<String> n = new ArrayList<>();
        for (Label l : Label.values()) n.add("position_" + l.name().toLowerCase(Locale.ROOT));
        n.add(BY_GROUP);
        n.addAll(List.of(DELTAS));
        n.add(SCATTER);
        return n;
    }

    public static void write(TraceStats stats, Path dir) throws IOException {
        PositionCurves.Result<Label> curves = stats.positionCurves();
        for (Label l : Label.values()) {
            Figures.write(positionChart(curves, l), 640, 400, dir, "position_" + l.name().toLowerCase(Locale.ROOT));
        }
        Figures.write(groupChart(stats.positionCurvesByGroup(), Label.TEACHER), 720, 440, dir, BY_GROUP);
        for (int which = 0; which < 3; which++) {
            Figures.write(deltaChart(stats.deltas()[which], DELTA_TITLES[which]), 640, 400, dir, DELTAS[which]);
        }
        Figures.write(scatterChart(stats.scatterPoints(), stats.scatterSentences()), 600, 560, dir, SCATTER);
    }

    /** The file name (without extension) of a response's figure: "example-" and its id, filesystem-safe. */
    public static String exampleName(String id) {
        String safe = id.replaceAll("[^A-Za-z0-9._-]", "_");
        return "example-" + (safe.length() > 100 ? safe.substring(0, 100) : safe);
    }

    /**
     * One response: p_T (black, solid), p_S (grey, dashed) and p_D (brown, dotted) per sentence over bands in the
     * label colours (the lines are in none of them, so the teacher line is never read as the Teacher band), sentence
     * indices as integer ticks; {@code logP}: natural log p. A sentence a model has no token in is a gap.
     */
    public static void writeExample(dev.provtrace.trace.TracedResponse r, List<Label> labels, boolean logP, Path dir)
            throws IOException {
        org.jfree.data.xy.XYSeriesCollection data = new org.jfree.data.xy.XYSeriesCollection();
        String[] names = {"p_T (teacher)", "p_S (student)", "p_D (distilled)"};
        XYSeries[] s = new XYSeries[3];
        for (int m = 0; m < 3; m++) data.addSeries(s[m] = new XYSeries(logP ? "log " + names[m] : names[m], false, true));
        for (int k = 0; k < r.sentences().size(); k++) {
            dev.provtrace.trace.TracedSentence t = r.sentences().get(k);
            double[] p = {t.pT(), t.pS(), t.pD()};
            for (int m = 0; m < 3; m++) {
                boolean none = Double.isNaN(p[m]) || logP && !(p[m] > 0);
                s[m].add(k, none ? null : logP ? Math.log(p[m]) : p[m]);
            }
        }
        org.jfree.chart.renderer.xy.XYLineAndShapeRenderer rend = new org.jfree.chart.renderer.xy.XYLineAndShapeRenderer(true, true);
        Color[] lines = {Color.BLACK, new Color(0x777777), new Color(0x8C564B)};
        BasicStroke[] strokes = {new BasicStroke(2f), new BasicStroke(1.8f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f,
                new float[] {6f, 4f}, 0f), new BasicStroke(1.8f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {2f, 3f}, 0f)};
        for (int m = 0; m < 3; m++) {
            rend.setSeriesPaint(m, lines[m]);
            rend.setSeriesStroke(m, strokes[m]);
            rend.setSeriesShape(m, new java.awt.geom.Ellipse2D.Double(-2.5, -2.5, 5, 5));
        }
        NumberAxis x = new NumberAxis("sentence");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setRange(-0.5, Math.max(0.5, r.sentences().size() - 0.5));
        NumberAxis y = new NumberAxis(logP ? "log p (geometric mean of the sentence's token probabilities)" : "p (geometric mean of the sentence's token probabilities)");
        if (!logP) {
            y.setRange(0, 1);
            y.setTickUnit(new NumberTickUnit(0.1, new DecimalFormat("0.0", DecimalFormatSymbols.getInstance(Locale.ROOT))));
        } else {
            y.setAutoRangeIncludesZero(true);
        }
        XYPlot plot = new XYPlot(data, x, y, rend);
        for (int k = 0; k < labels.size(); k++) {
            Label l = labels.get(k);
            if (l == null) continue;
            Color c = LABEL_COLOURS[l.ordinal()];
            org.jfree.chart.plot.IntervalMarker band = new org.jfree.chart.plot.IntervalMarker(k - 0.5, k + 0.5,
                    new Color(c.getRed(), c.getGreen(), c.getBlue(), 60));
            plot.addDomainMarker(band, org.jfree.chart.ui.Layer.BACKGROUND);
        }
        String title = "Response " + r.id() + " (" + r.correctness().name().toLowerCase(Locale.ROOT) + "; bands: "
                + "SHARED grey, TEACHER blue, STUDENT orange, BOOSTED purple)";
        JFreeChart chart = Figures.xyChart(title, 12, plot, false);
        int width = Math.max(640, Math.min(2400, 28 * r.sentences().size() + 160));
        Figures.write(chart, width, 420, dir, exampleName(r.id()));
    }

    /**
     * One curve as runs of consecutive non-empty bins, each a series of its own (an empty bin is a gap, not a
     * bridge), with the Wilson 95% interval of each bin's share (f·n of n) as its band.
     */
    private static void addRuns(YIntervalSeriesCollection data, String name, double[] f, double[] n, int bins) {
        YIntervalSeries run = null;
        int runs = 0;
        for (int b = 0; b <= bins; b++) {
            boolean has = b < bins && !Double.isNaN(f[b]) && n[b] > 0;
            if (has) {
                if (run == null) run = new YIntervalSeries(runs++ == 0 ? name : name + " #" + runs, false, true);
                double[] ci = PositionCurves.wilson(f[b] * n[b], n[b], 1.96);
                run.add((b + 0.5) / bins, f[b], ci[0], ci[1]);
            } else if (run != null) {
                data.addSeries(run);
                run = null;
            }
        }
    }

    private static final BasicStroke SOLID = new BasicStroke(2f), DASHED = new BasicStroke(2f, BasicStroke.CAP_BUTT,
            BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f);

    /** Series {@code from .. to} drawn in one colour and stroke, the first of them alone in the legend. */
    private static void style(DeviationRenderer r, int from, int to, Color c, BasicStroke stroke) {
        for (int i = from; i < to; i++) {
            r.setSeriesPaint(i, c);
            r.setSeriesFillPaint(i, c);
            r.setSeriesStroke(i, stroke);
            r.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-2.5, -2.5, 5, 5));
            r.setSeriesVisibleInLegend(i, i == from);
        }
    }

    /**
     * One label's share by position per group × correctness: a colour per group, solid correct, dashed incorrect,
     * each with its Wilson 95% band (fainter than on the one-group chart, since the bands overlap).
     */
    static JFreeChart groupChart(java.util.Map<String, PositionCurves.Result<Label>> byGroup, Label label) {
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        DeviationRenderer r = new DeviationRenderer(true, true);
        int g = 0, bins = 1;
        for (var e : byGroup.entrySet()) {
            PositionCurves.Result<Label> c = e.getValue();
            bins = c.bins();
            Color colour = GROUP_COLOURS[g++ % GROUP_COLOURS.length];
            for (int part = 0; part < 2; part++) {
                int from = data.getSeriesCount();
                addRuns(data, e.getKey() + (part == 0 ? " · correct" : " · incorrect"), (part == 0 ? c.correct() : c.incorrect()).get(label),
                        part == 0 ? c.correctWeight() : c.incorrectWeight(), c.bins());
                style(r, from, data.getSeriesCount(), colour, part == 0 ? SOLID : DASHED);
            }
        }
        r.setAlpha(0.10f);
        NumberAxis x = unitAxis("relative position in the response"), y = unitAxis(label.name() + " share of labelled sentences");
        return Figures.xyChart(label.name() + " by position, per group (" + bins + " bins; solid correct, dashed incorrect; bands: Wilson 95%)",
                13, new XYPlot(data, x, y, r), true);
    }

    /** Δ_TS against Δ_TD per sentence, coloured by label; the title says when the points are a sample. */
    static JFreeChart scatterChart(List<float[]> points, long sentences) {
        org.jfree.data.xy.XYSeriesCollection data = new org.jfree.data.xy.XYSeriesCollection();
        XYSeries[] byLabel = new XYSeries[Label.values().length];
        for (Label l : Label.values()) data.addSeries(byLabel[l.ordinal()] = new XYSeries(l.name(), false, true));
        for (float[] p : points) byLabel[(int) p[2]].add(p[0], p[1]);
        org.jfree.chart.renderer.xy.XYLineAndShapeRenderer r = new org.jfree.chart.renderer.xy.XYLineAndShapeRenderer(false, true);
        for (Label l : Label.values()) {
            r.setSeriesPaint(l.ordinal(), LABEL_COLOURS[l.ordinal()]);
            r.setSeriesShape(l.ordinal(), new java.awt.geom.Ellipse2D.Double(-2, -2, 4, 4));
        }
        NumberAxis x = new NumberAxis("Δ_TS = p_T − p_S"), y = new NumberAxis("Δ_TD = p_T − p_D");
        for (NumberAxis a : new NumberAxis[] {x, y}) {
            a.setRange(-1, 1);
            a.setTickUnit(new NumberTickUnit(0.25, new DecimalFormat("0.00", DecimalFormatSymbols.getInstance(Locale.ROOT))));
        }
        String shown = points.size() < sentences
                ? points.size() + " of " + sentences + " sentences, a fixed-seed sample" : sentences + " sentences";
        return Figures.xyChart("Δ_TS vs Δ_TD by label (" + shown + ")", 13, new XYPlot(data, x, y, r), true);
    }

    /**
     * One label's share per position bin, correct and incorrect, each as runs of consecutive non-empty bins (a run
     * is a series of its own, so an empty bin is a gap), with the Wilson 95% interval as a band.
     */
    static JFreeChart positionChart(PositionCurves.Result<Label> curves, Label label) {
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        DeviationRenderer r = new DeviationRenderer(true, true);
        for (int part = 0; part < 2; part++) {
            int from = data.getSeriesCount();
            addRuns(data, part == 0 ? "correct (" + curves.correctResponses() + " responses)" : "incorrect (" + curves.incorrectResponses() + " responses)",
                    (part == 0 ? curves.correct() : curves.incorrect()).get(label), part == 0 ? curves.correctWeight() : curves.incorrectWeight(),
                    curves.bins());
            style(r, from, data.getSeriesCount(), part == 0 ? CORRECT : INCORRECT, part == 0 ? SOLID : DASHED);
        }
        r.setAlpha(0.18f);
        NumberAxis x = unitAxis("relative position in the response"), y = unitAxis(label.name() + " share of labelled sentences");
        return Figures.xyChart(label.name() + " by position (" + curves.bins() + " bins; bands: Wilson 95%)", 13, new XYPlot(data, x, y, r), true);
    }

    /** An axis over [0, 1] with ticks every 0.1 (positions, shares). */
    private static NumberAxis unitAxis(String label) {
        NumberAxis a = new NumberAxis(label);
        a.setRange(0, 1);
        a.setTickUnit(new NumberTickUnit(0.1, new DecimalFormat("0.0", DecimalFormatSymbols.getInstance(Locale.ROOT))));
        return a;
    }

    /** A Δ histogram over [−1, 1], stacked by label. */
    static JFreeChart deltaChart(int[][] counts, String title) {
        DefaultTableXYDataset data = new DefaultTableXYDataset();
        int bins = counts[0].length;
        double width = 2.0 / bins;
        for (Label l : Label.values()) {
            XYSeries s = new XYSeries(l.name(), false, false);
            for (int b = 0; b < bins; b++) s.add(-1 + (b + 0.5) * width, counts[l.ordinal()][b]);
            data.addSeries(s);
        }
        data.setIntervalWidth(width);            // one bar per bin (the automatic width follows the data, not the bins)
        data.setIntervalPositionFactor(0.5);
        StackedXYBarRenderer r = new StackedXYBarRenderer(0.05);
        r.setBarPainter(new StandardXYBarPainter());
        r.setShadowVisible(false);
        for (Label l : Label.values()) r.setSeriesPaint(l.ordinal(), LABEL_COLOURS[l.ordinal()]);
        NumberAxis x = new NumberAxis(title);
        x.setRange(-1, 1);
        x.setTickUnit(new NumberTickUnit(0.25, new DecimalFormat("0.00", DecimalFormatSymbols.getInstance(Locale.ROOT))));
        NumberAxis y = new NumberAxis("labelled sentences");
        y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        return Figures.xyChart("Histogram of " + title, 13, new XYPlot(data, x, y, r), false);
    }
}
