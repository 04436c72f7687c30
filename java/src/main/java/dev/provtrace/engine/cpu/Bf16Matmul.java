package dev.provtrace.engine.cpu;

import dev.provtrace.io.DType;
import org.bytedeco.javacpp.Pointer;

/**
 * The CPU backend's GEMMs with bf16 weights at {@code --precision bf16} where they run on oneDNN's bf16 matmul
 * ({@link OneDnnBf16Gemm}: AMX where the CPU has it): each bf16 weight is packed once, on first use or when its layer
 * is prepared at load; the activations (already rounded to bf16 by the forward pass, so converting them is exact)
 * are converted to bf16 per call, split over the threads; C is cut into tiles (up to 256 rows × one column slice of
 * W) that the backend's threads pull one at a time, as {@link TiledSgemm}'s. fp32 and fp16 weights keep the fp32
 * GEMMs (their products are not bf16 × bf16).
 */
final class Bf16Matmul implements AutoCloseable {
    /** Rows of A converted to bf16 per part (a fixed size, so oneDNN's conversions are a few shapes). */
    private static final int CONVERT_ROWS = 64;

    private final Parallel parallel;
    private final NativeScratch scratch;
    private final int activationSlot;
    private final OneDnnBf16Gemm gemm;

    Bf16Matmul(Parallel parallel, NativeScratch scratch, int activationSlot) {
        String why = OneDnnBf16Gemm.whyNot();
        if (why != null) throw new IllegalStateException("bf16 GEMMs on oneDNN cannot run here: " + why);
        this.parallel = parallel;
        this.scratch = scratch;
        this.activationSlot = activationSlot;
        this.gemm = new OneDnnBf16Gemm();
    }

    /** What the device line calls these GEMMs. */
    static String description() {
        return "oneDNN bf16 matmul (" + OneDnnBf16Gemm.implementation() + ") for bf16 weights";
    }

    /** True when w's GEMMs run here (its file dtype is bf16). */
    static boolean takes(CpuWeight w) {
        return w.view().dtype() == DType.BF16;
    }

    /** w packed (packed now if it is not yet). */
    OneDnnBf16Gemm.Packed packed(CpuWeight w) {
        synchronized (w) {
            if (w.bf16 == null) w.bf16 = gemm.pack(w.view(), parallel);
            return w.bf16;
        }
    }

    /** A bf16 weight [n, k] at a native address (row-major) packed by this matmul's oneDNN (the bench, the tests). */
    OneDnnBf16Gemm.Packed pack(long address, int n, int k) {
        return gemm.pack(address, n, k);
    }

    /** The column-slice width of w's packing: the LM head's vocabulary chunks are multiples of it. */
    int sliceCols(CpuWeight w) {
        return OneDnnBf16Gemm.sliceCols(w.rows(), w.cols());
    }

    /**
     * An fp32 A of m rows × k at {@code address} (row stride k) as bf16 in the scratch slot (row stride k), with zero
     * rows after it up to a multiple of {@link OneDnnBf16Gemm#ROW_STEP}; returns its address.
     */
    long toBf16(long address, int m, int k) {
        int padded = (m + OneDnnBf16Gemm.ROW_STEP - 1) / OneDnnBf16Gemm.ROW_STEP * OneDnnBf16Gemm.ROW_STEP;
        long bytes = 2L * padded * k;
        long out = scratch.get(activationSlot, (bytes + 3) / 4).address();
        Pointer.memset(new OneDnnBf16Gemm.Address(out + 2L * m * k), 0, bytes - 2L * m * k);
        int parts = (m + CONVERT_ROWS - 1) / CONVERT_ROWS;
        parallel.forTiles(parts, p -> {
            int r0 = p * CONVERT_ROWS, rows = Math.min(CONVERT_ROWS, m - r0);
            gemm.toBf16(address + 4L * r0 * k, out + 2L * r0 * k, rows, k);
        });
        return out;
    }

    /**
     * C[0 .. m, col0 .. col0 + cols) = A · Wᵀ for a bf16 A of m rows from {@link #toBf16}, written at {@code c}
     * (C[0][col0]) with row stride ldc; col0 a multiple of w's slice width. Tiles: up to 256 rows × one slice.
     */
    void gemm(long a, int m, OneDnnBf16Gemm.Packed w, int col0, int cols, long c, long ldc) {
        if (m == 0 || cols == 0) return;
        if (col0 % w.sliceCols != 0) throw new IllegalArgumentException("column " + col0 + " is not a slice start (" + w.sliceCols + " wide)");
        int first = col0 / w.sliceCols, last = (col0 + cols - 1) / w.sliceCols;
        int rowTiles = (m + OneDnnBf16Gemm.ROW_TILE - 1) / OneDnnBf16Gemm.ROW_TILE, slices = last - first + 1;
        if (col0 + cols < w.n && (col0 + cols) % w.sliceCols != 0) {
            throw new IllegalArgumentException("columns end at " + (col0 + cols) + ", inside a slice (" + w.sliceCols + " wide)");
        }
        parallel.forTiles(rowTiles * slices, i -> {
            int r0 = (i % rowTiles) * OneDnnBf16Gemm.ROW_TILE, s = first + i / rowTiles;
            int rows = Math.min(OneDnnBf16Gemm.ROW_TILE, m - r0);
            gemm.gemm(a + 2L * r0 * w.k, rows, w, s, c + 4L * (r0 * ldc + (long) s * w.sliceCols - col0), ldc);
        });
    }

    /** out[rows, n] = x[rows, k] · Wᵀ. */
    void matmul(CpuBuffer x, CpuWeight w, CpuBuffer out, int rows) {
        matmul(toBf16(x.address(), rows, w.cols()), rows, w, out);
    }

    /** The same from an A already converted by {@link #toBf16} (one conversion for q, k and v). */
    void matmul(long a, int rows, CpuWeight w, CpuBuffer out) {
        gemm(a, rows, packed(w), 0, w.rows(), out.address(), w.rows());
    }

    @Override
    public void close() {
        gemm.close();
    }
}
