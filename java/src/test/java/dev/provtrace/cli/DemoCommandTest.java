package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.demo.DemoTrio;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo end to end: generate the trio, trace it through each model's own tokenizer and chat template, and get
 * every planted Teacher, Student, Shared and Boosted sentence back with its label.
 */
class DemoCommandTest {
    @Test
    void everyPlantedLabelIsRecovered(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("demo");
        TraceCommandTest.Run r = TraceCommandTest.run("demo", "--out", out.toString(), "--threads", "2", "--quiet");
        assertEquals(0, r.exit(), r.out() + r.err());
        int[] agreement = DemoCommand.compareWithPlanted(out);
        assertEquals(agreement[1], agreement[0], r.err());
        assertTrue(agreement[1] >= 40, "the demo plants " + agreement[1] + " sentences");
        assertTrue(r.out().contains("planted labels recovered: " + agreement[1] + " of " + agreement[1]), r.out());
        for (String f : new String[] {"models/teacher/model.safetensors", "models/student/tokenizer.json",
                "models/distilled/config.json", DemoTrio.INPUT_FILE, dev.provtrace.demo.DemoCandidates.FILE, "sentences.jsonl", "trajectories.jsonl",
                "summary.json", "report.html"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        for (String label : new String[] {"SHARED", "TEACHER", "STUDENT", "BOOSTED"}) {
            assertTrue(summary.get("labels").get("overall").get("counts").get(label).asInt() > 0, label);
        }
        // relabelling with β chosen from the data keeps the planted labels: the planted gap is wide
        TraceCommandTest.Run auto = TraceCommandTest.run("classify", "--scores", out.toString(), "--beta", "auto");
        assertEquals(0, auto.exit(), auto.err());
        int[] again = DemoCommand.compareWithPlanted(out);
        assertEquals(again[1], again[0], auto.out());
        double beta = new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("beta").asDouble();
        assertTrue(beta > 0.1 && beta < 0.5, "auto β " + beta);
    }
}
