package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo's report and figures as a reader sees them, in headless Chromium (found by tools/report-screenshot.sh,
 * which never installs anything from here; .ci/run installs it first and then sets PROVTRACE_REQUIRE_CHROMIUM=1, so
 * that in CI a missing browser fails instead of skipping):
 * <ul>
 *   <li>the values each chart drew, read back from its laid-out bars and points (rendered.js, run right after the
 *       charts are made, so an animated chart would show its starting state), equal summary.json's fractions and
 *       position curves, gaps included;</li>
 *   <li>the tables and the headline show summary.json's counts after the scripts ran, and no table cell of the trace,
 *       compare or selection report is wider than its column or broken over lines (test resource fits.js, run on a copy; prose cells may wrap);</li>
 *   <li>a screenshot of the page has the Teacher colour on it where the bars are, and each SVG figure drawn by the
 *       browser carries about as much ink as the PNG the same run wrote.</li>
 * </ul>
 */
class ReportRenderingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] LABELS = {"SHARED", "TEACHER", "STUDENT", "BOOSTED"};
    private static final Path SCRIPT = Path.of("tools/report-screenshot.sh");

    @TempDir
    static Path dir;
    static Path demo;

    @BeforeAll
    static void demoAndBrowser() throws Exception {
        ProcessBuilder find = new ProcessBuilder("bash", SCRIPT.toString(), "--browser").redirectErrorStream(true);
        find.environment().put("PROVTRACE_CHROMIUM_NO_INSTALL", "1");
        Process p = find.start();
        p.getOutputStream().close();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        if (exit != 0) {
            if ("1".equals(System.getenv("PROVTRACE_REQUIRE_CHROMIUM"))) throw new AssertionError("no headless Chromium: " + said);
            Assumptions.abort("no headless Chromium here (tools/report-screenshot.sh --browser installs one): " + said.strip());
        }
        demo = dir.resolve("demo");
        TraceCommandTest.Run r = TraceCommandTest.run("demo", "--out", demo.toString(), "--threads", "2", "--quiet");
        assertEquals(0, r.exit(), r.err());
        TraceCommandTest.Run auto = TraceCommandTest.run("classify", "--scores", demo.toString(), "--beta", "auto", "--out",
                demo.resolve("auto").toString());
        assertEquals(0, auto.exit(), auto.err());
        TraceCommandTest.Run compare = TraceCommandTest.run("compare", demo.toString(), demo.resolve("auto").toString(), "--out",
                demo.resolve("compare").toString());
        assertEquals(0, compare.exit(), compare.err());
        TraceCommandTest.Run select = TraceCommandTest.run("select", "--teacher", demo.resolve("models/teacher").toString(),
                "--student", demo.resolve("models/student").toString(), "--input", demo.resolve("demo-candidates.jsonl").toString(),
                "--output", demo.resolve("selected.jsonl").toString(), "--compare-all", "--out", demo.resolve("selection").toString(),
                "--quiet");
        assertEquals(0, select.exit(), select.err());
    }

    /** Runs the screenshot tool (never installing) and returns its stdout; fails on a non-zero exit. */
    private static String tool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("PROVTRACE_CHROMIUM_NO_INSTALL", "1");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "tools/report-screenshot.sh " + String.join(" ", args));
        return out;
    }

    private static String attribute(String html, String name) {
        Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(html);
        assertTrue(m.find(), "no " + name + " in the rendered page: its scripts did not run to the end");
        return m.group(1).replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'")
                .replace("&amp;", "&");
    }

    private static JsonNode chart(JsonNode drawn, String canvas) {
        for (JsonNode c : drawn) if (canvas.equals(c.path("canvas").asText(null))) return c;
        throw new AssertionError("no chart on canvas " + canvas + " was drawn");
    }

    private static JsonNode dataset(JsonNode chart, String label) {
        for (JsonNode d : chart.get("datasets")) if (label.equals(d.get("label").asText())) return d.get("values");
        throw new AssertionError("no dataset " + label);
    }

    @Test
    void chartsTablesAndHeadlineShowTheSummarysValues() throws Exception {
        String dom = tool("--dump-dom", demo.resolve("report.html").toString());
        JsonNode drawn = JSON.readTree(attribute(dom, "data-rendered"));
        JsonNode summary = JSON.readTree(demo.resolve("summary.json").toFile());
        JsonNode labels = summary.get("labels");

        // stacked bars: the top of label l's bar in group g sits at the sum of the fractions up to l
        List<JsonNode> groups = new ArrayList<>(List.of(labels.get("overall")));
        for (Iterator<JsonNode> it = labels.get("by_group").elements(); it.hasNext(); ) groups.add(it.next());
        JsonNode bars = chart(drawn, "labels");
        for (int g = 0; g < groups.size(); g++) {
            double top = 0;
            for (String l : LABELS) {
                top += groups.get(g).get("fractions").get(l).asDouble();
                assertEquals(top, dataset(bars, l).get(g).asDouble(), 1e-6, l + " bar of group " + g);
            }
        }
        // position curves: every bin's point where the summary has a value, a gap (no point) where it has none
        JsonNode curves = summary.get("position_curves"), lines = chart(drawn, "positions");
        int points = 0, gaps = 0;
        for (String side : new String[] {"correct", "incorrect"}) {
            for (String l : LABELS) {
                JsonNode want = curves.get(side).get(l), got = dataset(lines, l + " (" + side + ")");
                assertEquals(want.size(), got.size(), l + " " + side);
                for (int b = 0; b < want.size(); b++) {
                    if (want.get(b).isNull()) {
                        assertTrue(got.get(b).isNull(), l + " " + side + " bin " + b + " is empty: a gap, not a point");
                        gaps++;
                    } else {
                        assertEquals(want.get(b).asDouble(), got.get(b).asDouble(), 1e-6, l + " " + side + " bin " + b);
                        points++;
                    }
                }
            }
        }
        assertTrue(points > 0 && gaps > 0, points + " points, " + gaps + " gaps");

        // the table and the headline, as the scripts wrote them
        JsonNode overall = labels.get("overall");
        for (String l : LABELS) {
            int count = overall.get("counts").get(l).asInt();
            String cell = "<td>" + count + " (" + String.format(java.util.Locale.ROOT, "%.1f", 100 * overall.get("fractions").get(l).asDouble()) + "%)</td>";
            assertTrue(dom.contains(cell), "the label table shows " + cell);
        }
        assertTrue(dom.contains(summary.get("responses").asInt() + " responses, " + summary.get("sentences").asInt() + " sentences"),
                "the headline counts");
    }

    @Test
    void everyTableCellFitsItsColumn() throws Exception {
        String fits = new String(ReportRenderingTest.class.getResourceAsStream("/fits.js").readAllBytes(), StandardCharsets.UTF_8);
        for (String report : new String[] {"report.html", "compare/compare.html", "selection/report.html"}) {
            // a copy beside the report with the cell check run last (the reports themselves do not carry it)
            Path page = demo.resolve(report), copy = page.resolveSibling(".fits-" + page.getFileName());
            String html = Files.readString(page);
            Files.writeString(copy, html.replace("</body>", "<script>" + fits + "</script>\n</body>"));
            String dom = tool("--dump-dom", copy.toString());
            assertEquals("[]", attribute(dom, "data-unfit"), report + ": cells wider than their column or broken over lines");
            assertTrue(dom.contains("<td"), report + " has tables");
        }
    }

    @Test
    void theScreenshotAndTheFiguresAreDrawn() throws Exception {
        tool("--outputs", demo.toString());
        BufferedImage page = ImageIO.read(demo.resolve("screenshots/report.png").toFile());
        assertNotNull(page, "report.png is an image");
        // the Teacher bars' colour (#1f77b4), opaque: chart.js filled them on the canvas
        int teacher = 0;
        for (int y = 0; y < page.getHeight(); y++) {
            for (int x = 0; x < page.getWidth(); x++) if ((page.getRGB(x, y) & 0xffffff) == 0x1f77b4) teacher++;
        }
        assertTrue(teacher > 2000, teacher + " pixels of the Teacher colour in the screenshot");

        File[] svgs = demo.resolve("figures").toFile().listFiles((d, n) -> n.endsWith(".svg"));
        assertNotNull(svgs);
        assertTrue(svgs.length >= 9, svgs.length + " SVG figures");
        for (File svg : svgs) {
            String name = svg.getName().replace(".svg", "");
            BufferedImage browser = ImageIO.read(demo.resolve("screenshots/figure-" + name + ".png").toFile());
            BufferedImage own = ImageIO.read(demo.resolve("figures/" + name + ".png").toFile());
            assertNotNull(own, name + ".png");
            double a = ink(browser), b = ink(own);
            assertTrue(a > 0.01, name + ": the browser drew " + a + " of the SVG non-white");
            assertTrue(a / b > 0.5 && a / b < 2, name + ": ink " + a + " in the browser's SVG, " + b + " in the PNG");
        }
    }

    /** Share of pixels that are not (nearly) white. */
    private static double ink(BufferedImage img) throws IOException {
        long dark = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y), r = rgb >> 16 & 255, g = rgb >> 8 & 255, b = rgb & 255;
                if (r + g + b < 3 * 235) dark++;
            }
        }
        return (double) dark / ((long) img.getWidth() * img.getHeight());
    }
}
