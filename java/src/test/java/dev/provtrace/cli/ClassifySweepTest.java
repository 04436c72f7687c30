package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.provenance.Correctness;
import dev.provtrace.trace.BetaChoice;
import dev.provtrace.trace.TraceOutputs;
import dev.provtrace.trace.TracedResponse;
import dev.provtrace.trace.TracedSentence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * classify --sweep on a hand-made trace whose every label is worked out by hand at two cells of the grid (no
 * sentence sits on a threshold, so no rounding decides a label), plus the grid's own arithmetic, the figures and
 * the refusals.
 */
class ClassifySweepTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static TracedSentence s(int i, double pT, double pS, double pD) {
        return new TracedSentence(i, i * 10, i * 10 + 9, "sentence " + i, pT, pS, pD, 3, 3, 3);
    }

    /**
     * Correct response r1: s0 (Δ_TS .4, Δ_TD .3, Δ_SD −.1), s1 (0, −.02, −.02), s2 (−.3, −.1, .2), and one unscored
     * sentence. Incorrect r2: s3 (.14, .08, −.06), s4 (.04, .2, .16).
     */
    private static Path trace(Path dir) throws Exception {
        List<TracedResponse> rs = List.of(
                new TracedResponse("r1", "g", Correctness.CORRECT, "text one",
                        List.of(s(0, 0.9, 0.5, 0.6), s(1, 0.5, 0.5, 0.52), s(2, 0.3, 0.6, 0.4), s(3, Double.NaN, 0.5, 0.5))),
                new TracedResponse("r2", "g", Correctness.INCORRECT, "text two",
                        List.of(s(0, 0.7, 0.56, 0.62), s(1, 0.4, 0.36, 0.2))));
        Path out = dir.resolve("trace");
        TraceOutputs.write(sink -> { for (TracedResponse r : rs) sink.accept(r); }, out, 0.1, BetaChoice.parse("0.1"),
                JSON.createObjectNode());
        return out;
    }

    private static List<JsonNode> rows(Path file) throws Exception {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file)) rows.add(JSON.readTree(line));
        return rows;
    }

    private static JsonNode cell(List<JsonNode> rows, double alpha, double beta) {
        for (JsonNode r : rows) if (r.get("alpha").asDouble() == alpha && r.get("beta").asDouble() == beta) return r;
        throw new AssertionError("no cell α=" + alpha + " β=" + beta);
    }

    private static void assertFractions(JsonNode part, int n, double shared, double teacher, double student, double boosted) {
        assertEquals(n, part.get("labelled_sentences").asInt());
        JsonNode f = part.get("fractions");
        assertEquals(shared, f.get("SHARED").asDouble(), 1e-12);
        assertEquals(teacher, f.get("TEACHER").asDouble(), 1e-12);
        assertEquals(student, f.get("STUDENT").asDouble(), 1e-12);
        assertEquals(boosted, f.get("BOOSTED").asDouble(), 1e-12);
    }

    @Test
    void everyCellRelabelsFromTheStoredProbabilities(@TempDir Path dir) throws Exception {
        Path t = trace(dir);
        TraceCommandTest.Run r = TraceCommandTest.run("classify", "--scores", t.toString(), "--sweep", "alpha=0.05:0.15:0.05,beta=0.1:0.2:0.1");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("swept 3 × 2 (α × β) over 6 sentences of 2 responses (1 correct, 1 incorrect; 1 unscored sentences)"), r.out());
        List<JsonNode> rows = rows(t.resolve("sweep.jsonl"));
        assertEquals(6, rows.size());
        double[] alphas = rows.stream().mapToDouble(x -> x.get("alpha").asDouble()).toArray();
        assertArrayEquals(new double[] {0.05, 0.05, 0.1, 0.1, 0.15, 0.15}, alphas, 0, "decimal steps, α-major");

        // α .05, β .1: s0 Teacher, s1 Shared, s2 Student | s3 Teacher, s4 Boosted (Δ_TD .2 > α, Δ_TS .04 ≤ β)
        JsonNode a = cell(rows, 0.05, 0.1);
        assertFractions(a.get("overall"), 5, 1 / 5.0, 2 / 5.0, 1 / 5.0, 1 / 5.0);
        assertFractions(a.get("correct"), 3, 1 / 3.0, 1 / 3.0, 1 / 3.0, 0);
        assertFractions(a.get("incorrect"), 2, 0, 1 / 2.0, 0, 1 / 2.0);
        assertEquals(1 / 3.0 - 1 / 2.0, a.get("teacher_gap").asDouble(), 1e-12);
        // α .15, β .2: s0 Teacher, s1 Shared, s2 Student | s3 Shared (all |Δ| ≤ .15), s4 Boosted
        JsonNode b = cell(rows, 0.15, 0.2);
        assertFractions(b.get("overall"), 5, 2 / 5.0, 1 / 5.0, 1 / 5.0, 1 / 5.0);
        assertFractions(b.get("incorrect"), 2, 1 / 2.0, 0, 0, 1 / 2.0);
        assertEquals(1 / 3.0, b.get("teacher_gap").asDouble(), 1e-12);
        assertEquals(1, b.get("correct").get("counts").get("TEACHER").asInt());

        DocumentBuilderFactory xml = DocumentBuilderFactory.newInstance();
        xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);   // SVG's DOCTYPE: no network
        for (String name : List.of("sweep_teacher_share", "sweep_teacher_gap")) {
            Path svg = t.resolve("figures").resolve(name + ".svg"), png = t.resolve("figures").resolve(name + ".png");
            var doc = xml.newDocumentBuilder().parse(svg.toFile());
            assertEquals("svg", doc.getDocumentElement().getTagName(), name);
            BufferedImage image = ImageIO.read(png.toFile());
            assertNotNull(image, name + ".png is a PNG");
            assertTrue(image.getWidth() >= 520 && image.getHeight() >= 380, name + ": " + image.getWidth() + "×" + image.getHeight());
        }
        assertTrue(Files.readString(t.resolve("figures/sweep_teacher_share.svg")).contains(">0.400<"), "the share of α .05, β .1 is printed");
        assertTrue(Files.readString(t.resolve("figures/sweep_teacher_gap.svg")).contains(">+0.333<"), "the gap of α .15, β .2 is printed");
        assertTrue(Files.readString(t.resolve("figures/sweep_teacher_gap.svg")).contains(">-0.167<"), "the gap of α .05, β .1 is printed");
        // the trace's own files are untouched: its labels are still those of α = β = 0.1
        assertTrue(Files.readString(t.resolve("sentences.jsonl")).contains("\"label\""));
    }

    @Test
    void aThresholdNotSweptKeepsItsOptionAndBadGridsAreRefused(@TempDir Path dir) throws Exception {
        Path t = trace(dir), out = dir.resolve("sweep-out");
        TraceCommandTest.Run r = TraceCommandTest.run("classify", "--scores", t.toString(), "--out", out.toString(),
                "--beta", "0.2", "--sweep", "alpha=0.05:0.06:0.05");
        assertEquals(0, r.exit(), r.err());
        List<JsonNode> rows = rows(out.resolve("sweep.jsonl"));
        assertEquals(1, rows.size());
        assertEquals(0.2, rows.get(0).get("beta").asDouble());
        assertTrue(Files.exists(out.resolve("figures/sweep_teacher_gap.png")));
        assertTrue(!Files.exists(out.resolve("sentences.jsonl")), "a sweep writes no relabelled trace");

        for (String[] bad : new String[][] {
                {"alpha=0.2:0.1:0.05", "--sweep: alpha stops (0.1) before it starts (0.2)"},
                {"beta=0.1:0.2:0", "--sweep: beta's step must be > 0, got 0"},
                {"gamma=0.1", "--sweep: \"gamma=0.1\" is not alpha=START:STOP:STEP"},
                {"alpha=0.1,alpha=0.2", "--sweep: alpha is given twice"},
                {"alpha=0:1:0.00001", "--sweep: alpha=0:1:0.00001 has more than 10000 values"},
                {"alpha=x:1:0.1", "--sweep: alpha=x:1:0.1 is not START:STOP:STEP or one number"}}) {
            TraceCommandTest.Run e = TraceCommandTest.run("classify", "--scores", t.toString(), "--out", out.toString(), "--sweep", bad[0]);
            assertEquals(2, e.exit(), bad[0] + ": " + e.err());
            assertTrue(e.err().contains(bad[1]), bad[0] + ": " + e.err());
        }
    }
}
