package dev.provtrace.selection;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;

/**
 * How to rank the candidates of one question; the first K of the ranking are selected. Every ranking ends in the
 * input line, so ties are always broken the same way and a rerun selects the same candidates.
 */
public enum Strategy {
    /** The paper's rule: most Teacher sentences (absolute number); then higher Teacher ratio, shorter, earlier. */
    MAX_TEACHER_COUNT("max-teacher-count", "most Teacher sentences; ties: higher teacher_ratio, then shorter response, then earlier line"),
    /** The opposite control: fewest Teacher sentences; then lower Teacher ratio, shorter, earlier. */
    MIN_TEACHER_COUNT("min-teacher-count", "fewest Teacher sentences; ties: lower teacher_ratio, then shorter response, then earlier line"),
    /** Highest share of Teacher sentences; then more Teacher sentences, shorter, earlier. */
    MAX_TEACHER_RATIO("max-teacher-ratio", "highest teacher_ratio; ties: more Teacher sentences, then shorter response, then earlier line"),
    /** Longest response (code points); then earlier. */
    LONGEST("longest", "longest response in code points; ties: earlier line"),
    /** A seeded hash of the candidate id (independent of input order and chunking); then earlier. */
    RANDOM("random", "smallest seeded hash of the candidate id (--seed); ties: earlier line"),
    /** GRAPE: highest mean log-prob of the response under the student (lowest perplexity); then shorter, earlier. */
    GRAPE("grape", "highest grape_score (lowest student perplexity; none computed ranks last); ties: shorter response, then earlier line");

    private final String cliName;
    private final String rule;

    Strategy(String cliName, String rule) {
        this.cliName = cliName;
        this.rule = rule;
    }

    /** The name on the command line and in the outputs. */
    public String cliName() { return cliName; }

    /** The ranking with its tie-breakers, in words (for --help and the report). */
    public String rule() { return rule; }

    public static Strategy parse(String name) {
        for (Strategy s : values()) if (s.cliName.equalsIgnoreCase(name)) return s;
        StringBuilder names = new StringBuilder();
        for (Strategy s : values()) names.append(names.length() == 0 ? "" : ", ").append(s.cliName);
        throw new IllegalArgumentException("unknown strategy " + name + " (one of " + names + ")");
    }

    /** Best first; {@code seed} matters to {@link #RANDOM} only. */
    public Comparator<CandidateStats> ranking(long seed) {
        Comparator<CandidateStats> inputOrder = Comparator.comparingLong(CandidateStats::line);
        Comparator<CandidateStats> shorter = Comparator.comparingInt(CandidateStats::responseChars);
        return switch (this) {
            case MAX_TEACHER_COUNT -> Comparator.comparingInt(CandidateStats::teacher).reversed()
                    .thenComparing(Comparator.comparingDouble(CandidateStats::teacherRatio).reversed())
                    .thenComparing(shorter).thenComparing(inputOrder);
            case MIN_TEACHER_COUNT -> Comparator.comparingInt(CandidateStats::teacher)
                    .thenComparingDouble(CandidateStats::teacherRatio)
                    .thenComparing(shorter).thenComparing(inputOrder);
            case MAX_TEACHER_RATIO -> Comparator.comparingDouble(CandidateStats::teacherRatio).reversed()
                    .thenComparing(Comparator.comparingInt(CandidateStats::teacher).reversed())
                    .thenComparing(shorter).thenComparing(inputOrder);
            case LONGEST -> Comparator.comparingInt(CandidateStats::responseChars).reversed().thenComparing(inputOrder);
            case RANDOM -> Comparator.<CandidateStats, Long>comparing(c -> randomKey(seed, c.id()), Long::compareUnsigned)
                    .thenComparing(inputOrder);
            case GRAPE -> Comparator.comparingDouble((CandidateStats c) -> Double.isNaN(c.grapeScore())
                            ? Double.NEGATIVE_INFINITY : c.grapeScore()).reversed()
                    .thenComparing(c -> Double.isNaN(c.grapeScore()))          // a real -∞ before none at all
                    .thenComparing(shorter).thenComparing(inputOrder);
        };
    }

    /** True for the strategies that need the GRAPE score (a third scoring pass under the student). */
    public boolean needsGrape() { return this == GRAPE; }

    /**
     * The random strategy's key of a candidate: SplitMix64's finaliser over the seed and a 64-bit FNV-1a hash of the
     * id's UTF-8 bytes. A hash of the id, not a stream of random numbers, so the pick does not depend on where
     * the candidate sits in the input or how the input was chunked.
     */
    static long randomKey(long seed, String id) {
        long h = 0xcbf29ce484222325L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        long z = h ^ (seed * 0x9e3779b97f4a7c15L);
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
