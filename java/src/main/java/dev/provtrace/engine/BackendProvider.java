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

    /** Whether this build and machine can open it (the emulated device needs its native library in the jar). */
    boolean available();

    /** What the first line on stderr says about it, e.g. "cuda-emu (emulated CUDA device, slow; for tests), fp32". */
    String describe(EngineOptions options);

    /** A new backend; the caller closes it. */
    Backend open(EngineOptions options) throws IOException;
}
