package dev.provtrace.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.io.JsonlReader;
import dev.provtrace.io.JsonlRecord;
import dev.provtrace.provenance.Label;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Several traces side by side (e.g. the paper's teacher–student pairs): from each --out folder its summary.json
 * (α, β and how it was chosen, label fractions, position curves, models) and, streamed from trajectories.jsonl,
 * the label counts of correct and of incorrect responses, which give the correctness association: the share of
 * each label among the sentences of correct responses, of incorrect ones, and the Teacher share's difference.
 */
public final class TraceComparison {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One trace: its name in the comparison, its folder, summary.json, and label counts [0 correct, 1 incorrect][label]. */
    public record Run(String name, Path folder, JsonNode summary, long[][] counts) {
        /** The share of {@code label} among the labelled sentences of correct (part 0) or incorrect (1) responses. */
        public Double share(int part, Label label) { return LabelCounts.share(counts[part], label); }

        /** Teacher share of correct responses minus that of incorrect ones; null without both. */
        public Double teacherGap() {
            Double c = share(0, Label.TEACHER), i = share(1, Label.TEACHER);
            return c == null || i == null ? null : c - i;
        }
    }

    private TraceComparison() {}

    /** Reads every folder; names are the folders' names, made unique with their parents' where two are the same. */
    public static List<Run> read(List<Path> folders) throws IOException {
        if (folders.size() < 2) throw new IllegalArgumentException("compare needs at least two trace folders, got " + folders.size());
        List<Run> runs = new ArrayList<>();
        List<String> names = names(folders);
        for (int i = 0; i < folders.size(); i++) runs.add(readOne(names.get(i), folders.get(i)));
        return runs;
    }

    private static Run readOne(String name, Path dir) throws IOException {
        Path summaryFile = dir.resolve(TraceOutputs.SUMMARY), trajectories = dir.resolve(TraceOutputs.TRAJECTORIES);
        for (Path p : List.of(summaryFile, trajectories)) {
            if (!Files.isRegularFile(p)) throw new IOException(p + ": not found (is " + dir + " the --out folder of a trace?)");
        }
        JsonNode summary;
        try {
            summary = JSON.readTree(summaryFile.toFile());
        } catch (IOException e) {
            throw new IOException(summaryFile + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
        for (String key : List.of("alpha", "beta", "labels", "position_curves", "correctness")) {
            if (summary == null || !summary.has(key)) throw new IOException(summaryFile + ": no \"" + key + "\" (not a trace's summary.json?)");
        }
        long[][] counts = new long[2][Label.values().length];
        try (JsonlReader r = JsonlReader.open(trajectories)) {
            for (JsonlRecord rec : r) {
                TraceLineFields f = new TraceLineFields(trajectories, rec);
                Boolean correct = f.optionalBoolean("correct");
                if (correct == null) continue;
                JsonNode c = rec.value().get("counts");
                if (c == null || !c.isObject()) throw new IOException(trajectories + ":" + rec.lineNumber() + ": no \"counts\" object");
                for (Label lab : Label.values()) {
                    JsonNode k = c.get(lab.name());
                    if (k == null || !k.canConvertToLong() || k.asLong() < 0) {
                        throw new IOException(trajectories + ":" + rec.lineNumber() + ": counts." + lab.name() + " is not a count: " + k);
                    }
                    counts[correct ? 0 : 1][lab.ordinal()] += k.asLong();
                }
            }
        }
        return new Run(name, dir, summary, counts);
    }

    static List<String> names(List<Path> folders) {
        List<String> names = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Path p : folders) seen.merge(leaf(p, 1), 1, Integer::sum);
        for (Path p : folders) names.add(seen.get(leaf(p, 1)) > 1 ? leaf(p, 2) : leaf(p, 1));
        return names;
    }

    /** The last {@code parts} names of a path ("pair-a", or "study1/pair-a"). */
    private static String leaf(Path p, int parts) {
        Path abs = p.toAbsolutePath().normalize();
        int n = abs.getNameCount();
        return n == 0 ? abs.toString() : abs.subpath(Math.max(0, n - parts), n).toString();
    }

    /** compare.json: per run its settings, fractions, correctness association and position curves, in input order. */
    public static ObjectNode json(List<Run> runs) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode a = out.putArray("runs");
        for (Run r : runs) {
            JsonNode s = r.summary();
            ObjectNode o = a.addObject();
            o.put("name", r.name());
            o.put("folder", r.folder().toString());
            ArrayNode models = o.putArray("models");
            for (JsonNode m : s.path("run").path("models")) {
                models.addObject().put("role", m.path("role").asText()).put("folder", m.path("folder").asText());
            }
            o.put("alpha", s.get("alpha").asDouble());
            o.put("beta", s.get("beta").asDouble());
            o.put("beta_mode", s.path("beta_mode").asText("fixed"));
            o.put("responses", s.path("responses").asLong());
            o.put("sentences", s.path("sentences").asLong());
            o.set("correctness", s.get("correctness"));
            o.set("labels", s.get("labels").get("overall"));
            ObjectNode assoc = o.putObject("correctness_association");
            assoc.set("correct", LabelCounts.json(r.counts()[0], false));
            assoc.set("incorrect", LabelCounts.json(r.counts()[1], false));
            Double gap = r.teacherGap();
            if (gap == null) assoc.putNull("teacher_gap");
            else assoc.put("teacher_gap", gap);
            o.set("position_curves", s.get("position_curves"));
        }
        return out;
    }
}
