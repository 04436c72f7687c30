package dev.provtrace.report;

import dev.provtrace.io.AtomicOutput;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.svg.SVGGraphics2D;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a JFreeChart figure as {@code NAME.svg} (JFreeSVG) and {@code NAME.png} (ImageIO) by the same run, each
 * replaced atomically. Charts are static (no animation): what a print or a screenshot shows is the final figure.
 */
public final class Figures {
    private static final Color GRID = new Color(0xDDDDDD);

    private Figures() {}

    /**
     * The house style of an XY figure: white plot and chart, light grey gridlines (the vertical ones only when
     * {@code verticalGrid}; otherwise JFreeChart's own), a bold title of {@code titleSize} points, the legend below.
     */
    static JFreeChart xyChart(String title, int titleSize, XYPlot plot, boolean verticalGrid) {
        plot.setBackgroundPaint(Color.WHITE);
        if (verticalGrid) plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, titleSize), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getLegend().setPosition(RectangleEdge.BOTTOM);
        return chart;
    }

    /** Draws {@code chart} at width × height into DIR/NAME.svg and DIR/NAME.png; returns the SVG document. */
    public static String write(JFreeChart chart, int width, int height, Path dir, String name) throws IOException {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        SVGGraphics2D svg = new SVGGraphics2D(width, height);
        // ids from the figure's name, not JFreeSVG's default (the clock): the same figure is the same bytes (a rerun
        // after a kill ends identical), and several figures inlined in one page do not share an id
        svg.setDefsKeyPrefix(name.replaceAll("[^A-Za-z0-9_-]", "_") + "-");
        chart.draw(svg, new Rectangle2D.Double(0, 0, width, height));
        String document = svg.getSVGDocument();
        AtomicOutput.writeString(dir.resolve(name + ".svg"), document);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        chart.draw(g, new Rectangle2D.Double(0, 0, width, height));
        g.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        AtomicOutput.write(dir.resolve(name + ".png"), png.toByteArray());
        return document;
    }
}
