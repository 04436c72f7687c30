package dev.provtrace.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.provtrace.io.AtomicOutput;
import dev.provtrace.provenance.Label;
import dev.provtrace.trace.TraceComparison;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

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
 * compare.html and its figures: several traces side by side. Static: tables with every number and the figures
 * inlined as SVG (also written as SVG and PNG into figures/): label fractions per run, the Teacher share of correct
 * vs incorrect responses per run, and each run's Teacher position curve for correct (solid) and incorrect (dashed)
 * responses, with gaps where a bin has no sentence.
 */
public final class CompareReport {
    public static final String LABELS = "compare_labels", CORRECTNESS = "compare_teacher_by_correctness",
            POSITIONS = "compare_teacher_positions";
    /** One colour per run (ColorBrewer Set1 / Dark2, distinguishable in print). */
    private static final Color[] RUN_COLOURS = {new Color(0x1B9E77), new Color(0xD95F02), new Color(0x7570B3),
            new Color(0xE7298A), new Color(0x66A61E), new Color(0xE6AB02), new Color(0xA6761D), new Color(0x666666)};
    private static final DecimalFormat THREE = new DecimalFormat("0.000", DecimalFormatSymbols.getInstance(Locale.ROOT));

    private CompareReport() {}

    /** Writes the three figures into DIR/figures and DIR/compare.html; returns the files written. */
    public static List<Path> write(List<TraceComparison.Run> runs, Path dir) throws IOException {
        Path figures = dir.resolve("figures");
        List<Path> written = new ArrayList<>();
        String labels = Figures.write(labelChart(runs), 760, 420, figures, LABELS);
        String correctness = Figures.write(correctnessChart(runs), 760, 420, figures, CORRECTNESS);
        String positions = Figures.write(positionChart(runs), 760, 440, figures, POSITIONS);
        for (String f : List.of(LABELS, CORRECTNESS, POSITIONS)) {
            written.add(figures.resolve(f + ".svg"));
            written.add(figures.resolve(f + ".png"));
        }
        Path html = dir.resolve("compare.html");
        AtomicOutput.writeString(html, html(runs, labels, correctness, positions));
        written.add(html);
        return written;
    }

    private static Color colour(int run) { return RUN_COLOURS[run % RUN_COLOURS.length]; }

