package dev.provtrace.demo;

/**
 * Provenance of one sentence (see README): Shared if all three pairwise |Δp| ≤ α; else Teacher if p_T − p_S > β;
 * else Student if p_S − p_T > β; else Boosted (the distilled model alone moved).
 */
public enum Label {
    SHARED("Shared"), TEACHER("Teacher"), STUDENT("Student"), BOOSTED("Boosted");

    private final String jsonName;

    Label(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The name used in planted.json ("Shared", "Teacher", ...). */
    public String jsonName() { return jsonName; }

    public static Label fromJson(String name) {
        for (Label l : values()) if (l.jsonName.equals(name)) return l;
        throw new IllegalArgumentException("unknown label \"" + name + "\" (expected Shared, Teacher, Student or Boosted)");
    }

    /** The labelling rule applied to three sentence probabilities. */
    public static Label classify(double pTeacher, double pStudent, double pDistilled, double alpha, double beta) {
        if (Math.abs(pTeacher - pStudent) <= alpha && Math.abs(pTeacher - pDistilled) <= alpha
                && Math.abs(pStudent - pDistilled) <= alpha) {
            return SHARED;
        }
        if (pTeacher - pStudent > beta) return TEACHER;
        if (pStudent - pTeacher > beta) return STUDENT;
        return BOOSTED;
    }
}
