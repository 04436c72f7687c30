package dev.provtrace.engine.cuda;

import dev.provtrace.engine.NativeLibrary;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The CUDA device emulated on the CPU (native/cuda_host): the very kernels of kernels/*.cu, compiled by g++, run
 * one emulated thread per fiber; launches take the grid, block, dynamic shared memory and arguments a real device
 * would get. Device memory is host memory, aligned as cuMemAlloc's, so tests can look at it through
 * {@link #view}. A slow test device: it exists so that CI, which has no GPU, runs the CUDA backend's every launch.
 */
public final class EmulatedDevice {
    private static final String LIBRARY = "libprovtrace_cudaemu.so";
    private static volatile boolean loaded;

    private EmulatedDevice() {}

    /** Loads the emulator library (from the jar, or from {@code -Dprovtrace.native.dir}); an error says why not. */
    public static synchronized void load() throws IOException {
        if (loaded) return;
        NativeLibrary.load(LIBRARY, "emulated CUDA device library", "this build has no emulated CUDA device: building it needs g++,"
                + " cmake and the CUDA toolkit's headers (see native/README.md)");
        loaded = true;
    }

    /** True when this build carries the emulator library. */
    public static boolean available() {
        return NativeLibrary.bundled(LIBRARY);
    }

    /** Allocates device memory (256-byte aligned, uninitialised). */
    public static long malloc(long bytes) {
        long address = malloc0(bytes);
        if (address == 0) throw new OutOfMemoryError("emulated device: cannot allocate " + bytes + " bytes");
        return address;
    }

    public static void free(long address) { free0(address); }

    /** The device bytes [address, address + bytes) as a little-endian direct buffer (valid until freed). */
    public static ByteBuffer view(long address, long bytes) {
        if (bytes > Integer.MAX_VALUE) throw new IllegalArgumentException("a view is at most 2 GiB, asked for " + bytes + " bytes");
        return view0(address, bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Runs a kernel to completion; throws with the device's message when it cannot run or does not finish. */
    public static void launch(String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
        String error = launch0(kernel, grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(), sharedBytes,
                args.values(), args.sizes());
        if (error != null) throw new IllegalStateException("emulated device: " + error);
    }

    private static native long malloc0(long bytes);

    private static native void free0(long address);

    private static native ByteBuffer view0(long address, long bytes);

    private static native String launch0(String kernel, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes,
                                         long[] values, int[] sizes);
}
