package dev.provtrace.provenance;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.provtrace.provenance.Label.BOOSTED;
import static dev.provtrace.provenance.Label.SHARED;
import static dev.provtrace.provenance.Label.STUDENT;
import static dev.provtrace.provenance.Label.TEACHER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PositionCurvesTest {
    private static final double NaN = Double.NaN;

    // two bins. Correct: R1 = T SH | SH ST (positions 1/8, 3/8 | 5/8, 7/8); R2 = T | unscored (1/4 | 3/4).
    // Incorrect: R3 = SH | B B (1/6 | 1/2, 5/6: 0.5 falls in the second bin). R4 unknown, left out.
    private static final List<LabelledResponse<Label>> RESPONSES = List.of(
            new LabelledResponse<>(List.of(TEACHER, SHARED, SHARED, STUDENT), Correctness.CORRECT),
            new LabelledResponse<>(Arrays.asList(TEACHER, null), Correctness.CORRECT),
            new LabelledResponse<>(List.of(SHARED, BOOSTED, BOOSTED), Correctness.INCORRECT),
            new LabelledResponse<>(List.of(TEACHER), Correctness.UNKNOWN));

    @Test
    void sentenceWeightedCurvesAndAreas() {
        PositionCurves.Result<Label> r = PositionCurves.compute(Label.class, RESPONSES, 2, PositionCurves.Weighting.SENTENCE);
        // correct, bin 0: T, SH, T -> T 2/3, SH 1/3; bin 1: SH, ST (the unscored one counts nowhere)
        assertArrayEquals(new double[] {2.0 / 3, 0}, r.correct().get(TEACHER), 1e-15);
        assertArrayEquals(new double[] {1.0 / 3, 0.5}, r.correct().get(SHARED), 1e-15);
        assertArrayEquals(new double[] {0, 0.5}, r.correct().get(STUDENT), 1e-15);
        assertArrayEquals(new double[] {1, 0}, r.incorrect().get(SHARED), 1e-15);
        assertArrayEquals(new double[] {0, 1}, r.incorrect().get(BOOSTED), 1e-15);
        // areas, bin width 1/2: T 2/3·½; SH (2/3 + 1/2)·½; ST ½·½; B 1·½
        assertEquals(1.0 / 3, r.area().get(TEACHER), 1e-15);
        assertEquals(7.0 / 12, r.area().get(SHARED), 1e-15);
        assertEquals(0.25, r.area().get(STUDENT), 1e-15);
        assertEquals(0.5, r.area().get(BOOSTED), 1e-15);
        assertEquals(2, r.binsCompared());
        assertEquals(2, r.correctResponses());
        assertEquals(1, r.incorrectResponses());
        assertEquals(1, r.unknownResponses());
    }

    @Test
    void responseWeightedCurvesCountEachResponseOnce() {
        PositionCurves.Result<Label> r = PositionCurves.compute(Label.class, RESPONSES, 2, PositionCurves.Weighting.RESPONSE);
        // correct, bin 0: R1 has T ½, SH ½; R2 has T 1 -> T ¾, SH ¼. Bin 1: only R1 has labelled sentences.
        assertArrayEquals(new double[] {0.75, 0}, r.correct().get(TEACHER), 1e-15);
        assertArrayEquals(new double[] {0.25, 0.5}, r.correct().get(SHARED), 1e-15);
        assertEquals(0.375, r.area().get(TEACHER), 1e-15);
        assertEquals(0.625, r.area().get(SHARED), 1e-15);
        assertEquals(0.25, r.area().get(STUDENT), 1e-15);
        assertEquals(0.5, r.area().get(BOOSTED), 1e-15);
    }

    @Test
    void binsWithoutSentencesAreNaNAndLeftOutOfTheArea() {
        List<LabelledResponse<Label>> responses = List.of(
                new LabelledResponse<>(List.of(TEACHER, TEACHER, SHARED, SHARED), Correctness.CORRECT),
                new LabelledResponse<>(List.of(STUDENT), Correctness.INCORRECT));    // position ½: bin 2 of 4
        PositionCurves.Result<Label> r = PositionCurves.compute(Label.class, responses, 4, PositionCurves.Weighting.SENTENCE);
        assertArrayEquals(new double[] {NaN, NaN, 0, NaN}, r.incorrect().get(TEACHER));
        assertArrayEquals(new double[] {NaN, NaN, 1, NaN}, r.incorrect().get(STUDENT));
        assertEquals(1, r.binsCompared());
        assertEquals(0.25, r.area().get(SHARED), 1e-15);     // |1 − 0| × ¼, only bin 2 counts
        assertEquals(0.25, r.area().get(STUDENT), 1e-15);
        assertEquals(0.0, r.area().get(TEACHER));
    }

    @Test
    void binsFollowRelativePosition() {
        assertEquals(1, PositionCurves.binOf(0, 1, 2));      // ½ is the start of the second bin
        for (int i = 0; i < 20; i++) assertEquals(i, PositionCurves.binOf(i, 20, 20));
        assertEquals(3, PositionCurves.binOf(0, 3, 20));      // 1/6 · 20 = 3.33
        assertEquals(10, PositionCurves.binOf(1, 3, 20));     // ½ · 20
        assertEquals(16, PositionCurves.binOf(2, 3, 20));     // 5/6 · 20 = 16.67
        assertEquals(19, PositionCurves.binOf(999, 1000, 20));
        assertThrows(IllegalArgumentException.class, () -> PositionCurves.compute(Label.class, RESPONSES, 0,
                PositionCurves.Weighting.SENTENCE));
        assertThrows(IllegalArgumentException.class, () -> new LabelledResponse<>(List.of(TEACHER), null));
    }

    @Test
    void worksForTwoModelLabelsAndDefaultBins() {
        List<LabelledResponse<TwoModelLabel>> responses = List.of(
                new LabelledResponse<>(List.of(TwoModelLabel.COMMON, TwoModelLabel.TEACHER), Correctness.CORRECT),
                new LabelledResponse<>(List.of(TwoModelLabel.COMMON, TwoModelLabel.COMMON), Correctness.INCORRECT));
        PositionCurves.Result<TwoModelLabel> r = PositionCurves.compute(TwoModelLabel.class, responses,
                PositionCurves.DEFAULT_BINS, PositionCurves.Weighting.RESPONSE);
        assertEquals(20, r.correct().get(TwoModelLabel.TEACHER).length);
        assertEquals(1.0, r.correct().get(TwoModelLabel.TEACHER)[15]);     // position ¾
        assertTrue(Double.isNaN(r.correct().get(TwoModelLabel.TEACHER)[0]));
        assertEquals(2, r.binsCompared());
        assertEquals(0.05, r.area().get(TwoModelLabel.TEACHER), 1e-15);      // |1 − 0| × 1/20 in bin 15
        assertEquals(0.05, r.area().get(TwoModelLabel.COMMON), 1e-15);
    }
}
