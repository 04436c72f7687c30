package dev.provtrace.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class FiniteScoresTest {
    @Test
    void namesTheFirstNonFiniteScoreAndItsToken() {
        float nan = Float.NaN;
        assertNull(FiniteScores.problem(new TokenScores(new float[] {nan, -1f, -2f}, null, null, null)),
                "index 0 has no prefix: NaN by definition");
        assertEquals("a non-finite log-prob at token 17 (NaN)",
                FiniteScores.problem(new TokenScores(logprobs(20, 17, nan), null, null, null)));
        assertEquals("a non-finite log-prob at token 2 (-Infinity)",
                FiniteScores.problem(new TokenScores(logprobs(4, 2, Float.NEGATIVE_INFINITY), null, null, null)));
        float[] entropy = {nan, 1f, Float.POSITIVE_INFINITY};
        assertEquals("a non-finite entropy at token 2 (Infinity)",
                FiniteScores.problem(new TokenScores(logprobs(3, -1, 0), null, null, entropy)));
        float[][] top = {null, {-0.1f, -3f}, {-0.2f, nan}};
        int[][] ids = {null, {1, 2}, {3, 4}};
        assertEquals("a non-finite top-k log-prob at token 2 (NaN)",
                FiniteScores.problem(new TokenScores(logprobs(3, -1, 0), ids, top, null)));
    }

    private static float[] logprobs(int n, int bad, float value) {
        float[] lp = new float[n];
        lp[0] = Float.NaN;
        for (int t = 1; t < n; t++) lp[t] = t == bad ? value : -0.5f * t;
        return lp;
    }
}
