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
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.DefaultTableXYDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
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
 * it; and the histograms of Δ_TS, Δ_TD and Δ_SD stacked by label. The correctness colours are not the label
 * colours, so the Teacher band is never mistaken for a Teacher curve.
 */
public final class TraceFigures {
    /** Label colours (the report's): Shared grey, Teacher blue, Student orange, Boosted purple. */
    static final Color[] LABEL_COLOURS = {new Color(0x9E9E9E), new Color(0x1F77B4), new Color(0xFF7F0E), new Color(0x9467BD)};
    private static final Color CORRECT = new Color(0x2CA02C), INCORRECT = new Color(0xD62728);
    private static final String[] DELTAS = {"delta_ts", "delta_td", "delta_sd"};
    private static final String[] DELTA_TITLES = {"Δ_TS = p_T − p_S", "Δ_TD = p_T − p_D", "Δ_SD = p_S − p_D"};

    private TraceFigures() {}

    /** The base names of the figures (each written as .svg and .png). */
    public static List<String> names() {
        List<String> n = new ArrayList<>();
        for (Label l : Label.values()) n.add("position_" + l.name().toLowerCase(Locale.ROOT));
        n.addAll(List.of(DELTAS));
        return n;
    }

    public static void write(TraceStats stats, Path dir) throws IOException {
        PositionCurves.Result<Label> curves = stats.positionCurves();
        for (Label l : Label.values()) {
            Figures.write(positionChart(curves, l), 640, 400, dir, "position_" + l.name().toLowerCase(Locale.ROOT));
        }
        for (int which = 0; which < 3; which++) {
            Figures.write(deltaChart(stats.deltas()[which], DELTA_TITLES[which]), 640, 400, dir, DELTAS[which]);
        }
    }

    /**
     * One label's share per position bin, correct and incorrect, each as runs of consecutive non-empty bins (a run
     * is a series of its own, so an empty bin is a gap), with the Wilson 95% interval as a band.
     */
    static JFreeChart positionChart(PositionCurves.Result<Label> curves, Label label) {
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        List<Boolean> isCorrect = new ArrayList<>();
        int bins = curves.bins();
        for (int part = 0; part < 2; part++) {
            double[] f = (part == 0 ? curves.correct() : curves.incorrect()).get(label);
            double[] n = part == 0 ? curves.correctWeight() : curves.incorrectWeight();
            String name = part == 0 ? "correct (" + curves.correctResponses() + " responses)"
                    : "incorrect (" + curves.incorrectResponses() + " responses)";
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
                    isCorrect.add(part == 0);
                    run = null;
                }
            }
        }
        DeviationRenderer r = new DeviationRenderer(true, true);
        BasicStroke solid = new BasicStroke(2f), dashed = new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f,
                new float[] {6f, 4f}, 0f);
        boolean[] shownInLegend = new boolean[2];
        for (int i = 0; i < isCorrect.size(); i++) {
            Color c = isCorrect.get(i) ? CORRECT : INCORRECT;
            r.setSeriesPaint(i, c);
            r.setSeriesFillPaint(i, c);
            r.setSeriesStroke(i, isCorrect.get(i) ? solid : dashed);
            r.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-2.5, -2.5, 5, 5));
            int part = isCorrect.get(i) ? 0 : 1;
            r.setSeriesVisibleInLegend(i, !shownInLegend[part]);   // one legend entry per correctness, not per run
            shownInLegend[part] = true;
        }
        r.setAlpha(0.18f);
        NumberAxis x = new NumberAxis("relative position in the response");
        x.setRange(0, 1);
        x.setTickUnit(new NumberTickUnit(0.1, new DecimalFormat("0.0", DecimalFormatSymbols.getInstance(Locale.ROOT))));
        NumberAxis y = new NumberAxis(label.name() + " share of labelled sentences");
        y.setRange(0, 1);
        y.setTickUnit(new NumberTickUnit(0.1, new DecimalFormat("0.0", DecimalFormatSymbols.getInstance(Locale.ROOT))));
        XYPlot plot = new XYPlot(data, x, y, r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xDDDDDD));
        plot.setRangeGridlinePaint(new Color(0xDDDDDD));
        JFreeChart chart = new JFreeChart(label.name() + " by position (" + bins + " bins; bands: Wilson 95%)",
                new Font(Font.SANS_SERIF, Font.BOLD, 13), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        LegendTitle legend = chart.getLegend();
        legend.setPosition(RectangleEdge.BOTTOM);
        return chart;
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
        XYPlot plot = new XYPlot(data, x, y, r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xDDDDDD));
        JFreeChart chart = new JFreeChart("Histogram of " + title, new Font(Font.SANS_SERIF, Font.BOLD, 13), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getLegend().setPosition(RectangleEdge.BOTTOM);
        return chart;
    }
}
