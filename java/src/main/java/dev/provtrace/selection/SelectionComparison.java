package dev.provtrace.selection;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * selection.json: for each strategy its selected candidate ids and the aggregates of its selection
 * ({@link GroupStats}), the same aggregates over every candidate, and how much the strategies' choices overlap
 * (Jaccard index |A ∩ B| / |A ∪ B| of the selected sets, and |A ∩ B|). Strategies are compared on the same
 * candidates, scored once.
 */
public final class SelectionComparison {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SelectionComparison() {}

    public static ObjectNode build(List<QuestionTopK> strategies, GroupStats all, boolean withGrape) {
        ObjectNode root = JSON.createObjectNode();
        List<List<CandidateStats>> selections = new ArrayList<>();
        int histogramUpTo = all.maxTeacherCount();
        ArrayNode out = root.putArray("strategies");
        for (QuestionTopK s : strategies) {
            List<CandidateStats> selected = s.selected();
            selections.add(selected);
            GroupStats g = new GroupStats();
            List<Integer> lengths = new ArrayList<>(selected.size());
            for (CandidateStats c : selected) {
                g.add(c);
                lengths.add(c.responseChars());
            }
            ObjectNode o = out.addObject();
            o.put("strategy", s.strategy().cliName());
            o.put("rule", s.strategy().rule());
            o.put("questions", s.questions());
            g.putInto(o, lengths, histogramUpTo, withGrape);
            ArrayNode ids = o.putArray("selected");
            for (CandidateStats c : selected) ids.add(c.id());
        }
        ObjectNode candidates = root.putObject("candidates");
        if (!strategies.isEmpty()) candidates.put("questions", strategies.get(0).questions());
        all.putInto(candidates, null, histogramUpTo, withGrape);
        ArrayNode values = root.putArray("teacher_count_values");
        for (int t = 0; t <= histogramUpTo; t++) values.add(t);
        root.set("overlap", overlap(strategies, selections));
        return root;
    }

    private static ObjectNode overlap(List<QuestionTopK> strategies, List<List<CandidateStats>> selections) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode names = o.putArray("strategies");
        List<Set<Long>> sets = new ArrayList<>();
        for (int i = 0; i < strategies.size(); i++) {
            names.add(strategies.get(i).strategy().cliName());
            Set<Long> lines = new HashSet<>();
            for (CandidateStats c : selections.get(i)) lines.add(c.line());
            sets.add(lines);
        }
        ArrayNode jaccard = o.putArray("jaccard"), shared = o.putArray("shared");
        for (Set<Long> a : sets) {
            ArrayNode jr = jaccard.addArray(), sr = shared.addArray();
            for (Set<Long> b : sets) {
                long both = a.stream().filter(b::contains).count();
                long either = a.size() + b.size() - both;
                jr.add(either == 0 ? 1.0 : (double) both / either);
                sr.add(both);
            }
        }
        return o;
    }
}
