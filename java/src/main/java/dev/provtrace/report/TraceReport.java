package dev.provtrace.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.provenance.Label;
import dev.provtrace.trace.TraceStats;
import dev.provtrace.trace.TracedResponse;
import dev.provtrace.trace.TracedSentence;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * report.html of a trace: label fractions (overall, per group), position curves (correct solid, incorrect
 * dashed), the β criterion with the β used, the Δ_TS histogram by label, and for a few responses a trace of
 * p_T, p_S, p_D per sentence over label-coloured bands with the text highlighted by label.
 */
public final class TraceReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TraceReport() {}

    public static void write(TraceStats st, ObjectNode summary, Path out) throws IOException {
        HtmlReport.write("trace-report.html", "trace-report.js", JSON.writeValueAsString(data(st, summary)), out);
    }

    static ObjectNode data(TraceStats st, ObjectNode summary) {
        ObjectNode d = JSON.createObjectNode();
        ObjectNode meta = d.putObject("meta");
        meta.put("responses", summary.get("responses").asInt());
        meta.put("sentences", summary.get("sentences").asInt());
        meta.put("unscored", summary.get("unscored_sentences").asInt());
        meta.put("alpha", st.alpha);
        meta.put("beta", st.beta);
        meta.put("betaMode", st.choice.auto() ? "chosen from the data" : "given");
        JsonNode c = summary.get("correctness");
        meta.put("correct", c.get("correct").asInt());
        meta.put("incorrect", c.get("incorrect").asInt());
        meta.put("unknown", c.get("unknown").asInt());
        d.set("overall", summary.get("labels").get("overall"));
        if (summary.has("teachers")) {   // several teachers: each one's Teacher sentences, with its folder
            com.fasterxml.jackson.databind.node.ArrayNode teachers = summary.get("teachers").deepCopy();
            for (JsonNode t : teachers) {
                for (JsonNode mdl : summary.path("run").path("models")) {
                    if (mdl.path("role").asText().equals(t.path("role").asText())) ((ObjectNode) t).put("folder", mdl.path("folder").asText());
                }
            }
            d.set("teachers", teachers);
            d.put("teacherRule", summary.path("teacher_rule").asText());
        }
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
        beta.put("note", betaNote(st, crit));

        d.set("deltaHistogram", deltaHistogram(st));
        ArrayNode examples = d.putArray("examples");
        for (TraceStats.Example e : st.examples()) examples.add(example(e.response(), e.labels()));
        return d;
    }

    private static String betaNote(TraceStats st, JsonNode crit) {
        String method = "β criterion: " + crit.get("method").asText() + ". ";
        if (!crit.has("candidates")) return method + crit.path("note").asText("");
        String chosen = crit.get("separated").asBoolean()
                ? String.format("The criterion peaks at β = %.3f (separability η = %.2f). ", crit.get("chosen_beta").asDouble(),
                crit.get("separability").asDouble())
                : "The Δ_TS values do not separate (one histogram bin). ";
        return method + chosen + (st.choice.auto() ? "That β was used." : String.format("β = %.3f was given.", st.beta));
    }

    private static ObjectNode deltaHistogram(TraceStats st) {
        ObjectNode h = JSON.createObjectNode();
        ArrayNode centers = h.putArray("centers");
        double width = 2.0 / TraceStats.DELTA_BINS;
        for (int b = 0; b < TraceStats.DELTA_BINS; b++) centers.add(-1 + (b + 0.5) * width);
        ObjectNode byLabel = h.putObject("counts");
        for (Label lab : Label.values()) {
            ArrayNode a = byLabel.putArray(lab.name());
            for (int v : st.deltaCounts()[lab.ordinal()]) a.add(v);
        }
        return h;
    }

    private static ObjectNode example(TracedResponse r, List<Label> labels) {
        ObjectNode o = JSON.createObjectNode();
        o.set("id", r.idValue());
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
