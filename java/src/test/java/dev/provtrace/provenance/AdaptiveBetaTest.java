package dev.provtrace.provenance;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdaptiveBetaTest {

    @Test
    void smallTableComputedByHand() {
        // |Δ| = 0.01, 0.02, 0.3; the NaN is skipped. Edges 0.1, 0.2, 0.3 (3 × 0.1 ≥ 0.3 ends the table).
        AdaptiveBeta.Result r = AdaptiveBeta.choose(new double[] {0.01, -0.02, Double.NaN, 0.3}, 0.1);
        assertEquals(3, r.values());
        assertEquals(1, r.skipped());
        List<BetaCandidate> t = r.candidates();
        assertEquals(3, t.size());
        // split {0.01, 0.02} | {0.3}: w0 = 2/3, w1 = 1/3, μ0 = 0.015, μ1 = 0.3 -> 2/9 · 0.285² = 0.01805
        assertEquals(0.1, t.get(0).beta(), 1e-15);
        assertEquals(2, t.get(0).binCount());
        assertEquals(2.0 / 3, t.get(0).centralFraction(), 1e-15);
        assertEquals(0.01805, t.get(0).criterion(), 1e-12);
        assertEquals(0, t.get(1).binCount());                  // empty bin: the same split, the same value
        assertEquals(t.get(0).criterion(), t.get(1).criterion());
        assertEquals(1, t.get(2).binCount());
        assertEquals(1.0, t.get(2).centralFraction());
        assertEquals(0.0, t.get(2).criterion());                // no tails
        assertTrue(r.separated());
        assertEquals(0.1, r.beta(), 1e-15);                     // tie with 0.2 goes to the smaller β
        // σ_T² = (0.1² + 0.09² + 0.19²)/3 = 0.0542/3, so η = 0.01805 / 0.018066…
        assertEquals(0.01805 / (0.0542 / 3), r.separability(), 1e-12);
    }

    @Test
    void plantedGapIsFound() {
        Random random = new Random(20250601);
        double[] deltas = new double[1000];
        double largestCentral = 0;
        for (int i = 0; i < deltas.length; i++) {
            boolean central = i < 800;
            double magnitude = central ? 0.05 * random.nextDouble() : 0.3 + 0.3 * random.nextDouble();
            if (central) largestCentral = Math.max(largestCentral, magnitude);
            deltas[i] = random.nextBoolean() ? magnitude : -magnitude;
        }
        AdaptiveBeta.Result r = AdaptiveBeta.choose(deltas);
        assertTrue(r.separated());
        // inside the gap of the sample, well clear of both components: the middle of the tied run of edges
        double smallestTail = 1;
        for (double d : deltas) if (Math.abs(d) >= 0.3) smallestTail = Math.min(smallestTail, Math.abs(d));
        assertTrue(r.beta() > largestCentral + 0.05 && r.beta() < smallestTail - 0.05, "beta " + r.beta());
        BetaCandidate chosen = r.candidates().stream().filter(c -> c.beta() == r.beta()).findFirst().orElseThrow();
        assertEquals(0.8, chosen.centralFraction());
        // η ≈ σ_B²/(σ_B² + σ_W²) = 0.0289 / (0.0289 + 0.8·0.05²/12 + 0.2·0.3²/12) = 0.945 for these uniforms
        assertEquals(0.945, r.separability(), 0.01);
        assertEquals(120, r.candidates().size());                // edges 0.005 … 0.600
    }

    @Test
    void twoGaussianComponentsAreSplitInTheGapBetweenThem() {
        // 85% of |Δ| from |N(0, 0.03)|, 15% from N(±0.35, 0.05)
        Random random = new Random(7);
        double[] deltas = new double[2000];
        double largestCentral = 0, smallestTail = 1;
        for (int i = 0; i < deltas.length; i++) {
            boolean central = i % 20 < 17;
            double d = central ? 0.03 * random.nextGaussian()
                    : Math.copySign(0.35 + 0.05 * random.nextGaussian(), random.nextGaussian());
            deltas[i] = Math.max(-1, Math.min(1, d));
            if (central) largestCentral = Math.max(largestCentral, Math.abs(deltas[i]));
            else smallestTail = Math.min(smallestTail, Math.abs(deltas[i]));
        }
        assertTrue(largestCentral < smallestTail);    // this sample does not overlap: 0.098 < 0.225
        AdaptiveBeta.Result r = AdaptiveBeta.choose(deltas);
        assertTrue(r.beta() >= largestCentral && r.beta() < smallestTail, "beta " + r.beta());
        // the tied run of edges goes from 0.100 (first edge above 0.098) to the last edge below 0.225; β is its middle
        double runEnd = Math.floor(smallestTail / AdaptiveBeta.DEFAULT_BIN_WIDTH) * AdaptiveBeta.DEFAULT_BIN_WIDTH;
        assertEquals((0.1 + runEnd) / 2, r.beta(), AdaptiveBeta.DEFAULT_BIN_WIDTH);
        BetaCandidate chosen = r.candidates().stream().filter(c -> c.beta() == r.beta()).findFirst().orElseThrow();
        assertEquals(0.85, chosen.centralFraction());
        // every edge up to the first tail value splits the same way: the plateau the tie rule resolves
        for (BetaCandidate c : r.candidates()) {
            if (c.beta() >= 0.1 - 1e-12 && c.beta() < smallestTail) assertEquals(chosen.criterion(), c.criterion());
            else assertTrue(c.criterion() < chosen.criterion(), "beta " + c.beta());
        }
    }

    @Test
    void resultDoesNotDependOnOrder() {
        List<Double> values = new ArrayList<>();
        Random random = new Random(3);
        for (int i = 0; i < 300; i++) values.add((random.nextDouble() - 0.5) * (i % 3 == 0 ? 1.6 : 0.2));
        double[] a = values.stream().mapToDouble(Double::doubleValue).toArray();
        Collections.shuffle(values, random);
        double[] b = values.stream().mapToDouble(Double::doubleValue).toArray();
        assertEquals(AdaptiveBeta.choose(a), AdaptiveBeta.choose(b));
    }

    @Test
    void nothingToSeparate() {
        AdaptiveBeta.Result single = AdaptiveBeta.choose(new double[] {0.2});
        assertFalse(single.separated());
        assertTrue(Double.isNaN(single.beta()));
        assertEquals(0.0, single.separability());
        assertEquals(40, single.candidates().size());           // 0.005 … 0.2, all criterion 0
        assertTrue(single.candidates().stream().allMatch(c -> c.criterion() == 0));

        assertFalse(AdaptiveBeta.choose(new double[] {0.2, -0.2, 0.2}).separated());   // equal magnitudes
        AdaptiveBeta.Result zeros = AdaptiveBeta.choose(new double[] {0, 0, 0});
        assertFalse(zeros.separated());
        assertEquals(1, zeros.candidates().size());
        assertEquals(3, zeros.candidates().get(0).binCount());
        assertFalse(AdaptiveBeta.choose(new double[] {0.101, 0.102}, 0.05).separated());   // one bin holds both
        assertTrue(AdaptiveBeta.choose(new double[] {0.101, 0.102}, 0.0001).separated());
    }

    @Test
    void invalidInputsAreErrors() {
        assertThrows(IllegalArgumentException.class, () -> AdaptiveBeta.choose(new double[0]));
        assertThrows(IllegalArgumentException.class, () -> AdaptiveBeta.choose(new double[] {Double.NaN}));
        assertThrows(IllegalArgumentException.class, () -> AdaptiveBeta.choose(new double[] {1.5}));
        assertThrows(IllegalArgumentException.class, () -> AdaptiveBeta.choose(new double[] {Double.NEGATIVE_INFINITY}));
        assertThrows(IllegalArgumentException.class, () -> AdaptiveBeta.choose(new double[] {0.1}, 0));
        assertThrows(IllegalArgumentException.class, () -> AdaptiveBeta.choose(new double[] {0.1}, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> AdaptiveBeta.deltas(new double[2], new double[3]));
        double[] d = AdaptiveBeta.deltas(new double[] {0.75, Double.NaN}, new double[] {0.5, 0.5});
        assertEquals(0.25, d[0]);
        assertTrue(Double.isNaN(d[1]));
    }

    /** The streaming histogram makes the same choice as the in-memory values, table row by row. */
    @Test
    void histogramChoosesAsTheValuesDo() {
        Random random = new Random(11);
        double[] deltas = new double[3000];
        for (int i = 0; i < deltas.length; i++) {
            deltas[i] = i % 97 == 0 ? Double.NaN : i % 5 == 0 ? Math.copySign(0.2 + 0.4 * random.nextDouble(), random.nextGaussian())
                    : 0.04 * random.nextGaussian();
        }
        deltas[1] = 0.01;     // exactly on an edge: (0.005, 0.010] holds it in both
        deltas[2] = -0.0;
        for (double width : new double[] {AdaptiveBeta.DEFAULT_BIN_WIDTH, 0.1, 0.0003}) {
            AdaptiveBeta.Histogram h = new AdaptiveBeta.Histogram(width);
            for (double d : deltas) h.add(d);
            AdaptiveBeta.Result fromValues = AdaptiveBeta.choose(deltas, width), fromHistogram = AdaptiveBeta.choose(h);
            assertEquals(fromValues.beta(), fromHistogram.beta(), "width " + width);
            assertEquals(fromValues.values(), fromHistogram.values());
            assertEquals(fromValues.skipped(), fromHistogram.skipped());
            assertEquals(fromValues.separability(), fromHistogram.separability(), 1e-9);
            assertEquals(fromValues.candidates().size(), fromHistogram.candidates().size());
            for (int k = 0; k < fromValues.candidates().size(); k++) {
                BetaCandidate a = fromValues.candidates().get(k), b = fromHistogram.candidates().get(k);
                assertEquals(a.beta(), b.beta());
                assertEquals(a.binCount(), b.binCount(), "bin " + k);
                assertEquals(a.centralFraction(), b.centralFraction());
                assertEquals(a.criterion(), b.criterion(), 1e-12);
            }
        }
        // the hand-computed table of smallTableComputedByHand
        AdaptiveBeta.Histogram small = new AdaptiveBeta.Histogram(0.1);
        for (double d : new double[] {0.01, -0.02, Double.NaN, 0.3}) small.add(d);
        AdaptiveBeta.Result r = AdaptiveBeta.choose(small);
        assertEquals(0.1, r.beta(), 1e-15);
        assertEquals(0.01805, r.candidates().get(0).criterion(), 1e-12);
        assertEquals(List.of(2L, 0L, 1L), r.candidates().stream().map(BetaCandidate::binCount).toList());
        assertThrows(IllegalArgumentException.class, () -> AdaptiveBeta.choose(new AdaptiveBeta.Histogram()));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveBeta.Histogram().add(1.5));
    }
}
