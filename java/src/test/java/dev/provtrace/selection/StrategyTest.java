package dev.provtrace.selection;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Every strategy on a hand-made set of candidates whose winners are worked out below, ties included:
 * <pre>
 *  question  id  line  sentences  teacher  ratio  chars  grape
 *  q1        a   1     6          3        0.50   100    -1.0
 *  q1        b   2     4          3        0.75   120    -0.5
 *  q1        c   3     2          1        0.50    50    NaN (not computed)
 *  q1        d   4     4          3        0.75    90    -0.5
 *  q1        h   5     1          1        1.00   200    -0.9
 *  q2        e   6     3          0        0.00    70    NaN   (the question's only candidate)
 *  q3        f   7     2          1        0.50    80    -2.0
 *  q3        g   8     2          1        0.50    80    -2.0  (the same as f, one line later)
 * </pre>
 */
class StrategyTest {
    static CandidateStats c(long line, String id, String q, int sentences, int teacher, int chars, double grape) {
        int student = sentences - teacher > 0 ? 1 : 0;
        return new CandidateStats(line, id, q, sentences, teacher, sentences - teacher - student, student, 0, chars, grape);
    }

    static final List<CandidateStats> ALL = List.of(
            c(1, "a", "q1", 6, 3, 100, -1.0),
            c(2, "b", "q1", 4, 3, 120, -0.5),
            c(3, "c", "q1", 2, 1, 50, Double.NaN),
            c(4, "d", "q1", 4, 3, 90, -0.5),
            c(5, "h", "q1", 1, 1, 200, -0.9),
            c(6, "e", "q2", 3, 0, 70, Double.NaN),
            c(7, "f", "q3", 2, 1, 80, -2.0),
            c(8, "g", "q3", 2, 1, 80, -2.0));

    static List<String> select(Strategy s, int k, long seed, List<CandidateStats> candidates) {
        QuestionTopK top = new QuestionTopK(s, k, seed);
        candidates.forEach(top::offer);
        return top.selected().stream().map(CandidateStats::id).toList();
    }

    static List<String> select(Strategy s, int k) { return select(s, k, 0, ALL); }

    @Test
    void maxTeacherCount() {
        // q1: a, b, d have 3; b and d also tie on ratio 0.75; d is shorter (90 < 120). q3: f and g tie on
        // everything but the line: f. q2: e alone, with no Teacher sentence at all, is still selected.
        assertEquals(List.of("d", "e", "f"), select(Strategy.MAX_TEACHER_COUNT, 1));
        // K = 2: d then b (a has ratio 0.5); q2 keeps its single candidate; q3 both; output in input order
        assertEquals(List.of("b", "d", "e", "f", "g"), select(Strategy.MAX_TEACHER_COUNT, 2));
        // K = 3: q1 adds a
        assertEquals(List.of("a", "b", "d", "e", "f", "g"), select(Strategy.MAX_TEACHER_COUNT, 3));
    }

    @Test
    void minTeacherCount() {
        // q1: c and h have 1 Teacher sentence; c's ratio 0.5 is lower than h's 1.0
        assertEquals(List.of("c", "e", "f"), select(Strategy.MIN_TEACHER_COUNT, 1));
    }

    @Test
    void maxTeacherRatio() {
        // q1: h (1/1) beats b and d (3/4) although it has fewer Teacher sentences
        assertEquals(List.of("h", "e", "f"), select(Strategy.MAX_TEACHER_RATIO, 1));
        // second place: b and d tie on ratio and count; d is shorter
        assertEquals(List.of("d", "h"), select(Strategy.MAX_TEACHER_RATIO, 2).subList(0, 2));
        assertEquals(List.of("d", "h", "e", "f", "g"), select(Strategy.MAX_TEACHER_RATIO, 2));
    }

    @Test
    void longest() {
        // q1: h (200); q3: f and g both 80, f first
        assertEquals(List.of("h", "e", "f"), select(Strategy.LONGEST, 1));
        assertEquals(List.of("b", "h", "e", "f", "g"), select(Strategy.LONGEST, 2));
    }

    @Test
    void grape() {
        // q1: b and d tie at -0.5 (the highest); d is shorter. c has no score and ranks last.
        // q2: e has no score but is the only candidate, so it is selected all the same.
        assertEquals(List.of("d", "e", "f"), select(Strategy.GRAPE, 1));
        assertEquals(List.of("a", "b", "d", "h", "e", "f", "g"), select(Strategy.GRAPE, 4));
        List<String> all5 = select(Strategy.GRAPE, 5);
        assertEquals(8, all5.size(), "K above every question's size selects everything");
        // a real -∞ ranks above no score at all
        List<CandidateStats> infinite = List.of(c(1, "x", "q", 2, 0, 10, Double.NaN), c(2, "y", "q", 2, 0, 10, Double.NEGATIVE_INFINITY));
        assertEquals(List.of("y"), select(Strategy.GRAPE, 1, 0, infinite));
    }

    @Test
    void randomIsASeededHashOfTheId() {
        // pinned keys (SplitMix64 finaliser over seed and FNV-1a of the id), computed independently in Python
        assertEquals(0x02c0bdbf481420f8L, Strategy.randomKey(0, "a"));
        assertEquals(0xdf368a75d3117dc0L, Strategy.randomKey(42, "a"));
        // the pick is the smallest key of the question (unsigned), whatever the order the candidates come in
        for (long seed : new long[] {0, 1, 42, -7}) {
            List<String> picks = select(Strategy.RANDOM, 1, seed, ALL);
            assertEquals(3, picks.size());
            String q1 = ALL.stream().filter(x -> x.questionId().equals("q1"))
                    .min((x, y) -> Long.compareUnsigned(Strategy.randomKey(seed, x.id()), Strategy.randomKey(seed, y.id())))
                    .orElseThrow().id();
            assertEquals(q1, picks.get(0), "seed " + seed);
            assertEquals("e", picks.get(1));
            List<CandidateStats> shuffled = new ArrayList<>(ALL);
            Collections.shuffle(shuffled, new java.util.Random(seed));
            assertEquals(picks, select(Strategy.RANDOM, 1, seed, shuffled), "independent of the input order");
        }
        List<List<String>> bySeed = new ArrayList<>();
        for (long seed = 0; seed < 20; seed++) bySeed.add(select(Strategy.RANDOM, 1, seed, ALL));
        assertNotEquals(1, bySeed.stream().distinct().count(), "other seeds pick other candidates");
    }

    @Test
    void theSameSelectionWhateverTheOrder() {
        List<CandidateStats> reversed = new ArrayList<>(ALL);
        Collections.reverse(reversed);
        for (Strategy s : Strategy.values()) {
            for (int k = 1; k <= 3; k++) assertEquals(select(s, k, 5, ALL), select(s, k, 5, reversed), s + " K=" + k);
        }
    }

    @Test
    void everyStrategySelectsTheSameNumberPerQuestion() {
        for (int k = 1; k <= 6; k++) {
            int expected = Math.min(k, 5) + Math.min(k, 1) + Math.min(k, 2);
            for (Strategy s : Strategy.values()) assertEquals(expected, select(s, k).size(), s + " K=" + k);
        }
    }

    @Test
    void namesAndErrors() {
        assertEquals(Strategy.MAX_TEACHER_COUNT, Strategy.parse("max-teacher-count"));
        assertEquals(Strategy.GRAPE, Strategy.parse("GRAPE"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Strategy.parse("best"));
        assertEquals("unknown strategy best (one of max-teacher-count, min-teacher-count, max-teacher-ratio, longest, random, grape)",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new QuestionTopK(Strategy.LONGEST, 0, 0));
        QuestionTopK top = new QuestionTopK(Strategy.LONGEST, 1, 0);
        top.offer(ALL.get(0));
        assertThrows(IllegalStateException.class, () -> top.offer(ALL.get(0)));
    }
}
