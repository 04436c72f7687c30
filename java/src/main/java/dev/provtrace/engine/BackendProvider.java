package dev.provtrace.engine;

import java.io.IOException;

/**
 * One kind of device the engine can run on, found through {@link java.util.ServiceLoader} (META-INF/services), so
 * that the CPU path never references an accelerator's classes: {@code --device NAME} picks the provider whose
 * {@link #device()} is NAME.
 */
public interface BackendProvider {
    /** The name {@code --device} takes: "cpu", "cuda-emu". */
    String device();

    /** Whether {@code --device name} means this provider (the cuda provider takes cuda and cuda:N). */
    default boolean accepts(String name) { return device().equals(name); }

    /** Whether a machine where this provider is available should use it when no --device is given (a GPU). */
    default boolean preferredByDefault() { return false; }

    /** Whether this build and machine can open it (the emulated device needs its native library in the jar). */
    boolean available();

    /** Why {@link #available()} is false, for the error message (null: the generic one). */
    default String unavailableReason() { return null; }

    /**
     * Null when this provider runs {@code precision}, else why not. fp32 and bf16 run everywhere; fp16 only where a
     * provider says so (the CPU, on AVX512-FP16).
     */
    default String whyNot(Precision precision) {
        return precision == Precision.FP16
                ? "--precision fp16 runs on --device cpu only (AVX512-FP16 GEMMs); --device " + device() + " has fp32 and bf16"
                : null;
    }

    /** What the first line on stderr says about it, e.g. "cuda-emu (emulated CUDA device, slow; for tests), fp32". */
    String describe(EngineOptions options);

    /** A new backend; the caller closes it. */
    Backend open(EngineOptions options) throws IOException;

    /**
     * A backend for the op tests ({@code provtrace test-ops}): chunk sizes small enough that the tests' small shapes
     * cross them (the LM head in {@code vocabChunk}-token chunks, bf16 weights widened {@code widenSlice} floats at a
     * time) and guard regions around every buffer where the backend has them. The default ignores the sizes.
     */
    default Backend openForOpTests(EngineOptions options, int vocabChunk, int widenSlice) throws IOException {
        return open(options);
    }
}
