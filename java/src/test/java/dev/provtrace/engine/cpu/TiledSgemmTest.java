package dev.provtrace.engine.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tiled sgemm against a naive double-precision product, on shapes large enough to be cut into tiles (odd
 * sizes, both layouts of B, operands that start inside larger buffers, a C row stride wider than n), with the
 * elements of C outside the product left untouched.
 */
class TiledSgemmTest {
    private static FloatPointer random(long n, long seed) {
        FloatPointer p = new FloatPointer(n);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) p.put(i, (float) r.nextDouble(-1, 1));
        return p;
    }

    @Test
    void everyTileAddsUpToTheWholeProduct() {
        try (Parallel parallel = new Parallel(3)) {
            TiledSgemm gemm = new TiledSgemm(parallel);
            for (boolean transB : new boolean[] {true, false}) {
                for (int[] s : new int[][] {{301, 707, 45}, {64, 1153, 70}, {517, 96, 130}}) {
                    int m = s[0], n = s[1], k = s[2], lda = k + 3, ldb = (transB ? k : n) + 5, ldc = n + 7, off = 11;
                    FloatPointer a = random(off + (long) m * lda, 1), b = random(off + (long) (transB ? n : k) * ldb, 2);
                    FloatPointer c = new FloatPointer(off + (long) m * ldc + 1);
                    for (long i = 0; i < c.capacity(); i++) c.put(i, 99f);
                    gemm.gemm(transB, m, n, k, 0.5f, a.position(off), lda, b.position(off), ldb, c.position(off), ldc);
                    a.position(0); b.position(0); c.position(0);
                    double worst = 0;
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < ldc; j++) {
                            float got = c.get(off + (long) i * ldc + j);
                            if (j >= n) {
                                assertEquals(99f, got, "outside the product: row " + i + " column " + j);
                                continue;
                            }
                            double want = 0;
                            for (int t = 0; t < k; t++) {
                                double bv = transB ? b.get(off + (long) j * ldb + t) : b.get(off + (long) t * ldb + j);
                                want += a.get(off + (long) i * lda + t) * bv;
                            }
                            worst = Math.max(worst, Math.abs(got - 0.5 * want));
                        }
                    }
                    for (int i = 0; i < off; i++) assertEquals(99f, c.get(i), "before C");
                    assertTrue(worst < 1e-4, "m=" + m + " n=" + n + " k=" + k + " transB=" + transB + ": max |Δ| " + worst);
                }
            }
        }
    }
}
