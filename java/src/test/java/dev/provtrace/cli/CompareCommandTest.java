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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * compare on two hand-made traces whose label counts are known: the correctness association worked out by hand,
 * names made unique, figures as SVG and PNG, the static report holding the numbers, and the refusals.
 */
class CompareCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    // (p_T, p_S, p_D) that label as Teacher, Student, Shared and Boosted at α = β = 0.1
    private static final double[] T = {0.9, 0.3, 0.4}, S = {0.2, 0.8, 0.5}, SH = {0.5, 0.5, 0.5}, B = {0.5, 0.45, 0.2};

    private static TracedResponse response(String id, Correctness c, double[]... sentences) {
        List<TracedSentence> ss = new ArrayList<>();
        for (int i = 0; i < sentences.length; i++) {
            ss.add(new TracedSentence(i, 10 * i, 10 * i + 9, "s" + i, sentences[i][0], sentences[i][1], sentences[i][2], 2, 2, 2));
        }
        return new TracedResponse(id, "g", c, "text", ss);
    }

    private static Path trace(Path dir, List<TracedResponse> rs) throws Exception {
        TraceOutputs.write(sink -> { for (TracedResponse r : rs) sink.accept(r); }, dir, 0.1, BetaChoice.parse("0.1"), JSON.createObjectNode());
        return dir;
    }

    @Test
    void twoPairsSideBySide(@TempDir Path dir) throws Exception {
        // pair A: correct responses 3 T of 5 labelled, incorrect 1 T of 4 -> gap 0.6 - 0.25 = 0.35
        Path a = trace(dir.resolve("study1/pair"), List.of(response("a1", Correctness.CORRECT, T, T, SH),
                response("a2", Correctness.CORRECT, T, B), response("a3", Correctness.INCORRECT, T, S, S, SH),
                response("a4", Correctness.UNKNOWN, T, T, T)));
        // pair B: correct 1 T of 3, incorrect 2 T of 2 -> gap 1/3 - 1
        Path b = trace(dir.resolve("study2/pair"), List.of(response("b1", Correctness.CORRECT, T, S, B),
                response("b2", Correctness.INCORRECT, T, T)));
        Path out = dir.resolve("cmp");
        TraceCommandTest.Run r = TraceCommandTest.run("compare", a.toString(), b.toString(), "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("compared 2 traces:"), r.out());

        JsonNode runs = JSON.readTree(out.resolve("compare.json").toFile()).get("runs");
        assertEquals(2, runs.size());
        assertEquals("study1/pair", runs.get(0).get("name").asText(), "same folder names: the parents make them unique");
        assertEquals("study2/pair", runs.get(1).get("name").asText());
        JsonNode ca = runs.get(0).get("correctness_association"), cb = runs.get(1).get("correctness_association");
        assertEquals(5, ca.get("correct").get("labelled_sentences").asInt());
        assertEquals(0.6, ca.get("correct").get("fractions").get("TEACHER").asDouble(), 1e-12);
        assertEquals(0.25, ca.get("incorrect").get("fractions").get("TEACHER").asDouble(), 1e-12);
        assertEquals(0.5, ca.get("incorrect").get("fractions").get("STUDENT").asDouble(), 1e-12);
        assertEquals(0.35, ca.get("teacher_gap").asDouble(), 1e-12);
        assertEquals(1 / 3.0 - 1, cb.get("teacher_gap").asDouble(), 1e-12);
        // overall fractions come from each summary.json: A has 7 T of 12 labelled sentences (the unknown response counts)
        assertEquals(7 / 12.0, runs.get(0).get("labels").get("fractions").get("TEACHER").asDouble(), 1e-12);
        assertEquals(0.1, runs.get(1).get("beta").asDouble());

        DocumentBuilderFactory xml = DocumentBuilderFactory.newInstance();
        xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        for (String f : List.of("compare_labels", "compare_teacher_by_correctness", "compare_teacher_positions")) {
            assertEquals("svg", xml.newDocumentBuilder().parse(out.resolve("figures/" + f + ".svg").toFile()).getDocumentElement().getTagName());
            assertNotNull(ImageIO.read(out.resolve("figures/" + f + ".png").toFile()), f + ".png");
        }
        String html = Files.readString(out.resolve("compare.html"));
        assertTrue(html.contains("<td>0.600</td>") && html.contains("<td>+0.350</td>") && html.contains("<td>-0.667</td>"), "the table's numbers");
        assertTrue(html.contains("<svg"), "figures inlined");
        assertTrue(!html.contains("<script"), "a static page");

        // the same comparison again: fine; of other traces: refused without --overwrite
        assertEquals(0, TraceCommandTest.run("compare", a.toString(), b.toString(), "--out", out.toString()).exit());
        TraceCommandTest.Run other = TraceCommandTest.run("compare", b.toString(), a.toString(), "--out", out.toString());
        assertEquals(1, other.exit(), other.err());
        assertTrue(other.err().contains("use another --out, or --overwrite to start afresh"), other.err());
        assertEquals(0, TraceCommandTest.run("compare", b.toString(), a.toString(), "--out", out.toString(), "--overwrite").exit());
        assertEquals("study2/pair", JSON.readTree(out.resolve("compare.json").toFile()).get("runs").get(0).get("name").asText());
    }

    @Test
    void refusals(@TempDir Path dir) throws Exception {
        Path a = trace(dir.resolve("a"), List.of(response("a1", Correctness.CORRECT, T)));
        Path b = trace(dir.resolve("b"), List.of(response("b1", Correctness.INCORRECT, S)));
        TraceCommandTest.Run one = TraceCommandTest.run("compare", a.toString(), "--out", dir.resolve("c").toString());
        assertEquals(2, one.exit(), one.err());
        TraceCommandTest.Run self = TraceCommandTest.run("compare", a.toString(), b.toString(), "--out", a.toString());
        assertEquals(2, self.exit());
        assertTrue(self.err().contains("is one of the traces compared"), self.err());
        Path foreign = Files.createDirectories(dir.resolve("mine"));
        Files.writeString(foreign.resolve("compare.json"), "{\"mine\": true}");
        TraceCommandTest.Run clobber = TraceCommandTest.run("compare", a.toString(), b.toString(), "--out", foreign.toString());
        assertEquals(2, clobber.exit());
        assertTrue(clobber.err().contains("compare.json exists and no provtrace compare wrote it"), clobber.err());
        assertEquals("{\"mine\": true}", Files.readString(foreign.resolve("compare.json")));
        TraceCommandTest.Run missing = TraceCommandTest.run("compare", a.toString(), dir.resolve("nope").toString(), "--out", dir.resolve("c").toString());
        assertEquals(1, missing.exit(), missing.err());
        assertTrue(missing.err().contains("nope/summary.json: not found (is " + dir.resolve("nope") + " the --out folder of a trace?)"), missing.err());
    }
}
