package dev.provtrace.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.io.JsonlReader;
import dev.provtrace.io.JsonlRecord;
import dev.provtrace.io.JsonlWriter;
import dev.provtrace.provenance.Correctness;
import dev.provtrace.provenance.Label;
import dev.provtrace.report.TraceReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files of a trace in {@code --out DIR}: sentences.jsonl (one line per sentence with its probabilities and
 * label), trajectories.jsonl (one line per response: label counts, correctness, the response text), summary.json
 * and report.html. {@link #read} loads sentences and trajectories back, which is all {@code classify} needs to
 * relabel with another α/β without any forward pass.
 */
public final class TraceOutputs {
    public static final String SENTENCES = "sentences.jsonl", TRAJECTORIES = "trajectories.jsonl",
            SUMMARY = "summary.json", REPORT = "report.html";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TraceOutputs() {}

    public static ObjectNode write(Labelled l, Path dir, ObjectNode run) throws IOException {
        Files.createDirectories(dir);
        try (JsonlWriter sw = JsonlWriter.open(dir.resolve(SENTENCES));
             JsonlWriter tw = JsonlWriter.open(dir.resolve(TRAJECTORIES))) {
            for (int i = 0; i < l.responses().size(); i++) {
                TracedResponse r = l.responses().get(i);
                List<Label> labels = l.labels().get(i);
                Map<Label, Integer> counts = new EnumMap<>(Label.class);
                int unscored = 0;
                for (int k = 0; k < r.sentences().size(); k++) {
                    TracedSentence s = r.sentences().get(k);
                    Label lab = labels.get(k);
                    if (lab == null) unscored++;
                    else counts.merge(lab, 1, Integer::sum);
                    ObjectNode o = JSON.createObjectNode();
                    o.put("id", r.id());
                    o.put("index", s.index());
                    o.put("start", s.start());
                    o.put("end", s.end());
                    o.put("text", s.text());
                    putProbability(o, "p_T", s.pT());
                    putProbability(o, "p_S", s.pS());
                    putProbability(o, "p_D", s.pD());
                    o.put("tokens_T", s.tokensT());
                    o.put("tokens_S", s.tokensS());
                    o.put("tokens_D", s.tokensD());
                    o.put("label", lab == null ? null : lab.name());
                    sw.write(o);
                }
                ObjectNode t = JSON.createObjectNode();
                t.put("id", r.id());
                t.put("group", r.group());
                t.put("correct", r.correctness() == Correctness.UNKNOWN ? null : r.correctness() == Correctness.CORRECT);
                t.put("sentences", r.sentences().size());
                ObjectNode c = t.putObject("counts");
                for (Label lab : Label.values()) c.put(lab.name(), counts.getOrDefault(lab, 0));
                t.put("unscored", unscored);
                t.put("response", r.response());
                tw.write(t);
            }
        }
        ObjectNode summary = TraceSummary.build(l);
        summary.set("run", run);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(SUMMARY).toFile(), summary);
        TraceReport.write(l, summary, dir.resolve(REPORT));
        return summary;
    }

    private static void putProbability(ObjectNode o, String key, double p) {
        if (Double.isNaN(p)) o.putNull(key);
        else o.put(key, p);
    }

    /** Sentences and responses of an earlier trace, in their original order. */
    public static List<TracedResponse> read(Path dir) throws IOException {
        Path tPath = dir.resolve(TRAJECTORIES), sPath = dir.resolve(SENTENCES);
        for (Path p : List.of(tPath, sPath)) {
            if (!Files.isRegularFile(p)) throw new IOException(p + ": not found (is " + dir + " the --out folder of a trace?)");
        }
        Map<String, List<TracedSentence>> sentences = new LinkedHashMap<>();
        try (JsonlReader r = JsonlReader.open(sPath)) {
            for (JsonlRecord rec; (rec = r.next()) != null; ) {
                JsonNode n = rec.value();
                sentences.computeIfAbsent(n.get("id").asText(), k -> new ArrayList<>()).add(new TracedSentence(
                        n.get("index").asInt(), n.get("start").asInt(), n.get("end").asInt(), n.get("text").asText(),
                        probability(n, "p_T"), probability(n, "p_S"), probability(n, "p_D"),
                        n.get("tokens_T").asInt(), n.get("tokens_S").asInt(), n.get("tokens_D").asInt()));
            }
        }
        List<TracedResponse> out = new ArrayList<>();
        try (JsonlReader r = JsonlReader.open(tPath)) {
            for (JsonlRecord rec; (rec = r.next()) != null; ) {
                JsonNode n = rec.value();
                String id = n.get("id").asText();
                JsonNode c = n.get("correct");
                Correctness correctness = c == null || c.isNull() ? Correctness.UNKNOWN
                        : c.asBoolean() ? Correctness.CORRECT : Correctness.INCORRECT;
                List<TracedSentence> s = sentences.getOrDefault(id, List.of());
                if (s.size() != n.get("sentences").asInt()) {
                    throw new IOException(sPath + ": response " + id + " should have " + n.get("sentences").asInt()
                            + " sentences, found " + s.size());
                }
                out.add(new TracedResponse(id, n.get("group").asText(), correctness, n.get("response").asText(), s));
            }
        }
        return out;
    }

    private static double probability(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? Double.NaN : v.asDouble();
    }
}
