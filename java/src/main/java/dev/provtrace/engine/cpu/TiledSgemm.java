package dev.provtrace.engine.cpu;

import org.bytedeco.javacpp.FloatPointer;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

/**
 * Row-major sgemm C[m, n] = alpha · A[m, k] · op(B), op(B) = Bᵀ for B [n, k] (weights as stored) or B [k, n], cut
 * into tiles of C that the backend's own threads pull one at a time ({@link Parallel#forTiles}), each tile one
 * single-threaded call of oneDNN's sgemm ({@link OneDnnSgemm}; OpenBLAS's where oneDNN cannot run that way). One
 * pool does the GEMMs and the element-wise work, so the two never compete for the cores, and a thread whose core
 * another process is using takes fewer tiles instead of holding the GEMM up:
 * OpenBLAS's own threads split a GEMM statically, and with one of two cores busy elsewhere a 2-thread call ran at
 * 0.41× of its idle rate, below what one thread alone gets (measured on gate|up 512 × 9728 × 896 here).
 * {@code provtrace.cpu.gemm=library} (a system property) gives each GEMM to OpenBLAS's threads whole instead,
 * for comparison.
 */
final class TiledSgemm {
    /** Tiles per thread: enough for a busy core to fall behind without holding the rest up. */
    private static final int TILES_PER_THREAD = 4;
    /** Smallest tile edges: below these OpenBLAS's per-call packing costs more than the split gains. */
    private static final int MIN_COLS = 128, MIN_ROWS = 64;
    /** Below this much work one call in the calling thread is cheaper than handing tiles out. */
    private static final double MIN_FLOP = 8e6;

    private final Parallel parallel;
    private final boolean tiles;
    private final boolean dnnl;   // the tiles run on oneDNN (else on OpenBLAS, for OneDnnSgemm.whyNot())

    TiledSgemm(Parallel parallel) {
        this.parallel = parallel;
        this.tiles = tilesAsked();
        org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(tiles ? 1 : parallel.threads());
        this.dnnl = tiles && OneDnnSgemm.whyNot() == null;
    }

    private static boolean tilesAsked() {
        return !"library".equals(System.getProperty("provtrace.cpu.gemm"));
    }

    /** The GEMM library and how the GEMMs are split, for the device line. */
    String describe() {
        return describe(tiles);
    }

    /** What {@link #describe} will say for a backend made now, before one is made (the device line comes first). */
    static String planned() {
        return describe(tilesAsked());
    }

    private static String describe(boolean tiles) {
        if (!tiles) return "OpenBLAS sgemm on its own threads";
        String whyNotOneDnn = OneDnnSgemm.whyNot();   // oneDNN's load is checked once, then remembered
        return (whyNotOneDnn == null ? "oneDNN sgemm" : "OpenBLAS sgemm (" + whyNotOneDnn + ")") + " in tiles";
    }

    void gemm(boolean transB, int m, int n, int k, float alpha, FloatPointer a, long lda, FloatPointer b, long ldb,
              FloatPointer c, long ldc) {
        if (m == 0 || n == 0) return;
        int threads = parallel.threads();
        if (!tiles || threads == 1 || 2.0 * m * n * k < MIN_FLOP) {
            call(transB, m, n, k, alpha, a, lda, b, ldb, c, ldc);
            return;
        }
        int wanted = TILES_PER_THREAD * threads;
        int colTiles = Math.max(1, Math.min(wanted, n / MIN_COLS));
        int rowTiles = Math.max(1, Math.min((wanted + colTiles - 1) / colTiles, m / MIN_ROWS));
        int tn = Math.min(n, ((n + colTiles - 1) / colTiles + 15) / 16 * 16);   // whole vectors per tile edge
        int tm = (m + rowTiles - 1) / rowTiles;
        int cols = (n + tn - 1) / tn, rows = (m + tm - 1) / tm;
        parallel.forTiles(cols * rows, i -> {
            int n0 = (i % cols) * tn, m0 = (i / cols) * tm;
            int nc = Math.min(tn, n - n0), mc = Math.min(tm, m - m0);
            FloatPointer at = new FloatPointer(a).position(a.position() + (long) m0 * lda);
            FloatPointer bt = new FloatPointer(b).position(b.position() + (transB ? (long) n0 * ldb : n0));
            FloatPointer ct = new FloatPointer(c).position(c.position() + (long) m0 * ldc + n0);
            call(transB, mc, nc, k, alpha, at, lda, bt, ldb, ct, ldc);
        });
    }

    private void call(boolean transB, int m, int n, int k, float alpha, FloatPointer a, long lda, FloatPointer b,
                      long ldb, FloatPointer c, long ldc) {
        if (dnnl) {
            OneDnnSgemm.gemm(transB, m, n, k, alpha, a, lda, b, ldb, c, ldc);
            return;
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, (int) lda, b,
                (int) ldb, 0f, c, (int) ldc);
    }
}
