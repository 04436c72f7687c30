package dev.provtrace.provenance;

/**
 * Where a sentence of the distilled student D came from, judged from the sentence probabilities of the teacher T,
 * the original student S and D (see {@link Classifier#label}).
 */
public enum Label {
    /** T, S and D all give the sentence about the same probability. */
    SHARED,
    /** T gives it clearly more probability than S did: learnt from the teacher. */
    TEACHER,
    /** S gives it clearly more probability than T: kept from the student. */
    STUDENT,
    /** T and S agree within β, but D differs from them (in either direction): changed by training itself. */
    BOOSTED
}
