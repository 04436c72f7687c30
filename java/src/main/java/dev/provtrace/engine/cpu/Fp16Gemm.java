package dev.provtrace.engine.cpu;

/**
 * The CPU's fp16 GEMM ({@code --precision fp16}), native/cpu/fp16_gemm.c ({@link CpuNative}): C = A · Wᵀ with fp32 A and C, weights packed once
 * to fp16, the products and the first 128 k-pairs of each sum in fp16 on AVX512-FP16, the rest of each sum in
 * fp32. Rows of A and of W are scaled by powers of two first, so no partial sum can overflow fp16 (fp16_gemm.c has
 * the bound). Each value of C depends only on its row of A and its row of W, so tiles and batches never change a
 * result. On the CPUs that have AVX512-FP16 but no AMX, its multiply-add rate is twice fp32's (tools/cpu-probes).
 */
final class Fp16Gemm {
    /** Rows of A per micro-tile and columns of W per packed panel (fp16_gemm.h's FP16_MR, FP16_NC). */
    static final int MR = 6, PANEL = 64;

    private Fp16Gemm() {}

    /** Null when this build and CPU run the fp16 GEMM, else why not (the library is loaded once; CPUID is cheap). */
    static String whyNot() {
        String notLoaded = CpuNative.whyNotLoaded();
        if (notLoaded != null) return notLoaded;
        return supported0() ? null : "this CPU has no AVX512-FP16 (Sapphire Rapids and later Xeons have it; the instructions "
                + "vfmadd231ph are what make fp16 faster than fp32 here)";
    }

    /** A weight packed to fp16 panels (native memory, freed by {@link #close}). */
    static final class PackedWeight implements AutoCloseable {
        final int n, k;
        private long handle;

        PackedWeight(int n, int k) {
            this.n = n;
            this.k = k;
            this.handle = weightNew0(n, k);
            if (handle == 0) throw new OutOfMemoryError("cannot allocate a " + n + " × " + k + " fp16 weight");
        }

        /** Packs rows [row0, row0 + rows) from fp32 at {@code address} (row-major, stride k). */
        void pack(long address, int row0, int rows) {
            if (row0 < 0 || rows < 0 || row0 + rows > n) throw new IllegalArgumentException("rows [" + row0 + ", " + (row0 + rows) + ") of " + n);
            weightPack0(live(), address, row0, rows);
        }

        long handle() { return live(); }

        private long live() {
            if (handle == 0) throw new IllegalStateException("fp16 weight used after close");
            return handle;
        }

        @Override
        public synchronized void close() {
            if (handle != 0) weightFree0(handle);
            handle = 0;
        }
    }

    /** Bytes of a packed A of m rows × k. */
    static long activationsBytes(int m, int k) { return activationsBytes0(m, k); }

    /** Packs A rows [row0, row0 + rows) from fp32 at {@code a} (stride lda) into {@code dst}; row0 a multiple of MR. */
    static void packActivations(long a, long lda, int m, int k, int row0, int rows, long dst) {
        packActivations0(a, lda, m, k, row0, rows, dst);
    }

    /**
     * The tile C[row0 .. +rows, col0 .. +cols] = A · Wᵀ + bias (bias: the address of n floats, or 0), added to what C
     * holds when {@code accumulate}, at {@code c} (its first element), row stride ldc.
     */
    static void gemm(long packedA, int m, int k, PackedWeight w, long bias, boolean accumulate, int row0, int rows, int col0,
                     int cols, long c, long ldc) {
        checkTile(m, k, w, row0, rows, col0, cols);
        if (gemm0(packedA, m, k, w.handle(), bias, accumulate, row0, rows, col0, cols, c, ldc) != 0) outOfMemory(rows);
    }

    /** The same tile of silu(A · Gᵀ + gate bias) · (A · Uᵀ + up bias), G and U of one shape (SwiGLU). */
    static void gemmSwiglu(long packedA, int m, int k, PackedWeight gate, long gateBias, PackedWeight up, long upBias, int row0,
                           int rows, int col0, int cols, long c, long ldc) {
        if (gate.n != up.n || gate.k != up.k) {
            throw new IllegalArgumentException("fp16 SwiGLU: gate " + gate.n + " × " + gate.k + ", up " + up.n + " × " + up.k);
        }
        checkTile(m, k, gate, row0, rows, col0, cols);
        if (gemmSwiglu0(packedA, m, k, gate.handle(), gateBias, up.handle(), upBias, row0, rows, col0, cols, c, ldc) != 0) {
            outOfMemory(rows);
        }
    }

    private static void checkTile(int m, int k, PackedWeight w, int row0, int rows, int col0, int cols) {
        if (w.k != k) throw new IllegalArgumentException("fp16 GEMM: A has " + k + " columns, the weight " + w.k);
        if (row0 % MR != 0 || col0 % PANEL != 0 || row0 + rows > m || col0 + cols > w.n) {
            throw new IllegalArgumentException("fp16 GEMM tile rows [" + row0 + ", +" + rows + ") cols [" + col0 + ", +" + cols
                    + ") of " + m + " × " + w.n);
        }
    }

    private static void outOfMemory(int rows) {
        throw new OutOfMemoryError("fp16 GEMM: cannot allocate its " + rows + "-row accumulators");
    }

    private static native boolean supported0();

    private static native long weightNew0(int n, int k);

    private static native void weightPack0(long w, long src, int row0, int rows);

    private static native void weightFree0(long w);

    private static native long activationsBytes0(int m, int k);

    private static native void packActivations0(long a, long lda, int m, int k, int row0, int rows, long dst);

    private static native int gemm0(long packedA, int m, int k, long w, long bias, boolean accumulate, int row0, int rows, int col0,
                                    int cols, long c, long ldc);

    private static native int gemmSwiglu0(long packedA, int m, int k, long gate, long gateBias, long up, long upBias, int row0,
                                          int rows, int col0, int cols, long c, long ldc);
}
