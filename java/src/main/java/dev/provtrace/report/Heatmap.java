package dev.provtrace.report;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.DefaultXYZDataset;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A static heatmap of a value over a grid (classify's α × β sweep), drawn by JFreeChart and written as SVG and PNG
 * by the same run ({@link Figures}). Every cell is annotated with its value, so a print shows the numbers and not only the
 * colours; a cell without a value stays grey with a dash. Ticks sit at the grid's own values.
 */
public final class Heatmap {
    /**
     * @param values    [y index][x index]; null where the cell has no value
     * @param diverging true: a blue–white–red scale symmetric around 0 (a difference); false: white to blue from 0
     * @param cellFormat how a cell's value is printed (e.g. "%+.3f")
     */
    public record Spec(String title, String xLabel, double[] x, String yLabel, double[] y, Double[][] values,
                       String valueLabel, boolean diverging, String cellFormat) {}

    private static final Color EMPTY = new Color(0xDDDDDD), NEGATIVE = new Color(0x2166AC), POSITIVE = new Color(0xB2182B);

    private Heatmap() {}

    /** Writes {@code DIR/NAME.svg} and {@code DIR/NAME.png} (each replaced atomically); returns the SVG. */
    public static String write(Spec spec, Path dir, String name) throws IOException {
        int width = Math.max(520, 72 * spec.x().length + 240), height = Math.max(380, 34 * spec.y().length + 170);
        return Figures.write(chart(spec), width, height, dir, name);
    }

    static JFreeChart chart(Spec spec) {
        double[] x = spec.x(), y = spec.y();
        double dx = step(x), dy = step(y);
        int n = 0;
        double extreme = 0;
        for (Double[] row : spec.values()) for (Double v : row) if (v != null) { n++; extreme = Math.max(extreme, Math.abs(v)); }
        double[][] xyz = new double[3][n];
        int k = 0;
        for (int i = 0; i < y.length; i++) {
            for (int j = 0; j < x.length; j++) {
                Double v = spec.values()[i][j];
                if (v == null) continue;
                xyz[0][k] = x[j];
                xyz[1][k] = y[i];
                xyz[2][k++] = v;
            }
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries(spec.valueLabel(), xyz);
        if (extreme == 0) extreme = 1;   // all zero (or empty): any scale shows them as the scale's middle / start
        PaintScale scale = spec.diverging() ? new Diverging(extreme) : new Sequential(extreme);
        XYBlockRenderer renderer = new XYBlockRenderer();
        renderer.setBlockWidth(dx);
        renderer.setBlockHeight(dy);
        renderer.setPaintScale(scale);
        renderer.setDefaultOutlinePaint(Color.WHITE);

        NumberAxis xAxis = gridAxis(spec.xLabel(), x, dx), yAxis = gridAxis(spec.yLabel(), y, dy);
        XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
        plot.setBackgroundPaint(EMPTY);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
        plot.setOutlineStroke(new BasicStroke(0.5f));
        Font cellFont = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
        for (int i = 0; i < y.length; i++) {
            for (int j = 0; j < x.length; j++) {
                Double v = spec.values()[i][j];
                String text = v == null ? "–" : String.format(Locale.ROOT, spec.cellFormat(), v);
                XYTextAnnotation a = new XYTextAnnotation(text, x[j], y[i]);
                a.setFont(cellFont);
                a.setPaint(v != null && Math.abs(v) > 0.6 * extreme ? Color.WHITE : Color.BLACK);
                plot.addAnnotation(a);
            }
        }
        JFreeChart chart = new JFreeChart(spec.title(), new Font(Font.SANS_SERIF, Font.BOLD, 14), plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        NumberAxis legendAxis = new NumberAxis(spec.valueLabel());
        legendAxis.setRange(scale.getLowerBound(), scale.getUpperBound());
        PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setAxisLocation(AxisLocation.BOTTOM_OR_RIGHT);
        legend.setMargin(new RectangleInsets(10, 10, 10, 10));
        legend.setStripWidth(14);
        legend.setSubdivisionCount(64);
        chart.addSubtitle(legend);
        return chart;
    }

    /** An axis whose ticks are the grid's values and whose range ends half a cell past the first and last. */
    private static NumberAxis gridAxis(String label, double[] values, double step) {
        NumberAxis axis = new NumberAxis(label);
        axis.setRange(values[0] - step / 2, values[values.length - 1] + step / 2);
        axis.setTickUnit(new NumberTickUnit(step, new java.text.DecimalFormat("0.0##", java.text.DecimalFormatSymbols.getInstance(Locale.ROOT))));
        axis.setAutoRangeIncludesZero(false);
        axis.setTickMarksVisible(false);
        return axis;
    }

    private static double step(double[] v) {
        return v.length < 2 ? Math.max(Math.abs(v[0]) * 0.2, 0.01) : v[1] - v[0];
    }

    /** Blue below 0, white at 0, red above, over [−m, m]. */
    private record Diverging(double m) implements PaintScale {
        @Override public double getLowerBound() { return -m; }
        @Override public double getUpperBound() { return m; }
        @Override public Paint getPaint(double value) {
            double t = Math.max(-1, Math.min(1, value / m));
            return mix(Color.WHITE, t < 0 ? NEGATIVE : POSITIVE, Math.abs(t));
        }
    }

    /** White at 0 to blue at m. */
    private record Sequential(double m) implements PaintScale {
        @Override public double getLowerBound() { return 0; }
        @Override public double getUpperBound() { return m; }
        @Override public Paint getPaint(double value) { return mix(Color.WHITE, NEGATIVE, Math.max(0, Math.min(1, value / m))); }
    }

    private static Color mix(Color a, Color b, double t) {
        return new Color((int) Math.round(a.getRed() + (b.getRed() - a.getRed()) * t),
                (int) Math.round(a.getGreen() + (b.getGreen() - a.getGreen()) * t),
                (int) Math.round(a.getBlue() + (b.getBlue() - a.getBlue()) * t));
    }
}
