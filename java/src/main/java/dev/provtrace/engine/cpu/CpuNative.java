package dev.provtrace.engine.cpu;

import dev.provtrace.engine.NativeLibrary;

import java.io.IOException;

/**
 * The CPU backend's own native kernels, native/cpu ({@code libprovtrace_cpu.so}): the fp16 GEMM ({@link Fp16Gemm}),
 * the fused attention ({@link NativeAttention}), the attention softmax ({@link NativeSoftmax}) and the bf16 widening ({@link NativeWiden}). Loaded once; each kernel then asks the CPU whether it can run.
 */
final class CpuNative {
    private static final String LIBRARY = "libprovtrace_cpu.so";
    private static String whyNot;
    private static boolean tried;

    private CpuNative() {}

    /** Null once the library is loaded, else why it is not (tried once). */
    static synchronized String whyNotLoaded() {
        if (!tried) {
            tried = true;
            whyNot = load();
        }
        return whyNot;
    }

    private static String load() {
        String arch = System.getProperty("os.arch", "");
        if (!arch.equals("amd64")) return "it needs an x86-64 CPU with AVX-512, this is " + arch;
        try {
            NativeLibrary.load(LIBRARY, "CPU kernel library", "this build has no CPU kernel library (" + LIBRARY
                    + "): building it needs gcc ≥ 12 and cmake (see native/README.md)");
            return null;
        } catch (IOException | UnsatisfiedLinkError e) {
            return e.getMessage();
        }
    }
}
