package dev.provtrace.engine.cpu;

import org.bytedeco.javacpp.BytePointer;
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

    /**
     * GFLOP/s of the same n×n×n product the way the CPU backend runs its GEMMs ({@link TiledSgemm}: oneDNN or
     * OpenBLAS tiles over {@code threads} threads of its own), best of {@code runs}; with {@link #measure} it says
     * whether the library in use or OpenBLAS's own threading is the stronger GEMM on this machine.
     */
    public static double measureBackendGemm(int n, int threads, int runs) {
        long nn = (long) n * n;
        try (Parallel parallel = new Parallel(threads); FloatPointer a = random(nn, 7); FloatPointer b = random(nn, 8);
             FloatPointer c = new FloatPointer(nn)) {
            TiledSgemm gemm = new TiledSgemm(parallel);
            gemm.gemm(true, n, n, n, 1f, a, n, b, n, c, n);   // warm-up
            double best = 0;
            for (int r = 0; r < runs; r++) {
                long t = System.nanoTime();
                gemm.gemm(true, n, n, n, 1f, a, n, b, n, c, n);
                best = Math.max(best, 2.0 * n * n * n / ((System.nanoTime() - t) / 1e9) / 1e9);
            }
            return best;
        }
    }

    /**
     * GFLOP/s of C[m, n] = A[m, k] · W[n, k]ᵀ on the fp16 GEMM ({@code --precision fp16}: {@link Fp16Matmul}'s
     * tiles over {@code threads} threads, A packed in each call as in the pass, W packed once before), best of
     * {@code runs}; NaN where the fp16 GEMM cannot run here.
     */
    public static double measureFp16Gemm(int m, int n, int k, int threads, int runs) {
        if (Fp16Gemm.whyNot() != null) return Double.NaN;
        try (Parallel parallel = new Parallel(threads); NativeScratch scratch = new NativeScratch(2);
             FloatPointer a = random((long) m * k, 7); FloatPointer w = random((long) n * k, 8);
             FloatPointer c = new FloatPointer((long) m * n); Fp16Gemm.PackedWeight packed = new Fp16Gemm.PackedWeight(n, k);
             Fp16Matmul gemm = new Fp16Matmul(parallel, scratch, 0, 1, (x, row0, rows, dst) -> {
                 throw new AssertionError("an fp32 weight is never widened");
             })) {
            packed.pack(w.address(), 0, n);
            double best = 0;
            for (int r = 0; r <= runs; r++) {   // run 0 warms up
                long t = System.nanoTime();
                gemm.gemm(gemm.packActivations(a.address(), m, k), m, k, packed, 0, false, 0, n, c.address(), n);
                if (r > 0) best = Math.max(best, 2.0 * m * n * k / ((System.nanoTime() - t) / 1e9) / 1e9);
            }
            return best;
        }
    }

    /**
     * GFLOP/s of C[m, n] = A[m, k] · W[n, k]ᵀ on oneDNN's bf16 matmul ({@code --precision bf16} with bf16 weights:
     * {@link Bf16Matmul}'s tiles over {@code threads} threads, A converted to bf16 in each call as in the pass, W
     * packed once before), best of {@code runs}; NaN where oneDNN's bf16 matmul cannot run here.
     */
    public static double measureBf16Gemm(int m, int n, int k, int threads, int runs) {
        if (OneDnnBf16Gemm.whyNot() != null) return Double.NaN;
        try (Parallel parallel = new Parallel(threads); NativeScratch scratch = new NativeScratch(1);
             FloatPointer a = random((long) m * k, 7); BytePointer w = new BytePointer(2L * n * k);
             FloatPointer c = new FloatPointer((long) m * n); Bf16Matmul gemm = new Bf16Matmul(parallel, scratch, 0)) {
            SplittableRandom rnd = new SplittableRandom(8);
            for (long i = 0; i < (long) n * k; i++) w.putShort(2 * i, (short) (Float.floatToRawIntBits((float) rnd.nextDouble(-1, 1)) >>> 16));
            OneDnnBf16Gemm.Packed packed = gemm.pack(w.address(), n, k);
            double best = 0;
            for (int r = 0; r <= runs; r++) {   // run 0 warms up (and makes the primitives)
                long t = System.nanoTime();
                gemm.gemm(gemm.toBf16(a.address(), m, k), m, packed, 0, n, c.address(), n);
                if (r > 0) best = Math.max(best, 2.0 * m * n * k / ((System.nanoTime() - t) / 1e9) / 1e9);
            }
            return best;
        }
    }

    /** What {@link #measureBf16Gemm} runs on, as the device line names it. */
    public static String bf16Gemm() {
        return Bf16Matmul.description();
    }

    /** The library and split {@link #measureBackendGemm} times, as the device line names them. */
    public static String backendGemm() {
        return TiledSgemm.planned();
    }

    private static FloatPointer random(long n, long seed) {
        FloatPointer p = new FloatPointer(n);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) p.put(i, (float) rnd.nextDouble(-1, 1));
        return p;
    }

    private static double measureWithThreadsSet(int n, int runs) {
        long nn = (long) n * n;
        try (FloatPointer a = random(nn, 7); FloatPointer b = random(nn, 8); FloatPointer c = new FloatPointer(nn)) {
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
