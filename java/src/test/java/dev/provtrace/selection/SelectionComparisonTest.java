package dev.provtrace.selection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** selection.json's aggregates and overlaps on StrategyTest's candidates, worked out by hand. */
class SelectionComparisonTest {
    @Test
    void aggregatesAndOverlapByHand() {
        QuestionTopK max = new QuestionTopK(Strategy.MAX_TEACHER_COUNT, 1, 0), min = new QuestionTopK(Strategy.MIN_TEACHER_COUNT, 1, 0),
                longest = new QuestionTopK(Strategy.LONGEST, 1, 0);
        GroupStats all = new GroupStats();
        for (CandidateStats c : StrategyTest.ALL) {
            max.offer(c);
            min.offer(c);
            longest.offer(c);
            all.add(c);
        }
        ObjectNode root = SelectionComparison.build(List.of(max, min, longest), all, true);
        // max-teacher-count picks d (4 sentences, 3 Teacher, 90 chars, -0.5), e (3, 0, 70, NaN), f (2, 1, 80, -2.0)
        JsonNode m = root.get("strategies").get(0);
        assertEquals("max-teacher-count", m.get("strategy").asText());
        assertEquals(List.of("d", "e", "f"), ids(m));
        assertEquals(3, m.get("candidates").asInt());
        assertEquals(3, m.get("questions").asInt());
        assertEquals(9, m.get("sentences").asInt());
        assertEquals(4.0 / 3, m.get("mean_teacher_count").asDouble(), 1e-12);
        assertEquals((0.75 + 0 + 0.5) / 3, m.get("mean_teacher_ratio").asDouble(), 1e-12);
        assertEquals(4.0 / 9, m.get("teacher_fraction").asDouble(), 1e-12);
        assertEquals(80.0, m.get("mean_response_chars").asDouble(), 1e-12);
        assertEquals(70, m.get("response_chars_quantiles").get("min").asInt());
        assertEquals(80.0, m.get("response_chars_quantiles").get("median").asDouble());
        assertEquals(75.0, m.get("response_chars_quantiles").get("p25").asDouble(), "70 + 0.5 · (80 − 70)");
        assertEquals(-1.25, m.get("mean_grape_score").asDouble(), 1e-12, "e has none: the mean of -0.5 and -2.0");
        // Teacher counts 0..3: d 3, e 0, f 1
        assertEquals("[1,1,0,1]", m.get("teacher_count_histogram").toString());
        // all candidates: Teacher counts 3, 3, 1, 3, 1, 0, 1, 1 -> [1, 4, 0, 3]; 13/8 = 1.625 on average
        JsonNode a = root.get("candidates");
        assertEquals(8, a.get("candidates").asInt());
        assertEquals(3, a.get("questions").asInt());
        assertEquals("[1,4,0,3]", a.get("teacher_count_histogram").toString());
        assertEquals(1.625, a.get("mean_teacher_count").asDouble(), 1e-12);
        assertEquals("[0,1,2,3]", root.get("teacher_count_values").toString());
        // min-teacher-count picks c, e, f; longest h, e, f
        assertEquals(List.of("c", "e", "f"), ids(root.get("strategies").get(1)));
        assertEquals(List.of("h", "e", "f"), ids(root.get("strategies").get(2)));
        // Jaccard: max ∩ min = {e, f}, ∪ = {d, c, e, f}: 2/4; min ∩ longest = {e, f}, ∪ = {c, h, e, f}: 0.5; self 1
        JsonNode j = root.get("overlap").get("jaccard");
        assertEquals("[[1.0,0.5,0.5],[0.5,1.0,0.5],[0.5,0.5,1.0]]", j.toString());
        assertEquals("[[3,2,2],[2,3,2],[2,2,3]]", root.get("overlap").get("shared").toString());
    }

    private static List<String> ids(JsonNode strategy) {
        return java.util.stream.StreamSupport.stream(strategy.get("selected").spliterator(), false).map(JsonNode::asText).toList();
    }
}
