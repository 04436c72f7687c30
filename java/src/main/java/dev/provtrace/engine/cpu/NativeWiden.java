package dev.provtrace.engine.cpu;

import org.bytedeco.javacpp.BytePointer;

import java.nio.ByteBuffer;

/**
 * bf16 → fp32 on AVX-512F (native/cpu/widen_bf16.c) from a window of the file's memory map straight into native fp32
 * memory: the CPU backend widens a bf16 checkpoint's matrices once per pass (16 MiB at a time), and the Java route
 * (a loop per element to the heap, then a copy to native memory) cost about a tenth of a Qwen2.5-0.5B pass at 1×512.
 * {@code -Dprovtrace.cpu.widen=java} keeps the Java route, for comparison.
 */
final class NativeWiden {
    private static Boolean usable;

    private NativeWiden() {}

    /** Whether this build and CPU run it and it was not turned off (checked once). */
    static synchronized boolean usable() {
        if (usable == null) usable = !"java".equals(System.getProperty("provtrace.cpu.widen")) && NativeSoftmax.cpuSupported();
        return usable;
    }

    /** The n bf16 values of {@code bf16} (a direct little-endian buffer, from position 0) widened to fp32 at {@code dst}. */
    static void widen(ByteBuffer bf16, long dst, long n) {
        if (!bf16.isDirect()) throw new IllegalArgumentException("not a direct buffer");
        if (bf16.capacity() < 2 * n) throw new IllegalArgumentException("a buffer of " + bf16.capacity() + " bytes holds fewer than " + n + " bf16 values");
        try (BytePointer src = new BytePointer(bf16)) {
            widen0(src.address(), dst, n);
        }
        java.lang.ref.Reference.reachabilityFence(bf16);   // the map window outlives the native read
    }

    private static native void widen0(long src, long dst, long n);
}
