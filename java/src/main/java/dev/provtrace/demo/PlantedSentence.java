package dev.provtrace.demo;

import dev.provtrace.provenance.Label;
/**
 * One planted sentence of a demo response: its text, its span [start, end) in Unicode code points of the response
 * (as Python slices strings), the label it was planted with, and the sentence probabilities p = exp(mean token
 * log-prob) that the three demo models give it by construction (each token conditioned on the previous one; every
 * sentence follows a boundary token, so these do not depend on the prompt or the preceding sentence).
 */
public record PlantedSentence(String text, int start, int end, Label label,
                              double pTeacher, double pStudent, double pDistilled) {

    /** p under one of the three models. */
    public double p(DemoTrio.Role role) {
        return switch (role) {
            case TEACHER -> pTeacher;
            case STUDENT -> pStudent;
            case DISTILLED -> pDistilled;
        };
    }
}