    private static JFreeChart labelChart(List<TraceComparison.Run> runs) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (TraceComparison.Run r : runs) {
            JsonNode f = r.summary().get("labels").get("overall").get("fractions");
            for (Label lab : Label.values()) data.addValue(f.path(lab.name()).asDouble(), r.name(), lab.name());
        }
        return bars("Label fractions (all labelled sentences)", "label", "fraction", data, runs.size());
    }

    private static JFreeChart correctnessChart(List<TraceComparison.Run> runs) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (TraceComparison.Run r : runs) {
            for (int part = 0; part < 2; part++) {
                Double v = r.share(part, Label.TEACHER);
                data.addValue(v, r.name(), part == 0 ? "correct responses" : "incorrect responses");
            }
        }
        return bars("Teacher share by correctness", "", "Teacher share of labelled sentences", data, runs.size());
    }

    private static JFreeChart bars(String title, String category, String value, DefaultCategoryDataset data, int runs) {
        JFreeChart chart = ChartFactory.createBarChart(title, category, value, data, PlotOrientation.VERTICAL, true, false, false);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        chart.setBackgroundPaint(Color.WHITE);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xDDDDDD));
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setItemMargin(0.05);
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", THREE));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
        for (int i = 0; i < runs; i++) renderer.setSeriesPaint(i, colour(i));
        NumberAxis axis = (NumberAxis) plot.getRangeAxis();
        axis.setUpperMargin(0.12);   // room for the value labels above the bars
        axis.setNumberFormatOverride(new DecimalFormat("0.0#", DecimalFormatSymbols.getInstance(Locale.ROOT)));
        return chart;
    }

    private static JFreeChart positionChart(List<TraceComparison.Run> runs) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (TraceComparison.Run r : runs) {
            JsonNode pc = r.summary().get("position_curves");
            for (String part : List.of("correct", "incorrect")) {
                XYSeries s = new XYSeries(r.name() + " · " + part, false, true);
                JsonNode curve = pc.path(part).path(Label.TEACHER.name());
                int bins = curve.size();
                for (int b = 0; b < bins; b++) {
                    JsonNode v = curve.get(b);
                    s.add((b + 0.5) / bins, v == null || v.isNull() ? null : v.asDouble());   // null: a gap, not a bridge
                }
                data.addSeries(s);
            }
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Teacher share by position in the response", "relative position",
                "Teacher share", data, PlotOrientation.VERTICAL, true, false, false);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        chart.setBackgroundPaint(Color.WHITE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xDDDDDD));
        plot.setRangeGridlinePaint(new Color(0xDDDDDD));
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        BasicStroke dashed = new BasicStroke(1.8f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f);
        for (int i = 0; i < runs.size(); i++) {
            for (int part = 0; part < 2; part++) {
                int series = 2 * i + part;
                renderer.setSeriesPaint(series, colour(i));
                renderer.setSeriesStroke(series, part == 0 ? new BasicStroke(2f) : dashed);
                renderer.setSeriesShape(series, new java.awt.geom.Ellipse2D.Double(-2.5, -2.5, 5, 5));
            }
        }
        plot.setRenderer(renderer);
        NumberAxis x = (NumberAxis) plot.getDomainAxis();
        x.setRange(0, 1);
        x.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(0.1, new DecimalFormat("0.0", DecimalFormatSymbols.getInstance(Locale.ROOT))));
        NumberAxis y = (NumberAxis) plot.getRangeAxis();
        y.setAutoRangeIncludesZero(true);
        return chart;
    }

    private static String html(List<TraceComparison.Run> runs, String labels, String correctness, String positions) throws IOException {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>provtrace compare</title><style>")
                .append(HtmlReport.resource("/report/common.css"))
                .append(".figure svg { max-width: 100%; height: auto; }</style></head><body>\n")
                .append("<h1>provtrace compare</h1>\n<p class=\"meta\">").append(runs.size())
                .append(" traces side by side. Fractions are of labelled sentences, pooled over responses.</p>\n");

        h.append("<h2>Runs</h2>\n<table><tr><th>run</th><th>folder</th><th>teacher</th><th>student</th><th>distilled</th>"
                + "<th>α</th><th>β</th><th>responses</th><th>sentences</th><th>correct</th><th>incorrect</th><th>unknown</th></tr>\n");
        for (TraceComparison.Run r : runs) {
            JsonNode s = r.summary(), c = s.get("correctness");
            h.append("<tr><th>").append(esc(r.name())).append("</th><td>").append(esc(r.folder().toString())).append("</td>");
            for (String role : List.of("teacher", "student", "distilled")) h.append("<td>").append(esc(model(s, role))).append("</td>");
            h.append("<td>").append(fmt(s.get("alpha").asDouble())).append("</td><td>").append(fmt(s.get("beta").asDouble()))
                    .append("auto".equals(s.path("beta_mode").asText()) ? " (chosen)" : "").append("</td>")
                    .append("<td>").append(s.path("responses").asLong()).append("</td><td>").append(s.path("sentences").asLong()).append("</td>")
                    .append("<td>").append(c.path("correct").asLong()).append("</td><td>").append(c.path("incorrect").asLong())
                    .append("</td><td>").append(c.path("unknown").asLong()).append("</td></tr>\n");
        }
        h.append("</table>\n");

        h.append("<h2>Label fractions</h2>\n<table><tr><th>label</th>");
        for (TraceComparison.Run r : runs) h.append("<th>").append(esc(r.name())).append("</th>");
        h.append("</tr>\n");
        for (Label lab : Label.values()) {
            h.append("<tr><th>").append(lab.name()).append("</th>");
            for (TraceComparison.Run r : runs) {
                h.append("<td>").append(fmt(r.summary().get("labels").get("overall").get("fractions").path(lab.name()).asDouble())).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n<div class=\"figure\">").append(inline(labels)).append("</div>\n");

        h.append("<h2>Correctness association</h2>\n<table><tr><th></th>");
        for (TraceComparison.Run r : runs) h.append("<th>").append(esc(r.name())).append("</th>");
        h.append("</tr>\n");
        String[] rows = {"Teacher share, correct responses", "Teacher share, incorrect responses", "difference (correct − incorrect)",
                "Teacher area between the position curves"};
        for (int row = 0; row < rows.length; row++) {
            h.append("<tr><th>").append(rows[row]).append("</th>");
            for (TraceComparison.Run r : runs) {
                Double v = switch (row) {
                    case 0 -> r.share(0, Label.TEACHER);
                    case 1 -> r.share(1, Label.TEACHER);
                    case 2 -> r.teacherGap();
                    default -> {
                        JsonNode a = r.summary().get("position_curves").path("area_between").get(Label.TEACHER.name());
                        yield a == null || a.isNull() ? null : a.asDouble();
                    }
                };
                h.append("<td>").append(v == null ? "–" : row == 2 ? String.format(Locale.ROOT, "%+.3f", v) : fmt(v)).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n<div class=\"figure\">").append(inline(correctness)).append("</div>\n");
        h.append("<h2>Position curves</h2>\n<p class=\"note\">Solid: correct responses; dashed: incorrect. A bin with no "
                + "sentence is a gap.</p>\n<div class=\"figure\">").append(inline(positions)).append("</div>\n</body></html>\n");
        return h.toString();
    }

    private static String model(JsonNode summary, String role) {
        for (JsonNode m : summary.path("run").path("models")) {
            if (role.equals(m.path("role").asText())) return Path.of(m.path("folder").asText()).getFileName().toString();
        }
        return "–";
    }

    /** The SVG element of a standalone SVG document (its XML declaration and DOCTYPE dropped). */
    private static String inline(String svgDocument) {
        int at = svgDocument.indexOf("<svg");
        return at < 0 ? svgDocument : svgDocument.substring(at);
    }

    private static String fmt(double v) { return THREE.format(v); }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
