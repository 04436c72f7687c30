package dev.provtrace.engine.cpu;

import java.util.ArrayList;
import java.util.List;

/**
 * The CPU backend's GEMMs at {@code --precision fp16} ({@link Fp16Gemm}): each weight is packed to fp16 once, on
 * first use or when its layer is prepared at load (2 bytes per parameter of native memory, beside the fp32 map);
 * the activations are packed per call, split over the threads; C is cut into tiles (rows whose packed A fits in L2 ×
 * a run of 64-column panels) that the backend's threads pull one at a time, as {@link TiledSgemm}'s.
 */
final class Fp16Matmul implements AutoCloseable {
    /** What the device line and the backend's name call it. */
    static final String DESCRIPTION = "our AVX512-FP16 GEMM in tiles";
    /**
     * Bytes of packed A per tile: its rows × k fp16 stay in a core's L2 (2 MiB here) beside the tile's fp32 sums,
     * while W's panels stream past once. So a tile takes all 512 rows of a pass at k = 896 (each W panel is then read
     * from memory once per GEMM: 18% faster than 96-row tiles on a cold weight, one core) and 102 rows at k = 4864.
     */
    private static final long A_TILE_BYTES = 1 << 20;
    /** Tiles per thread: enough for a busy core to fall behind without holding the rest up. */
    private static final int TILES_PER_THREAD = 8;
    /** Floats of a bf16/f16 weight widened to fp32 at a time while it is packed (16 MiB). */
    private static final int WIDEN_FLOATS = 1 << 22;

    /** Rows [row0, row0 + n) of a non-fp32 weight into dst as fp32 (the backend's widening, split over threads). */
    interface Widener {
        void widen(CpuWeight w, int row0, int n, CpuBuffer dst);
    }

    private final Parallel parallel;
    private final NativeScratch scratch;
    private final int widenSlot, activationSlot;
    private final Widener widener;
    private final List<Fp16Gemm.PackedWeight> packed = new ArrayList<>();

    Fp16Matmul(Parallel parallel, NativeScratch scratch, int widenSlot, int activationSlot, Widener widener) {
        String why = Fp16Gemm.whyNot();
        if (why != null) throw new IllegalStateException("--precision fp16 cannot run here: " + why);
        this.parallel = parallel;
        this.scratch = scratch;
        this.widenSlot = widenSlot;
        this.activationSlot = activationSlot;
        this.widener = widener;
    }

    /** w packed to fp16 (packed now if it is not yet). */
    Fp16Gemm.PackedWeight packed(CpuWeight w) {
        synchronized (w) {
            if (w.fp16 != null) return w.fp16;
            int n = w.rows(), k = w.cols();
            Fp16Gemm.PackedWeight p = new Fp16Gemm.PackedWeight(n, k);
            try {
                if (w.isMappedFp32()) {
                    long base = w.mappedPointer().address();
                    parallel.forRange(n, 64, (part, from, to) -> p.pack(base + 4L * from * k, from, to - from));
                } else {
                    int chunk = Math.max(1, Math.min(n, WIDEN_FLOATS / k));
                    CpuBuffer wide = scratch.get(widenSlot, (long) chunk * k);
                    for (int r0 = 0; r0 < n; r0 += chunk) {
                        int rows = Math.min(chunk, n - r0), first = r0;
                        widener.widen(w, r0, rows, wide);
                        long base = wide.address();
                        parallel.forRange(rows, 64, (part, from, to) -> p.pack(base + 4L * from * k, first + from, to - from));
                    }
                }
            } catch (RuntimeException | Error e) {
                p.close();
                throw e;
            }
            synchronized (packed) {
                packed.add(p);
            }
            w.fp16 = p;
            return p;
        }
    }

    /** An fp32 A of m rows × k at {@code address} (row stride k) packed for {@link #gemm}, in the scratch slot. */
    long packActivations(long address, int m, int k) {
        long bytes = Fp16Gemm.activationsBytes(m, k);
        CpuBuffer dst = scratch.get(activationSlot, (bytes + 3) / 4);
        long out = dst.address();
        int blocks = (m + Fp16Gemm.MR - 1) / Fp16Gemm.MR;
        parallel.forRange(blocks, 4, (part, from, to) -> {
            int row0 = from * Fp16Gemm.MR, row1 = Math.min(m, to * Fp16Gemm.MR);
            Fp16Gemm.packActivations(address, k, m, k, row0, row1 - row0, out);
        });
        return out;
    }

