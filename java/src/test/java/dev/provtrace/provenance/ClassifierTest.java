package dev.provtrace.provenance;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClassifierTest {
    private static final double NaN = Double.NaN;
    // multiples of 1/16 and 1/32 are exact in binary, so the boundary cases are really on the boundary
    private final Classifier eighth = new Classifier(0.125, 0.125);

    @Test
    void fourWayLabelsFollowTheRuleInOrderWithInclusiveBoundaries() {
        assertEquals(Label.SHARED, eighth.label(0.5, 0.375, 0.4375));   // |Δ_TS| = α exactly, Δ_TD, Δ_SD = α/2
        assertEquals(Label.TEACHER, eighth.label(0.75, 0.5, 0.75));     // Δ_TS = 0.25 > β
        assertEquals(Label.STUDENT, eighth.label(0.25, 0.5, 0.5));      // −Δ_TS = 0.25 > β
        assertEquals(Label.BOOSTED, eighth.label(0.5, 0.5, 0.75));      // T, S agree; D above both
        assertEquals(Label.BOOSTED, eighth.label(0.5, 0.5, 0.25));      // D below both is "boosted" by the rule too
        // Δ_TS = β exactly is not teacher; Δ_SD = 0.25 > α so not shared either
        assertEquals(Label.BOOSTED, eighth.label(0.5, 0.375, 0.625));
        // teacher wins even when D stayed with S: the rule looks only at Δ_TS once "shared" fails
        assertEquals(Label.TEACHER, eighth.label(0.75, 0.5, 0.5));
    }

    @Test
    void alphaAndBetaActSeparately() {
        Classifier c = new Classifier(0.0625, 0.125);
        assertEquals(Label.SHARED, c.label(0.5, 0.4375, 0.5));       // all within α
        assertEquals(Label.BOOSTED, c.label(0.5, 0.40625, 0.5));     // Δ_TS = 3/32: above α, not above β
        assertEquals(Label.TEACHER, c.label(0.5, 0.34375, 0.5));     // Δ_TS = 5/32 > β
    }

    @Test
    void defaultsAreAlphaAndBetaOneTenth() {
        Classifier d = Classifier.withDefaults();
        assertEquals(0.1, d.alpha());
        assertEquals(0.1, d.beta());
        assertEquals(Label.TEACHER, d.label(0.9, 0.7, 0.85));
        assertEquals(Label.SHARED, d.label(0.9, 0.85, 0.82));
        assertEquals(Label.BOOSTED, d.label(0.6, 0.55, 0.9));
        assertEquals(Label.STUDENT, d.label(0.3, 0.6, 0.3));
    }

    @Test
    void twoModelLabels() {
        assertEquals(TwoModelLabel.COMMON, eighth.twoModelLabel(0.5, 0.375));    // Δ = β exactly
        assertEquals(TwoModelLabel.COMMON, eighth.twoModelLabel(0.375, 0.5));
        assertEquals(TwoModelLabel.TEACHER, eighth.twoModelLabel(0.5, 0.34375));
        assertEquals(TwoModelLabel.STUDENT, eighth.twoModelLabel(0.34375, 0.5));
        assertEquals(TwoModelLabel.COMMON, new Classifier(0, 0).twoModelLabel(0.25, 0.25));
        assertEquals(TwoModelLabel.TEACHER, new Classifier(0, 0).twoModelLabel(0.25, 0.2));
    }

    @Test
    void missingProbabilitiesGiveNoLabelAndAreCountedApart() {
        assertNull(eighth.label(NaN, 0.5, 0.5));
        assertNull(eighth.label(0.5, 0.5, NaN));
        assertNull(eighth.twoModelLabel(0.5, NaN));

        double[] pT = {0.75, 0.5, NaN, 0.25, 0.5};
        double[] pS = {0.5, 0.5, 0.5, 0.5, 0.5};
        double[] pD = {0.75, 0.5, 0.5, NaN, 0.25};
        Labelling<Label> four = eighth.classify(pT, pS, pD);
        assertEquals(Arrays.asList(Label.TEACHER, Label.SHARED, null, null, Label.BOOSTED), four.labels());
        assertEquals(Map.of(Label.SHARED, 1, Label.TEACHER, 1, Label.STUDENT, 0, Label.BOOSTED, 1), four.counts());
        assertEquals(2, four.unscored());
        assertEquals(3, four.labelled());
        assertEquals(1.0 / 3, four.fraction(Label.TEACHER), 1e-15);

        Labelling<TwoModelLabel> two = eighth.classify(pT, pS);   // pD's NaN does not matter here
        assertEquals(Arrays.asList(TwoModelLabel.TEACHER, TwoModelLabel.COMMON, null, TwoModelLabel.STUDENT,
                TwoModelLabel.COMMON), two.labels());
        assertEquals(1, two.unscored());
        assertEquals(2, two.counts().get(TwoModelLabel.COMMON));
    }

    @Test
    void invalidThresholdsAndProbabilitiesAreRejected() {
        for (double bad : new double[] {-0.01, NaN, Double.POSITIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class, () -> new Classifier(bad, 0.1));
            assertThrows(IllegalArgumentException.class, () -> new Classifier(0.1, bad));
        }
        assertThrows(IllegalArgumentException.class, () -> eighth.label(1.5, 0.5, 0.5));
        assertThrows(IllegalArgumentException.class, () -> eighth.label(0.5, -0.1, 0.5));
        assertThrows(IllegalArgumentException.class, () -> eighth.twoModelLabel(0.5, Double.NEGATIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> eighth.classify(new double[2], new double[2], new double[3]));
        assertThrows(IllegalArgumentException.class, () -> eighth.classify(new double[2], new double[1]));
    }
}
