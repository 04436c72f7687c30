package dev.provtrace.trace;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.provenance.AdaptiveBeta;
import dev.provtrace.provenance.BetaCandidate;
import dev.provtrace.provenance.Correctness;
import dev.provtrace.provenance.Label;
import dev.provtrace.provenance.PositionCurves;

import java.util.Map;

/**
 * summary.json of a trace: label fractions overall and per group, the fraction of each label at each relative
 * sentence position for correct and incorrect responses, the area between those curves, α, β and the β
 * criterion table.
 */
public final class TraceSummary {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TraceSummary() {}

    public static ObjectNode build(TraceStats st) {
        ObjectNode out = JSON.createObjectNode();
        out.put("alpha", st.alpha);
        out.put("beta", st.beta);
        out.put("beta_mode", st.choice.auto() ? "auto" : "fixed");
        out.set("beta_criterion", criterion(st.criterion, st.beta));
        out.put("responses", st.responses);
        out.put("sentences", st.sentences);
        out.put("unscored_sentences", st.unscored);
        ObjectNode c = out.putObject("correctness");
        for (Correctness k : Correctness.values()) c.put(k.name().toLowerCase(), st.correctness.getOrDefault(k, 0));
        ObjectNode labels = out.putObject("labels");
        labels.set("overall", fractions(st.total));
        ObjectNode groups = labels.putObject("by_group");
        st.byGroup.forEach((k, v) -> groups.set(k, fractions(v)));

        if (st.teacherCounts != null) {   // several teachers: where the Teacher sentences came from
            long teacherTotal = st.total.getOrDefault(Label.TEACHER, 0), labelled = st.sentences - st.unscored;
            ArrayNode teachers = out.putArray("teachers");
            for (int i = 0; i < st.teacherCounts.length; i++) {
                ObjectNode t = teachers.addObject();
                t.put("role", TraceJob.teacherRole(i));
                t.put("teacher_sentences", st.teacherCounts[i]);
                t.put("share_of_teacher", teacherTotal == 0 ? 0 : (double) st.teacherCounts[i] / teacherTotal);
                t.put("share_of_labelled", labelled == 0 ? 0 : (double) st.teacherCounts[i] / labelled);
            }
            out.put("teacher_rule", "each sentence's teacher is the one with the largest p_Ti - p_S (the first on a tie); "
                    + "p_T is that teacher's, and the four-way rule is applied with it");
        }
        PositionCurves.Result<Label> curves = st.curves.result();
        ObjectNode pos = out.putObject("position_curves");
        pos.put("bins", curves.bins());
        pos.put("weighting", "sentence");
        pos.put("position", "(index + 0.5) / sentences, binned");
        pos.put("correct_responses", curves.correctResponses());
        pos.put("incorrect_responses", curves.incorrectResponses());
        pos.put("unknown_responses", curves.unknownResponses());
        pos.set("correct", curveJson(curves.correct()));
        pos.set("incorrect", curveJson(curves.incorrect()));
        // per bin: the labelled sentences the fractions are of, and each fraction's Wilson 95% interval (null: empty bin)
        pos.set("correct_sentences", weights(curves.correctWeight()));
        pos.set("incorrect_sentences", weights(curves.incorrectWeight()));
        ObjectNode byGroup = pos.putObject("by_group");   // the group × correctness split
        st.positionCurvesByGroup().forEach((g, gc) -> {
            ObjectNode o = byGroup.putObject(g);
            o.put("correct_responses", gc.correctResponses()).put("incorrect_responses", gc.incorrectResponses());
            o.set("correct", curveJson(gc.correct()));
            o.set("incorrect", curveJson(gc.incorrect()));
        });
        ObjectNode wilson = pos.putObject("wilson95");
        wilson.set("correct", intervals(curves.correct(), curves.correctWeight()));
        wilson.set("incorrect", intervals(curves.incorrect(), curves.incorrectWeight()));
        ObjectNode area = pos.putObject("area_between");
        curves.area().forEach((k, v) -> area.put(k.name(), v));
        return out;
    }

    private static ObjectNode fractions(Map<Label, Integer> counts) {
        int n = counts.values().stream().mapToInt(Integer::intValue).sum();
        ObjectNode o = JSON.createObjectNode();
        o.put("labelled_sentences", n);
        ObjectNode cnt = o.putObject("counts"), frac = o.putObject("fractions");
        for (Label lab : Label.values()) {
            int k = counts.getOrDefault(lab, 0);
            cnt.put(lab.name(), k);
            frac.put(lab.name(), n == 0 ? 0 : (double) k / n);
        }
        return o;
    }

    private static ArrayNode weights(double[] w) {
        ArrayNode a = JSON.createArrayNode();
        for (double x : w) a.add(Math.round(x));
        return a;
    }

    private static ObjectNode intervals(Map<Label, double[]> curves, double[] n) {
        ObjectNode o = JSON.createObjectNode();
        curves.forEach((label, f) -> {
            ArrayNode a = o.putArray(label.name());
            for (int b = 0; b < f.length; b++) {
                double[] ci = Double.isNaN(f[b]) ? null : PositionCurves.wilson(f[b] * n[b], n[b], 1.96);
                if (ci == null) a.addNull();
                else a.addArray().add(ci[0]).add(ci[1]);
            }
        });
        return o;
    }

    private static ObjectNode curveJson(Map<Label, double[]> curves) {
        ObjectNode o = JSON.createObjectNode();
        curves.forEach((k, v) -> {
            ArrayNode a = o.putArray(k.name());
            for (double x : v) {
                if (Double.isNaN(x)) a.addNull();
                else a.add(x);
            }
        });
        return o;
    }

    private static ObjectNode criterion(AdaptiveBeta.Result r, double beta) {
        ObjectNode o = JSON.createObjectNode();
        o.put("method", "Otsu's between-class variance of |Δ_TS| over histogram edges (our reconstruction)");
        if (r == null) {
            o.put("note", "no scored sentences");
            return o;
        }
        o.put("bin_width", r.binWidth());
        o.put("separated", r.separated());
        o.put("chosen_beta", r.separated() ? r.beta() : null);
        o.put("beta_used", beta);
        o.put("separability", r.separability());
        o.put("values", r.values());
        ArrayNode t = o.putArray("candidates");
        for (BetaCandidate c : r.candidates()) {
            t.addObject().put("beta", c.beta()).put("bin_count", c.binCount())
                    .put("central_fraction", c.centralFraction()).put("criterion", c.criterion());
        }
        return o;
    }
}
