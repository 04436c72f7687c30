package dev.provtrace.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.provenance.Correctness;
import dev.provtrace.provenance.PositionCurves;
import dev.provtrace.report.TraceFigures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The position curves' per-bin counts and Wilson intervals in summary.json (values worked out by hand), with
 * --position-bins, and the trace's figures written as SVG and PNG by the same run.
 */
class TraceFiguresTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double[] T = {0.9, 0.3, 0.4}, SH = {0.5, 0.5, 0.5};

    @Test
    void wilsonIntervalsAsPublished() {
        // 3 of 10: (0.1078, 0.6032); 0 of 5: (0, 0.4345); Wilson (1927), as e.g. R's prop.test without correction
        assertArrayEquals(new double[] {0.10779, 0.60323}, PositionCurves.wilson(3, 10, 1.96), 1e-5);
        assertArrayEquals(new double[] {0, 0.43449}, PositionCurves.wilson(0, 5, 1.96), 1e-5);
        assertNull(PositionCurves.wilson(0, 0, 1.96));
    }

    private static TracedResponse response(String id, Correctness c, double[]... ss) {
        List<TracedSentence> out = new ArrayList<>();
        for (int i = 0; i < ss.length; i++) out.add(new TracedSentence(i, 10 * i, 10 * i + 9, "s" + i, ss[i][0], ss[i][1], ss[i][2], 2, 2, 2));
        return new TracedResponse(id, "g", c, "text", out);
    }

    @Test
    void perBinCountsIntervalsAndFigures(@TempDir Path dir) throws Exception {
        // 2 bins. Correct: (T, SH) and (T, T, SH, SH): bin 0 holds T, T, T -> 3 of 3 Teacher; bin 1 holds SH, SH, SH.
        // Incorrect: one response of one sentence (T): its centre, 0.5, is in bin 1; bin 0 is empty.
        List<TracedResponse> rs = List.of(response("a", Correctness.CORRECT, T, SH), response("b", Correctness.CORRECT, T, T, SH, SH),
                response("c", Correctness.INCORRECT, T));
        TraceOutputs.write(sink -> { for (TracedResponse r : rs) sink.accept(r); }, dir, 0.1, BetaChoice.parse("0.1"),
                JSON.createObjectNode(), 2);
        JsonNode pc = JSON.readTree(dir.resolve("summary.json").toFile()).get("position_curves");
        assertEquals(2, pc.get("bins").asInt());
        assertEquals("[3,3]", pc.get("correct_sentences").toString());
        assertEquals("[0,1]", pc.get("incorrect_sentences").toString());
        JsonNode teacherCorrect = pc.get("wilson95").get("correct").get("TEACHER");
        double[] all3 = PositionCurves.wilson(3, 3, 1.96);   // 3 of 3: (0.4385, 1)
        assertEquals(0.43850, all3[0], 1e-5);
        assertEquals(all3[0], teacherCorrect.get(0).get(0).asDouble(), 1e-12);
        assertEquals(1.0, teacherCorrect.get(0).get(1).asDouble(), 1e-12);
        assertTrue(pc.get("wilson95").get("incorrect").get("TEACHER").get(0).isNull(), "an empty bin has no interval");
        assertTrue(pc.get("incorrect").get("TEACHER").get(0).isNull(), "nor a value");
        double[] one = PositionCurves.wilson(1, 1, 1.96);
        assertEquals(one[0], pc.get("wilson95").get("incorrect").get("TEACHER").get(1).get(0).asDouble(), 1e-12);

        DocumentBuilderFactory xml = DocumentBuilderFactory.newInstance();
        xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        for (String name : TraceFigures.names()) {
            Path svg = dir.resolve("figures").resolve(name + ".svg"), png = dir.resolve("figures").resolve(name + ".png");
            assertEquals("svg", xml.newDocumentBuilder().parse(svg.toFile()).getDocumentElement().getTagName(), name);
            assertNotNull(ImageIO.read(png.toFile()), name);
        }
        assertEquals(9, TraceFigures.names().size());
    }

    @Test
    void theScatterKeepsEverySentenceUpToItsSizeThenAFixedSample() {
        TraceStats small = new TraceStats(0.1, 0.1, BetaChoice.parse("0.1"), null), big = new TraceStats(0.1, 0.1, BetaChoice.parse("0.1"), null),
                again = new TraceStats(0.1, 0.1, BetaChoice.parse("0.1"), null);
        small.add(response("a", Correctness.CORRECT, T, SH), java.util.Arrays.asList(dev.provtrace.provenance.Label.TEACHER,
                dev.provtrace.provenance.Label.SHARED));
        assertEquals(2, small.scatterPoints().size());
        assertEquals(0.6f, small.scatterPoints().get(0)[0], 1e-6f);   // Δ_TS of T
        assertEquals(0.5f, small.scatterPoints().get(0)[1], 1e-6f);   // Δ_TD of T
        int n = TraceStats.SCATTER_POINTS + 5000;
        for (TraceStats st : List.of(big, again)) {
            for (int i = 0; i < n; i++) {
                double pS = (double) i / n;   // Δ_TS = 0.5 − i/n tells which sentence a point is
                st.add(response("r" + i, Correctness.CORRECT, new double[] {0.5, pS, 0.5}), List.of(dev.provtrace.provenance.Label.BOOSTED));
            }
        }
        assertEquals(TraceStats.SCATTER_POINTS, big.scatterPoints().size());
        assertEquals(n, big.scatterSentences());
        for (int i = 0; i < TraceStats.SCATTER_POINTS; i++) {
            assertArrayEquals(big.scatterPoints().get(i), again.scatterPoints().get(i), 0f, "the same sample every run");
        }
        // the sample reaches past the first SCATTER_POINTS sentences (each later one kept with chance 20000/25000)
        double firstOut = 0.5 - (double) TraceStats.SCATTER_POINTS / n;
        long later = big.scatterPoints().stream().filter(p -> p[0] < firstOut - 1e-6).count();
        assertTrue(later > 3000 && later < 5000, later + " points of the last 5000 sentences");
    }

    @Test
    void examplesArePickedByIdFirstNOrAFixedSampleAndDrawn(@TempDir Path dir) throws Exception {
        List<TracedResponse> rs = new ArrayList<>();
        for (int i = 0; i < 30; i++) rs.add(response("r/" + i, i % 2 == 0 ? Correctness.CORRECT : Correctness.INCORRECT, T, SH, T));
        ExamplePicker byId = ExamplePicker.parse("r/3, r/7,nope"), first = ExamplePicker.parse("2"), sample = ExamplePicker.parse("random:4"),
                again = ExamplePicker.parse("random:4");
        List<dev.provtrace.provenance.Label> labels = List.of(dev.provtrace.provenance.Label.TEACHER,
                dev.provtrace.provenance.Label.SHARED, dev.provtrace.provenance.Label.TEACHER);
        for (TracedResponse r : rs) for (ExamplePicker p : List.of(byId, first, sample, again)) p.add(r, labels);
        assertEquals(List.of("r/3", "r/7"), byId.chosen().stream().map(c -> c.response().id()).toList());
        assertEquals(List.of("nope"), byId.missing());
        assertEquals(List.of("r/0", "r/1"), first.chosen().stream().map(c -> c.response().id()).toList());
        assertEquals(4, sample.chosen().size());
        assertEquals(sample.chosen().stream().map(c -> c.response().id()).toList(), again.chosen().stream().map(c -> c.response().id()).toList());
        for (String bad : new String[] {"random:x", "0", "random:0", " , "}) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> ExamplePicker.parse(bad));
            assertTrue(e.getMessage().startsWith("--examples"), e.getMessage());
        }
        TraceOutputs.write(sink -> { for (TracedResponse r : rs) sink.accept(r); }, dir, 0.1, BetaChoice.parse("0.1"),
                JSON.createObjectNode(), new TraceOutputs.FigureOptions(20, ExamplePicker.parse("r/3"), true));
        Path png = dir.resolve("figures/examples/" + TraceFigures.exampleName("r/3") + ".png");
        assertEquals("example-r_3", TraceFigures.exampleName("r/3"));
        assertNotNull(ImageIO.read(png.toFile()));
        String svg = java.nio.file.Files.readString(dir.resolve("figures/examples/example-r_3.svg"));
        assertTrue(svg.contains("log p_T (teacher)"), "log p asked for");
    }
}
