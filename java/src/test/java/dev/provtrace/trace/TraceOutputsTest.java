package dev.provtrace.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.provenance.Classifier;
import dev.provtrace.provenance.Correctness;
import dev.provtrace.provenance.Label;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Outputs of a trace from hand-made probabilities: labels, counts, summary, report, and reading them back. */
class TraceOutputsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static List<TracedResponse> responses() {
        String r1 = "Let 𝑥 = 2. Then x² = 4. Wait, check. Done.";
        TracedResponse a = new TracedResponse("a", "arith", Correctness.CORRECT, r1, List.of(
                new TracedSentence(0, 0, 10, "Let 𝑥 = 2.", 0.9, 0.2, 0.85, 4, 5, 5),      // teacher: Δ_TS 0.7
                new TracedSentence(1, 11, 23, "Then x² = 4.", 0.5, 0.52, 0.55, 5, 6, 6),  // shared
                new TracedSentence(2, 24, 36, "Wait, check.", 0.1, 0.7, 0.6, 3, 3, 3),    // student
                new TracedSentence(3, 37, 42, "Done.", 0.3, 0.31, 0.8, 2, 2, 2)));        // boosted
        TracedResponse b = new TracedResponse("b", "algebra", Correctness.INCORRECT, "No tokens here. Fine.", List.of(
                new TracedSentence(0, 0, 15, "No tokens here.", Double.NaN, 0.4, 0.4, 0, 4, 4),  // unscored
                new TracedSentence(1, 16, 21, "Fine.", 0.6, 0.6, 0.6, 2, 2, 2)));
        return List.of(a, b);
    }

    static TraceOutputs.ResponseSource source(List<TracedResponse> rs) {
        return sink -> {
            for (TracedResponse r : rs) sink.accept(r);
        };
    }

    @Test
    void labelsSummaryReportAndReadBack(@TempDir Path dir) throws Exception {
        Classifier c = new Classifier(0.1, 0.1);
        assertEquals(List.of(Label.TEACHER, Label.SHARED, Label.STUDENT, Label.BOOSTED), Labeller.label(responses().get(0), c));
        assertNull(Labeller.label(responses().get(1), c).get(0));
        TraceOutputs.write(source(responses()), dir, 0.1, BetaChoice.parse("0.1"), JSON.createObjectNode().put("note", "test"));

        List<String> sentences = Files.readAllLines(dir.resolve(TraceOutputs.SENTENCES));
        assertEquals(6, sentences.size());
        JsonNode first = JSON.readTree(sentences.get(0));
        assertEquals("TEACHER", first.get("label").asText());
        assertEquals(0.9, first.get("p_T").asDouble());
        assertTrue(JSON.readTree(sentences.get(4)).get("p_T").isNull());
        JsonNode traj = JSON.readTree(Files.readAllLines(dir.resolve(TraceOutputs.TRAJECTORIES)).get(0));
        assertEquals(1, traj.get("counts").get("BOOSTED").asInt());
        assertTrue(traj.get("correct").asBoolean());

        JsonNode summary = JSON.readTree(dir.resolve(TraceOutputs.SUMMARY).toFile());
        assertEquals(6, summary.get("sentences").asInt());
        assertEquals(1, summary.get("unscored_sentences").asInt());
        assertEquals(2.0 / 5, summary.get("labels").get("overall").get("fractions").get("SHARED").asDouble(), 1e-12);
        assertEquals(1, summary.get("labels").get("by_group").get("algebra").get("counts").get("SHARED").asInt());
        assertEquals(1, summary.get("correctness").get("incorrect").asInt());
        assertEquals(20, summary.get("position_curves").get("correct").get("TEACHER").size());
        assertTrue(summary.get("beta_criterion").get("candidates").size() > 10);

        String html = Files.readString(dir.resolve(TraceOutputs.REPORT));
        assertTrue(html.contains("Chart.js v4"), "Chart.js is inlined");
        assertTrue(html.contains("\"id\":\"a\"") && !html.contains("/*DATA*/") && !html.contains("/*CHARTJS*/"));

        List<TracedResponse> back = TraceOutputs.read(dir);
        assertEquals(responses(), back);
        // relabelling in place from the files = writing the responses with those values directly
        TraceOutputs.write(TraceOutputs.reader(dir), dir, 0.05, BetaChoice.parse("0.3"), JSON.createObjectNode());
        Path direct = dir.resolve("direct");
        TraceOutputs.write(source(responses()), direct, 0.05, BetaChoice.parse("0.3"), JSON.createObjectNode());
        assertEquals(Files.readAllLines(direct.resolve(TraceOutputs.SENTENCES)), Files.readAllLines(dir.resolve(TraceOutputs.SENTENCES)));
        assertEquals(responses(), TraceOutputs.read(dir), "relabelling keeps the responses");
    }

    @Test
    void autoBetaNeedsSeparableData(@TempDir Path dir) {
        TracedResponse flat = new TracedResponse("f", "g", Correctness.UNKNOWN, "A. B.", List.of(
                new TracedSentence(0, 0, 2, "A.", 0.5, 0.5, 0.5, 1, 1, 1), new TracedSentence(1, 3, 5, "B.", 0.5, 0.5, 0.5, 1, 1, 1)));
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> TraceOutputs.write(source(List.of(flat)), dir, 0.1, BetaChoice.parse("auto"), JSON.createObjectNode()));
        assertTrue(e.getMessage().contains("give --beta a value"), e.getMessage());
    }
}
