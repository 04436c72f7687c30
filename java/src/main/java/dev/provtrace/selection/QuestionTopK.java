package dev.provtrace.selection;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One strategy's running selection: for every question, the best K candidates seen so far under the strategy's
 * ranking. Candidates are offered one at a time as they stream past; only the K best per question are kept
 * (statistics, no text), so memory grows with the number of questions, not of candidates. Each question ends
 * with min(K, its candidates) selected, whatever order the candidates came in.
 */
public final class QuestionTopK {
    private final Strategy strategy;
    private final Comparator<CandidateStats> ranking;
    private final int k;
    private final Map<String, List<CandidateStats>> best = new LinkedHashMap<>();

    public QuestionTopK(Strategy strategy, int k, long seed) {
        if (k < 1) throw new IllegalArgumentException("--per-question must be >= 1, got " + k);
        this.strategy = strategy;
        this.ranking = strategy.ranking(seed);
        this.k = k;
    }

    public Strategy strategy() { return strategy; }

    public void offer(CandidateStats c) {
        List<CandidateStats> kept = best.computeIfAbsent(c.questionId(), q -> new ArrayList<>(Math.min(k, 4) + 1));
        int at = Collections.binarySearch(kept, c, ranking);
        if (at >= 0) throw new IllegalStateException("candidate " + c.id() + " offered twice");
        at = -at - 1;
        if (at >= k) return;
        kept.add(at, c);
        if (kept.size() > k) kept.remove(kept.size() - 1);
    }

    /** The selected candidates of every question, in input order. */
    public List<CandidateStats> selected() {
        List<CandidateStats> out = new ArrayList<>();
        for (List<CandidateStats> kept : best.values()) out.addAll(kept);
        out.sort(Comparator.comparingLong(CandidateStats::line));
        return out;
    }

    public int questions() { return best.size(); }
}