    /** One tile's GEMM: rows [r0, r0 + rows) and columns [c0, c0 + cols) of the output (c0 a multiple of 64). */
    private interface TileGemm {
        void run(int r0, int rows, int c0, int cols);
    }

    /**
     * Output columns [0, cols) of m rows (A with k columns) cut into tiles that the threads pull: as many rows as
     * {@link #A_TILE_BYTES} of packed A hold × a run of 64-column panels, small enough runs for
     * {@value #TILES_PER_THREAD} tiles per thread.
     */
    private void tiles(int m, int k, int cols, TileGemm gemm) {
        if (m == 0 || cols == 0) return;
        int mr = Fp16Gemm.MR;
        long fit = Math.max(1, A_TILE_BYTES / (4L * ((k + 1) / 2)) / mr) * mr;
        int rowTile = (int) Math.min(fit, (m + mr - 1) / mr * mr);
        int rowTiles = (m + rowTile - 1) / rowTile;
        int panels = (cols + Fp16Gemm.PANEL - 1) / Fp16Gemm.PANEL;
        int wanted = TILES_PER_THREAD * parallel.threads();
        int colTiles = Math.max(1, Math.min(panels, (wanted + rowTiles - 1) / rowTiles));
        int tileCols = Math.max(1, panels / colTiles) * Fp16Gemm.PANEL;   // rounded down: more, smaller tiles
        int tiles = rowTiles * ((cols + tileCols - 1) / tileCols);
        parallel.forTiles(tiles, i -> {
            int r0 = (i % rowTiles) * rowTile, c0 = (i / rowTiles) * tileCols;
            gemm.run(r0, Math.min(rowTile, m - r0), c0, Math.min(tileCols, cols - c0));
        });
    }

    /**
     * C[0 .. m, col0 .. col0 + cols) = A · Wᵀ (+ bias, the address of n floats, or 0; added to C's values when
     * {@code accumulate}) for a packed A of m rows, written at {@code c} (C[0][col0]) with row stride ldc; col0 a
     * multiple of 64.
     */
    void gemm(long packedA, int m, int k, Fp16Gemm.PackedWeight w, long bias, boolean accumulate, int col0, int cols, long c,
              long ldc) {
        tiles(m, k, cols, (r0, rows, c0, width) ->
                Fp16Gemm.gemm(packedA, m, k, w, bias, accumulate, r0, rows, col0 + c0, width, c + 4L * (r0 * ldc + c0), ldc));
    }

    /** out[rows, n] = x[rows, k] · Wᵀ + bias (bias: an address or 0), added to out's values when {@code accumulate}. */
    void matmul(CpuBuffer x, CpuWeight w, long bias, CpuBuffer out, int rows, boolean accumulate) {
        matmul(packActivations(x.address(), rows, w.cols()), rows, w, bias, out, accumulate);
    }

    /** The same from an A already packed by {@link #packActivations} (one packing for q, k and v). */
    void matmul(long packedA, int rows, CpuWeight w, long bias, CpuBuffer out, boolean accumulate) {
        gemm(packedA, rows, w.cols(), packed(w), bias, accumulate, 0, w.rows(), out.address(), w.rows());
    }

    /** out[rows, I] = silu(x · Gᵀ + gate bias) · (x · Uᵀ + up bias), fused: gate and up never reach memory. */
    void gateUpSwiglu(CpuBuffer x, CpuWeight gate, long gateBias, CpuWeight up, long upBias, CpuBuffer out, int rows) {
        Fp16Gemm.PackedWeight g = packed(gate), u = packed(up);
        int k = gate.cols(), n = gate.rows();
        long a = packActivations(x.address(), rows, k), c = out.address();
        tiles(rows, k, n, (r0, tileRows, c0, width) ->
                Fp16Gemm.gemmSwiglu(a, rows, k, g, gateBias, u, upBias, r0, tileRows, c0, width, c + 4L * ((long) r0 * n + c0), n));
    }

    @Override
    public void close() {
        synchronized (packed) {
            for (Fp16Gemm.PackedWeight p : packed) p.close();
            packed.clear();
        }
    }
}
