package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.demo.DemoCandidates;
import dev.provtrace.demo.DemoTrio;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code select --compare-all} on the demo trio, whose candidates' labels are known by construction
 * ({@link DemoCandidates}): max-teacher-count picks the teacher-style candidate of every question, min-teacher-count
 * the student-style one, and the per-candidate statistics are the planted counts.
 */
class SelectDemoTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    @BeforeAll
    static void trio() throws Exception {
        DemoTrio.generate(dir);
        DemoCandidates.write(dir.resolve(DemoCandidates.FILE));
    }

    static String[] select(Path output, String... more) {
        List<String> args = new ArrayList<>(List.of("select",
                "--teacher", DemoTrio.modelDir(dir, DemoTrio.Role.TEACHER).toString(),
                "--student", DemoTrio.modelDir(dir, DemoTrio.Role.STUDENT).toString(),
                "--input", dir.resolve(DemoCandidates.FILE).toString(), "--output", output.toString(),
                "--threads", "2", "--quiet"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    static List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) out.add(JSON.readTree(l));
        return out;
    }

    static List<String> selected(JsonNode selection, String strategy) {
        for (JsonNode s : selection.get("strategies")) {
            if (s.get("strategy").asText().equals(strategy)) {
                List<String> ids = new ArrayList<>();
                s.get("selected").forEach(id -> ids.add(id.asText()));
                return ids;
            }
        }
        throw new AssertionError("no strategy " + strategy);
    }

    @Test
    void teacherStyleForMaxTeacherCountAndStudentStyleForMin() throws Exception {
        Path out = dir.resolve("sel"), output = dir.resolve("selected.jsonl");
        long start = System.nanoTime();
        TraceCommandTest.Run r = TraceCommandTest.run(select(output, "--compare-all", "--out", out.toString(), "--chunk", "5"));
        System.out.printf("select --compare-all on the demo: %.2f s%n", (System.nanoTime() - start) / 1e9);
        assertEquals(0, r.exit(), r.out() + r.err());

        // every candidate's statistics are the planted ones
        List<JsonNode> candidates = lines(out.resolve("candidates.jsonl"));
        assertEquals(36, candidates.size());
        for (JsonNode c : candidates) {
            String id = c.get("id").asText();
            DemoCandidates.Style style = DemoCandidates.Style.valueOf(id.substring(id.lastIndexOf('-') + 1).toUpperCase());
            assertEquals(style.teacher, c.get("teacher_count").asInt(), id);
            assertEquals(style.common, c.get("common_count").asInt(), id);
            assertEquals(style.student, c.get("student_count").asInt(), id);
            assertEquals(style.teacher + style.common + style.student, c.get("n_sentences").asInt(), id);
            assertEquals(0, c.get("unscored_count").asInt(), id);
            assertEquals((double) style.teacher / c.get("n_sentences").asInt(), c.get("teacher_ratio").asDouble(), 1e-15);
            assertTrue(c.get("grape_score").asDouble() < 0, id);
        }

        JsonNode selection = JSON.readTree(out.resolve("selection.json").toFile());
        List<String> questions = DemoTrio.records().stream().map(rec -> rec.id()).toList();
        assertEquals(questions.stream().map(q -> q + "-teacher").toList(), selected(selection, "max-teacher-count"));
        assertEquals(questions.stream().map(q -> q + "-student").toList(), selected(selection, "min-teacher-count"));
        // the highest ratio is the teacher-style one too (2/4 against 1/5)
        assertEquals(questions.stream().map(q -> q + "-teacher").toList(), selected(selection, "max-teacher-ratio"));
        // longest: per question the candidate with the most code points (the first of equals), computed here
        Map<String, JsonNode> longest = new java.util.LinkedHashMap<>();
        for (JsonNode c : lines(dir.resolve(DemoCandidates.FILE))) {
            String q = c.get("question_id").asText(), text = c.get("response").asText();
            JsonNode best = longest.get(q);
            if (best == null || text.codePointCount(0, text.length())
                    > best.get("response").asText().codePointCount(0, best.get("response").asText().length())) longest.put(q, c);
        }
        assertEquals(longest.values().stream().map(c -> c.get("id").asText()).toList(), selected(selection, "longest"));
        assertTrue(selected(selection, "longest").stream().filter(id -> id.endsWith("-mixed")).count() >= 6,
                "five sentences are mostly the longest");
        // GRAPE prefers what the student already finds likely: its own style
        assertEquals(questions.stream().map(q -> q + "-student").toList(), selected(selection, "grape"));
        assertEquals(12, selected(selection, "random").size());

        // the output holds the max-teacher-count picks with the input's fields and their statistics
        List<JsonNode> picked = lines(output);
        assertEquals(12, picked.size());
        for (JsonNode p : picked) {
            assertEquals("teacher", p.get("style").asText(), "extra fields are carried through");
            assertEquals(2, p.get("teacher_count").asInt());
            assertTrue(p.has("question") && p.has("response") && p.has("question_id"));
        }

        // aggregates: max-teacher-count 2 Teacher / 2 Common per response; all candidates (0 + 1 + 2) / 3 = 1
        JsonNode max = selection.get("strategies").get(0);
        assertEquals("max-teacher-count", max.get("strategy").asText());
        assertEquals(2.0, max.get("mean_teacher_count").asDouble(), 1e-12);
        assertEquals(0.5, max.get("teacher_fraction").asDouble(), 1e-12);
        assertEquals(1.0, selection.get("candidates").get("mean_teacher_count").asDouble(), 1e-12);
        assertEquals(List.of(12, 12, 12), JSON.convertValue(selection.get("candidates").get("teacher_count_histogram"), List.class));
        // max- and min-teacher-count never agree: Jaccard 0; each strategy agrees with itself: 1
        JsonNode overlap = selection.get("overlap");
        assertEquals(0.0, overlap.get("jaccard").get(0).get(1).asDouble());
        assertEquals(1.0, overlap.get("jaccard").get(2).get(2).asDouble());
        // max-teacher-ratio made the same picks as max-teacher-count
        assertEquals(1.0, overlap.get("jaccard").get(0).get(2).asDouble());
        assertTrue(Files.size(out.resolve("report.html")) > 100_000);
        assertTrue(r.out().contains("report: "), r.out());
    }

    @Test
    void autoBetaFindsThePlantedGapAndSelectsTheSame() throws Exception {
        Path out = dir.resolve("auto"), output = dir.resolve("auto.jsonl");
        TraceCommandTest.Run r = TraceCommandTest.run(select(output, "--beta", "auto", "--out", out.toString()));
        assertEquals(0, r.exit(), r.out() + r.err());
        JsonNode selection = JSON.readTree(out.resolve("selection.json").toFile());
        double beta = selection.get("run").get("beta").asDouble();
        assertTrue(beta > 0.1 && beta < 0.5, "auto β " + beta);
        Map<String, Integer> teacherCounts = new HashMap<>();
        for (JsonNode p : lines(output)) teacherCounts.put(p.get("id").asText(), p.get("teacher_count").asInt());
        assertEquals(12, teacherCounts.size());
        teacherCounts.forEach((id, n) -> {
            assertTrue(id.endsWith("-teacher"), id);
            assertEquals(2, n, id);
        });
    }
}
