package dev.provtrace.engine.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.presets.openblas_nolapack;

import java.util.SplittableRandom;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

/**
 * The machine's own dense fp32 matmul rate: OpenBLAS sgemm on square n×n×n matrices with the given threads, the
 * best of several runs after a warm-up. The benchmark divides the forward pass's GFLOP/s by this, so its result
 * means the same on any machine.
 */
public final class SgemmRate {
    private SgemmRate() {}

    /** GFLOP/s (2n³ per call), best of {@code runs}. */
    public static double measure(int n, int threads, int runs) {
        int before = openblas_nolapack.blas_get_num_threads();   // the CPU backend runs OpenBLAS single-threaded
        openblas_nolapack.blas_set_num_threads(threads);
        try {
            return measureWithThreadsSet(n, runs);
        } finally {
            openblas_nolapack.blas_set_num_threads(before);
        }
    }

    private static double measureWithThreadsSet(int n, int runs) {
        long nn = (long) n * n;
        try (FloatPointer a = new FloatPointer(nn); FloatPointer b = new FloatPointer(nn); FloatPointer c = new FloatPointer(nn)) {
            SplittableRandom rnd = new SplittableRandom(7);
            for (long i = 0; i < nn; i++) {
                a.put(i, (float) rnd.nextDouble(-1, 1));
                b.put(i, (float) rnd.nextDouble(-1, 1));
            }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1f, a, n, b, n, 0f, c, n);   // warm-up
            double best = 0;
            for (int r = 0; r < runs; r++) {
                long t = System.nanoTime();
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1f, a, n, b, n, 0f, c, n);
                double s = (System.nanoTime() - t) / 1e9;
                best = Math.max(best, 2.0 * n * n * n / s / 1e9);
            }
            return best;
        }
    }
}
