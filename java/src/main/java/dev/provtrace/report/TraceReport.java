package dev.provtrace.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.provenance.Correctness;
import dev.provtrace.provenance.Label;
import dev.provtrace.trace.Labelled;
import dev.provtrace.trace.TracedResponse;
import dev.provtrace.trace.TracedSentence;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * report.html of a trace: label fractions (overall, per group), position curves (correct solid, incorrect
 * dashed), the β criterion with the β used, the Δ_TS histogram by label, and for a few responses a trace of
 * p_T, p_S, p_D per sentence over label-coloured bands with the text highlighted by label.
 */
public final class TraceReport {
    /** Responses shown in full: half correct, half incorrect where possible. */
    static final int EXAMPLES = 6;
    private static final int DELTA_BINS = 40;
    private static final ObjectMapper JSON = new ObjectMapper();

    private TraceReport() {}

    public static void write(Labelled l, ObjectNode summary, Path out) throws IOException {
        HtmlReport.write("trace-report.html", "trace-report.js", JSON.writeValueAsString(data(l, summary)), out);
    }

    static ObjectNode data(Labelled l, ObjectNode summary) {
        ObjectNode d = JSON.createObjectNode();
        ObjectNode meta = d.putObject("meta");
        meta.put("responses", summary.get("responses").asInt());
        meta.put("sentences", summary.get("sentences").asInt());
        meta.put("unscored", summary.get("unscored_sentences").asInt());
        meta.put("alpha", l.alpha());
        meta.put("beta", l.beta());
        meta.put("betaMode", l.choice().auto() ? "chosen from the data" : "given");
        JsonNode c = summary.get("correctness");
        meta.put("correct", c.get("correct").asInt());
        meta.put("incorrect", c.get("incorrect").asInt());
        meta.put("unknown", c.get("unknown").asInt());
        d.set("overall", summary.get("labels").get("overall"));
        d.set("byGroup", summary.get("labels").get("by_group"));

        JsonNode pc = summary.get("position_curves");
        ObjectNode pos = d.putObject("positions");
        pos.put("bins", pc.get("bins").asInt());
        pos.set("correct", pc.get("correct"));
        pos.set("incorrect", pc.get("incorrect"));
        pos.set("area", pc.get("area_between"));
        pos.put("correctResponses", pc.get("correct_responses").asInt());
        pos.put("incorrectResponses", pc.get("incorrect_responses").asInt());
        pos.put("unknownResponses", pc.get("unknown_responses").asInt());

        JsonNode crit = summary.get("beta_criterion");
        ObjectNode beta = d.putObject("beta");
        beta.set("candidates", crit.has("candidates") ? crit.get("candidates") : JSON.createArrayNode());
        beta.put("note", betaNote(l, crit));

        d.set("deltaHistogram", deltaHistogram(l));
        ArrayNode examples = d.putArray("examples");
        for (int i : exampleIndexes(l)) examples.add(example(l.responses().get(i), l.labels().get(i)));
        return d;
    }

    private static String betaNote(Labelled l, JsonNode crit) {
        String method = "β criterion: " + crit.get("method").asText() + ". ";
        if (!crit.has("candidates")) return method + crit.path("note").asText("");
        String chosen = crit.get("separated").asBoolean()
                ? String.format("The criterion peaks at β = %.3f (separability η = %.2f). ", crit.get("chosen_beta").asDouble(),
                crit.get("separability").asDouble())
                : "The Δ_TS values do not separate (one histogram bin). ";
        return method + chosen + (l.choice().auto() ? "That β was used." : String.format("β = %.3f was given.", l.beta()));
    }

    private static ObjectNode deltaHistogram(Labelled l) {
        ObjectNode h = JSON.createObjectNode();
        ArrayNode centers = h.putArray("centers");
        double width = 2.0 / DELTA_BINS;
        for (int b = 0; b < DELTA_BINS; b++) centers.add(-1 + (b + 0.5) * width);
        int[][] counts = new int[Label.values().length][DELTA_BINS];
        for (int i = 0; i < l.responses().size(); i++) {
            List<TracedSentence> ss = l.responses().get(i).sentences();
            for (int k = 0; k < ss.size(); k++) {
                Label lab = l.labels().get(i).get(k);
                if (lab == null) continue;
                double delta = ss.get(k).pT() - ss.get(k).pS();
                int b = Math.min(DELTA_BINS - 1, Math.max(0, (int) Math.floor((delta + 1) / width)));
                counts[lab.ordinal()][b]++;
            }
        }
        ObjectNode byLabel = h.putObject("counts");
        for (Label lab : Label.values()) {
            ArrayNode a = byLabel.putArray(lab.name());
            for (int v : counts[lab.ordinal()]) a.add(v);
        }
        return h;
    }

    /** Up to EXAMPLES responses, alternating correct and incorrect ones, then any. */
    static List<Integer> exampleIndexes(Labelled l) {
        List<Integer> correct = new ArrayList<>(), incorrect = new ArrayList<>(), other = new ArrayList<>();
        for (int i = 0; i < l.responses().size(); i++) {
            Correctness c = l.responses().get(i).correctness();
            (c == Correctness.CORRECT ? correct : c == Correctness.INCORRECT ? incorrect : other).add(i);
        }
        List<Integer> out = new ArrayList<>();
        for (int k = 0; out.size() < EXAMPLES && (k < correct.size() || k < incorrect.size()); k++) {
            if (k < correct.size()) out.add(correct.get(k));
            if (k < incorrect.size() && out.size() < EXAMPLES) out.add(incorrect.get(k));
        }
        for (int k = 0; out.size() < EXAMPLES && k < other.size(); k++) out.add(other.get(k));
        out.sort(Integer::compare);
        return out;
    }

    private static ObjectNode example(TracedResponse r, List<Label> labels) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", r.id());
        o.put("group", r.group());
        o.put("correctness", r.correctness().name());
        o.put("response", r.response());
        ArrayNode ss = o.putArray("sentences");
        for (int k = 0; k < r.sentences().size(); k++) {
            TracedSentence s = r.sentences().get(k);
            ObjectNode so = ss.addObject();
            so.put("index", s.index());
            so.put("start", s.start());
            so.put("end", s.end());
            so.put("label", labels.get(k) == null ? null : labels.get(k).name());
            putP(so, "pT", s.pT());
            putP(so, "pS", s.pS());
            putP(so, "pD", s.pD());
        }
        return o;
    }

    private static void putP(ObjectNode o, String k, double p) {
        if (Double.isNaN(p)) o.putNull(k);
        else o.put(k, p);
    }
}
