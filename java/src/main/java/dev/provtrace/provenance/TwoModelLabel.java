package dev.provtrace.provenance;

/** Before training only T and S exist: the label of a sentence from their two probabilities. */
public enum TwoModelLabel {
    /** |p_T − p_S| ≤ β. */
    COMMON,
    /** p_T − p_S > β. */
    TEACHER,
    /** p_S − p_T > β. */
    STUDENT
}
