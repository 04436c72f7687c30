package dev.provtrace.engine.cuda;

import dev.provtrace.engine.Backend;
import dev.provtrace.engine.BackendProvider;
import dev.provtrace.engine.EngineOptions;

import java.io.IOException;

/** {@code --device cuda-emu}: the CUDA backend on the emulated device (slow; for tests and CI). */
public final class EmulatedCudaProvider implements BackendProvider {
    @Override
    public String device() { return "cuda-emu"; }

    @Override
    public boolean available() { return EmulatedDevice.available(); }

    @Override
    public String describe(EngineOptions options) {
        return "cuda-emu (emulated CUDA device, slow; for tests), " + options.precision().describeNative("the host GEMMs widen both sides to fp32, exactly") + "; GEMMs on the host (OpenBLAS, " + options.threads() + " threads)";
    }

    @Override
    public Backend open(EngineOptions options) throws IOException {
        EmulatedDevice.load();
        return CudaBackend.emulated(options.threads()).batchInvariant(options.batchInvariant());
    }

    @Override
    public Backend openForOpTests(EngineOptions options, int vocabChunk, int widenSlice) throws IOException {
        EmulatedDevice.load();
        return new CudaBackend(new EmulatedCudaDevice(), new HostGemm(options.threads(), widenSlice), vocabChunk, CudaBackend.TEST_GUARD)
                .batchInvariant(options.batchInvariant());
    }
}
