package dev.provtrace.engine.cpu;

import dev.provtrace.engine.TestDevices;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The fp16 GEMM through JNI and {@link Fp16Matmul}'s tiles: against a double reference, the same bits over 1 and 2
 * threads (each value depends on its row and column only), and clear errors for tiles it cannot compute.
 * (native/cpu/test covers the kernel's edge cases: odd k, partial panels, overflow-prone and NaN inputs.)
 */
class Fp16GemmTest {
    private static FloatPointer random(long n, long seed, double scale) {
        FloatPointer p = new FloatPointer(n);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) p.put(i, (float) (r.nextGaussian() * scale));
        return p;
    }

    private static float[] run(int threads, FloatPointer a, FloatPointer w, int m, int n, int k) {
        try (Parallel parallel = new Parallel(threads); NativeScratch scratch = new NativeScratch(2);
             Fp16Gemm.PackedWeight packed = new Fp16Gemm.PackedWeight(n, k); FloatPointer c = new FloatPointer((long) m * n);
             Fp16Matmul gemm = new Fp16Matmul(parallel, scratch, 0, 1, (x, row0, rows, dst) -> { throw new AssertionError(); })) {
            packed.pack(w.address(), 0, n);
            gemm.gemm(gemm.packActivations(a.address(), m, k), m, k, packed, 0, false, 0, n, c.address(), n);
            float[] out = new float[m * n];
            c.get(out);
            return out;
        }
    }

    @Test
    void tilesOverThreadsMatchADoubleReferenceAndEachOtherBitwise() {
        assumeTrue(TestDevices.fp16Runs("cpu"), "this CPU has no AVX512-FP16");
        int m = 203, n = 515, k = 301;   // more than two row tiles, a partial panel, odd k
        try (FloatPointer a = random((long) m * k, 1, 1.5); FloatPointer w = random((long) n * k, 2, 0.05)) {
            float[] one = run(1, a, w, m, n, k), two = run(2, a, w, m, n, k);
            double e2 = 0, r2 = 0;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double ref = 0;
                    for (int t = 0; t < k; t++) ref += (double) a.get((long) i * k + t) * w.get((long) j * k + t);
                    e2 += (one[i * n + j] - ref) * (one[i * n + j] - ref);
                    r2 += ref * ref;
                    assertEquals(Float.floatToIntBits(one[i * n + j]), Float.floatToIntBits(two[i * n + j]), "row " + i + " col " + j);
                }
            }
            double nmse = e2 / r2;
            assertTrue(nmse < 2e-5, "nmse " + nmse);
            assertTrue(nmse > 1e-9, "nmse " + nmse + ": no fp16 rounding seen");
        }
    }

    @Test
    void refusesTilesItCannotComputeAndAClosedWeight() {
        assumeTrue(TestDevices.fp16Runs("cpu"), "this CPU has no AVX512-FP16");
        Fp16Gemm.PackedWeight w = new Fp16Gemm.PackedWeight(70, 8);
        try (FloatPointer c = new FloatPointer(6 * 70)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Fp16Gemm.gemm(c.address(), 6, 9, w, 0, false, 0, 6, 0, 70, c.address(), 70));
            assertEquals("fp16 GEMM: A has 9 columns, the weight 8", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Fp16Gemm.gemm(c.address(), 6, 8, w, 0, false, 0, 6, 32, 38, c.address(), 70));
            assertEquals("fp16 GEMM tile rows [0, +6) cols [32, +38) of 6 × 70", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> w.pack(c.address(), 60, 11));
            w.close();
            IllegalStateException closed = assertThrows(IllegalStateException.class, () -> w.pack(c.address(), 0, 1));
            assertEquals("fp16 weight used after close", closed.getMessage());
        }
    }
}
