package dev.provtrace.selection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.provtrace.provenance.Classifier;
import dev.provtrace.provenance.TwoModelLabel;

/**
 * The statistics a strategy selects on, for one candidate, with no text: small enough that the per-question
 * winners of every strategy can stay in memory while millions of candidates stream past.
 *
 * @param line          1-based input line (also the input order, the last tie-breaker of every strategy)
 * @param sentences     sentences of the response (labelled or not)
 * @param teacher       sentences with Δ_TS = p_T − p_S &gt; β
 * @param common        sentences with |Δ_TS| ≤ β
 * @param student       sentences with −Δ_TS &gt; β
 * @param unscored      sentences one of the two models gave no scored token (no label)
 * @param responseChars length of the response in Unicode code points
 * @param grapeScore    mean log-prob of the response's tokens under the student with the GRAPE prompt; NaN when
 *                      not computed (or no token starts inside the response)
 * @param idValue       the id as given (a string or integer node), for candidates.jsonl
 * @param questionIdValue the question_id as given
 */
public record CandidateStats(long line, String id, String questionId, int sentences, int teacher, int common,
                             int student, int unscored, int responseChars, double grapeScore, JsonNode idValue,
                             JsonNode questionIdValue) {

    public CandidateStats(long line, String id, String questionId, int sentences, int teacher, int common,
                          int student, int unscored, int responseChars, double grapeScore) {
        this(line, id, questionId, sentences, teacher, common, student, unscored, responseChars, grapeScore,
                TextNode.valueOf(id), TextNode.valueOf(questionId));
    }

    /** Labels the candidate's sentences with the two-model rule at the classifier's β. */
    public static CandidateStats label(CandidateScores s, Classifier classifier) {
        int teacher = 0, common = 0, student = 0, unscored = 0;
        for (int k = 0; k < s.sentences(); k++) {
            TwoModelLabel label = classifier.twoModelLabel(s.pTeacher()[k], s.pStudent()[k]);
            if (label == null) unscored++;
            else switch (label) {
                case TEACHER -> teacher++;
                case COMMON -> common++;
                case STUDENT -> student++;
            }
        }
        return new CandidateStats(s.line(), s.id(), s.questionId(), s.sentences(), teacher, common, student, unscored,
                s.responseChars(), s.grapeScore(), s.idValue(), s.questionIdValue());
    }

    /** Teacher sentences over all sentences of the response (unscored ones count in the denominator); 0 for none. */
    public double teacherRatio() { return ratio(teacher); }

    public double commonRatio() { return ratio(common); }

    public double studentRatio() { return ratio(student); }

    private double ratio(int count) { return sentences == 0 ? 0 : (double) count / sentences; }

    /** Adds the statistics fields to an output line (grape_score only when {@code withGrape}; null if NaN). */
    public void putInto(ObjectNode o, boolean withGrape) {
        o.put("n_sentences", sentences);
        o.put("teacher_count", teacher);
        o.put("common_count", common);
        o.put("student_count", student);
        o.put("unscored_count", unscored);
        o.put("teacher_ratio", teacherRatio());
        o.put("response_chars", responseChars);
        if (withGrape) {
            if (Double.isNaN(grapeScore)) o.putNull("grape_score");
            else o.put("grape_score", grapeScore);
        }
    }
}
