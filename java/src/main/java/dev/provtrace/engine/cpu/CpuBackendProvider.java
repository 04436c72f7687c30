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
        return "cpu (OpenBLAS sgemm + Vector API, " + options.threads() + " threads), " + options.precision().describeEmulated();
    }

    @Override
    public Backend open(EngineOptions options) { return new CpuBackend(options.threads()); }
}
