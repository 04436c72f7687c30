package dev.provtrace.engine.cpu;

/**
 * The attention's causal softmax on AVX-512 (native/cpu/softmax_rows.c), in place on the native score buffer: no
 * copy to the heap and back, and an exp of its own (about 2 ulp). The CPU backend uses it wherever it runs, else its
 * Java version ({@code -Dprovtrace.cpu.softmax=java} keeps the Java one, for comparison).
 */
final class NativeSoftmax {
    private static Boolean usable;

    private NativeSoftmax() {}

    /** Whether this build and CPU run it and it was not turned off (checked once). */
    static synchronized boolean usable() {
        if (usable == null) {
            usable = !"java".equals(System.getProperty("provtrace.cpu.softmax")) && cpuSupported();
        }
        return usable;
    }

    /** Whether the library is loaded and this CPU and OS run AVX-512F and DQ (what the attention kernels need). */
    static boolean cpuSupported() {
        return CpuNative.whyNotLoaded() == null && supported0();
    }

    /**
     * Rows [row0, row1) of scores [rows][keys] at {@code address}: row i is query position p0 + i / group, column j key
     * position k0 + j; the visible columns (causal, and within {@code window} when it is > 0) become their softmax,
     * the others 0.
     */
    static void causalRows(long address, int keys, int group, int p0, int k0, int window, int row0, int row1) {
        causalRows0(address, keys, group, p0, k0, window, row0, row1);
    }

    private static native boolean supported0();

    private static native void causalRows0(long scores, int keys, int group, int p0, int k0, int window, int row0, int row1);
}
