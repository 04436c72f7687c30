package dev.provtrace.selection;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Aggregate statistics of a set of candidates (a strategy's selection, or every candidate): mean label counts and
 * ratios per candidate, the pooled label fractions over all their sentences, response lengths, mean GRAPE score,
 * and how many candidates have each Teacher count. Fed one candidate at a time, in memory that does not depend
 * on how many were added (the Teacher-count histogram has one entry per distinct count).
 */
public final class GroupStats {
    private long candidates, sentences, teacher, common, student, unscored, chars;
    private double teacherRatios, commonRatios, studentRatios, grapeSum;
    private long grapeCount;
    private final Map<Integer, Long> teacherCounts = new TreeMap<>();

    public void add(CandidateStats c) {
        candidates++;
        sentences += c.sentences();
        teacher += c.teacher();
        common += c.common();
        student += c.student();
        unscored += c.unscored();
        chars += c.responseChars();
        teacherRatios += c.teacherRatio();
        commonRatios += c.commonRatio();
        studentRatios += c.studentRatio();
        if (!Double.isNaN(c.grapeScore()) && Double.isFinite(c.grapeScore())) {
            grapeSum += c.grapeScore();
            grapeCount++;
        }
        teacherCounts.merge(c.teacher(), 1L, Long::sum);
    }

    public long candidates() { return candidates; }

    public double meanTeacherCount() { return mean(teacher); }

    /** Candidates per Teacher count (ascending counts). */
    public Map<Integer, Long> teacherCountHistogram() { return teacherCounts; }

    /** The largest Teacher count seen (0 when empty). */
    public int maxTeacherCount() { return teacherCounts.isEmpty() ? 0 : ((TreeMap<Integer, Long>) teacherCounts).lastKey(); }

    private double mean(double sum) { return candidates == 0 ? 0 : sum / candidates; }

    private double pooled(long count) { return sentences == 0 ? 0 : (double) count / sentences; }

    /**
     * The aggregates as JSON. {@code lengths} (the group's response lengths, when the caller has them) adds
     * quantiles; {@code histogramUpTo} fixes the Teacher-count histogram to the counts 0..histogramUpTo so that
     * groups line up.
     */
    public void putInto(ObjectNode o, List<Integer> lengths, int histogramUpTo, boolean withGrape) {
        o.put("candidates", candidates);
        o.put("sentences", sentences);
        o.put("mean_teacher_count", mean(teacher));
        o.put("mean_common_count", mean(common));
        o.put("mean_student_count", mean(student));
        o.put("mean_unscored_count", mean(unscored));
        o.put("mean_teacher_ratio", mean(teacherRatios));
        o.put("mean_common_ratio", mean(commonRatios));
        o.put("mean_student_ratio", mean(studentRatios));
        o.put("teacher_fraction", pooled(teacher));
        o.put("common_fraction", pooled(common));
        o.put("student_fraction", pooled(student));
        o.put("mean_response_chars", mean(chars));
        if (lengths != null && !lengths.isEmpty()) {
            int[] sorted = lengths.stream().mapToInt(Integer::intValue).sorted().toArray();
            ObjectNode q = o.putObject("response_chars_quantiles");
            q.put("min", sorted[0]);
            q.put("p25", quantile(sorted, 0.25));
            q.put("median", quantile(sorted, 0.5));
            q.put("p75", quantile(sorted, 0.75));
            q.put("max", sorted[sorted.length - 1]);
        }
        if (withGrape) {
            if (grapeCount == 0) o.putNull("mean_grape_score");
            else o.put("mean_grape_score", grapeSum / grapeCount);
        }
        ArrayNode h = o.putArray("teacher_count_histogram");
        for (int t = 0; t <= histogramUpTo; t++) h.add(teacherCounts.getOrDefault(t, 0L));
    }

    /** Linear interpolation between closest ranks (numpy's default). */
    static double quantile(int[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
