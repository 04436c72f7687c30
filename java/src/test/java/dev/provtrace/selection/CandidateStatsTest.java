package dev.provtrace.selection;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.provenance.Classifier;
import dev.provtrace.trace.ScoredText;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CandidateStatsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void twoModelLabelsCountedByHand() {
        // Δ_TS = 0.30 (Teacher), -0.05 (Common), 0.0 (Common), -0.40 (Student), 0.25 exactly β (Common: "same" side
        // inclusive), NaN (unscored), 0.26 (Teacher) — with β = 0.25
        double[] pT = {0.50, 0.20, 0.30, 0.10, 0.50, Double.NaN, 0.76};
        double[] pS = {0.20, 0.25, 0.30, 0.50, 0.25, 0.40, 0.50};
        CandidateScores s = new CandidateScores(7, "x", "q", 321, pT, pS, -1.25);
        CandidateStats stats = CandidateStats.label(s, new Classifier(Classifier.DEFAULT_ALPHA, 0.25));
        assertEquals(7, stats.sentences());
        assertEquals(2, stats.teacher());
        assertEquals(3, stats.common());
        assertEquals(1, stats.student());
        assertEquals(1, stats.unscored());
        assertEquals(2.0 / 7, stats.teacherRatio(), 1e-15, "unscored sentences stay in the denominator");
        ObjectNode o = JSON.createObjectNode();
        stats.putInto(o, true);
        assertEquals("{\"n_sentences\":7,\"teacher_count\":2,\"common_count\":3,\"student_count\":1,\"unscored_count\":1,"
                + "\"teacher_ratio\":0.2857142857142857,\"response_chars\":321,\"grape_score\":-1.25}", o.toString());
        ObjectNode without = JSON.createObjectNode();
        stats.putInto(without, false);
        assertTrue(!without.has("grape_score"));
        // the same probabilities at β = 0.1: 0.25 becomes Teacher
        assertEquals(3, CandidateStats.label(s, new Classifier(0.1, 0.1)).teacher());
    }

    @Test
    void grapeScoreIsTheMeanOverTokensStartingInTheResponse() {
        // context "Q: hi\n Answer: Yes it is" with the response at code point 15; tokens:
        // [0,0) BOS (NaN), [0,2) "Q:", [2,5) " hi", [5,14) "\n Answer:", [14,18) " Yes" (starts on the space before
        // the response: the prompt's), [18,21) " it", [21,24) " is"
        int[] starts = {0, 0, 2, 5, 14, 18, 21}, ends = {0, 2, 5, 14, 18, 21, 24};
        float[] lp = {Float.NaN, -3f, -2f, -1f, -0.5f, -0.25f, -0.75f};
        ScoredText st = new ScoredText(new int[7], starts, ends, lp, 15, 24);
        assertEquals((-0.25 - 0.75) / 2, GrapeScore.of(st), 1e-12);
        // a token starting exactly at the response offset is the response's
        ScoredText at = new ScoredText(new int[7], starts, ends, lp, 14, 24);
        assertEquals((-0.5 - 0.25 - 0.75) / 3, GrapeScore.of(at), 1e-12);
        ScoredText none = new ScoredText(new int[2], new int[] {0, 0}, new int[] {0, 5}, new float[] {Float.NaN, -1f}, 5, 5);
        assertTrue(Double.isNaN(GrapeScore.of(none)));
    }

    @Test
    void candidatesAreParsedAndBadOnesExplained() throws Exception {
        Candidate c = Candidate.parse(3, JSON.readTree("{\"id\": 12, \"question_id\": \"q\", \"question\": \"Why?\", \"response\": \"Because 🙂.\", \"x\": 1}"));
        assertEquals("12", c.id());
        assertTrue(c.idValue().isInt(), "the id keeps its JSON type");
        assertEquals(10, c.responseChars(), "code points");
        assertEquals("q", c.toTraceRecord().group());
        for (String[] bad : List.of(
                new String[] {"[1]", "expected a JSON object"},
                new String[] {"{\"question_id\": 1, \"question\": \"q\", \"response\": \"r\"}", "\"id\" is missing (a string or an integer)"},
                new String[] {"{\"id\": {}, \"question_id\": 1, \"question\": \"q\", \"response\": \"r\"}", "\"id\" must be a string or an integer, got {}"},
                new String[] {"{\"id\": 1E2, \"question_id\": 1, \"question\": \"q\", \"response\": \"r\"}", "\"id\" must be a string or an integer, got 100.0"},
                new String[] {"{\"id\": true, \"question_id\": 1, \"question\": \"q\", \"response\": \"r\"}", "\"id\" must be a string or an integer, got true"},
                new String[] {"{\"id\": 1, \"question_id\": 1.5, \"question\": \"q\", \"response\": \"r\"}", "\"question_id\" must be a string or an integer, got 1.5"},
                new String[] {"{\"id\": 1, \"question_id\": 1, \"question\": [\"q\"], \"response\": \"r\"}", "\"question\" must be a string, got array"},
                new String[] {"{\"id\": 1, \"question\": \"q\", \"response\": \"r\"}", "\"question_id\" is missing (a string or an integer)"},
                new String[] {"{\"id\": 1, \"question_id\": 1, \"response\": \"r\"}", "\"question\" is missing"},
                new String[] {"{\"id\": 1, \"question_id\": 1, \"question\": \"q\"}", "\"response\" is missing"},
                new String[] {"{\"id\": 1, \"question_id\": 1, \"question\": \"q\", \"response\": 5}", "\"response\" must be a string, got number"},
                new String[] {"{\"id\": 1, \"question_id\": 1, \"question\": \"q\", \"response\": \" \\n\"}", "\"response\" is empty: there is nothing to score"})) {
            Candidate.Invalid e = assertThrows(Candidate.Invalid.class, () -> Candidate.parse(1, JSON.readTree(bad[0])), bad[0]);
            assertEquals(bad[1], e.getMessage());
        }
    }
}
