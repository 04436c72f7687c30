package dev.provtrace.engine.cpu;

import org.bytedeco.javacpp.FloatPointer;

import static org.bytedeco.dnnl.global.dnnl.dnnl_sgemm;
import static org.bytedeco.dnnl.global.dnnl.dnnl_success;

/**
 * oneDNN's row-major sgemm (JavaCPP's dnnl preset), the fastest fp32 GEMM measured here for the pass's shapes
 * (5–25% over OpenBLAS at 1 and 2 threads). It runs on OpenMP, whose thread count is read from OMP_NUM_THREADS
 * when the library loads and cannot be set from Java: only with OMP_NUM_THREADS=1 (the launcher and the test
 * runner set it) does each tile run in the thread that calls it, so with anything else the tiles stay on OpenBLAS.
 */
final class OneDnnSgemm {
    private OneDnnSgemm() {}

    private static volatile String problem;   // null once checked and usable
    private static volatile boolean checked;

    /** Null when oneDNN can run the GEMM tiles; else why not. */
    static synchronized String whyNot() {
        if ("openblas".equals(System.getProperty("provtrace.cpu.sgemm"))) return "asked for with provtrace.cpu.sgemm";
        if (!checked) {
            checked = true;
            try {
                // a 2×2 product checks that the library loads and computes: [1 2; 3 4] · [5 6; 7 8]ᵀ
                try (FloatPointer a = new FloatPointer(1f, 2f, 3f, 4f); FloatPointer b = new FloatPointer(5f, 6f, 7f, 8f);
                     FloatPointer c = new FloatPointer(4)) {
                    gemm(true, 2, 2, 2, 1f, a, 2, b, 2, c, 2);
                    if (c.get(0) != 17f || c.get(1) != 23f || c.get(2) != 39f || c.get(3) != 53f) problem = "oneDNN gave a wrong product";
                }
            } catch (UnsatisfiedLinkError | NoClassDefFoundError | IllegalStateException e) {
                problem = "oneDNN did not load: " + e.getMessage();
            }
        }
        if (problem != null) return problem;
        if (!"1".equals(System.getenv("OMP_NUM_THREADS"))) return "oneDNN needs OMP_NUM_THREADS=1";
        return null;
    }

    static void gemm(boolean transB, int m, int n, int k, float alpha, FloatPointer a, long lda, FloatPointer b, long ldb,
                     FloatPointer c, long ldc) {
        int status = dnnl_sgemm((byte) 'N', (byte) (transB ? 'T' : 'N'), m, n, k, alpha, a, lda, b, ldb, 0f, c, ldc);
        if (status != dnnl_success) throw new IllegalStateException("oneDNN sgemm failed (status " + status + ") on " + m + "×" + n + "×" + k);
    }
}
