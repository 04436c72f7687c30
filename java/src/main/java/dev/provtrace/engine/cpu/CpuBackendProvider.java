package dev.provtrace.engine.cpu;

import dev.provtrace.engine.Backend;
import dev.provtrace.engine.BackendProvider;
import dev.provtrace.engine.EngineOptions;

/** {@code --device cpu}: OpenBLAS + the Vector API (the default). */
public final class CpuBackendProvider implements BackendProvider {
    @Override
    public String device() { return "cpu"; }

    @Override
    public boolean available() { return true; }

    @Override
    public String describe(EngineOptions options) {
        return "cpu (" + TiledSgemm.planned() + " + Vector API, " + options.threads() + " threads), " + options.precision().describeEmulated();
    }

    @Override
    public Backend open(EngineOptions options) {
        if (options.batchInvariant()) {
            throw new IllegalArgumentException("--batch-invariant is built for the CUDA backend (--device cuda or cuda-emu); on cpu a"
                    + " text's numbers depend on its batch by fp32 rounding only (below 1e-5), not bitwise");
        }
        return new CpuBackend(options.threads());
    }
}
