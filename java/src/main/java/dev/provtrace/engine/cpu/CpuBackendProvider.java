package dev.provtrace.engine.cpu;

import dev.provtrace.engine.Backend;
import dev.provtrace.engine.BackendProvider;
import dev.provtrace.engine.EngineOptions;
import dev.provtrace.engine.Precision;

/** {@code --device cpu}: OpenBLAS + the Vector API (the default). */
public final class CpuBackendProvider implements BackendProvider {
    @Override
    public String device() { return "cpu"; }

    @Override
    public boolean available() { return true; }

    @Override
    public String whyNot(Precision precision) {
        if (precision != Precision.FP16) return null;
        String why = Fp16Gemm.whyNot();
        return why == null ? null : "--precision fp16 cannot run here: " + why;
    }

    @Override
    public String describe(EngineOptions options) {
        String gemms = options.precision() == Precision.FP16 ? Fp16Matmul.DESCRIPTION : TiledSgemm.planned();
        return "cpu (" + gemms + " + Vector API, " + options.threads() + " threads), " + options.precision().describeEmulated();
    }

    @Override
    public Backend open(EngineOptions options) {
        if (options.batchInvariant()) {
            throw new IllegalArgumentException("--batch-invariant is built for the CUDA backend (--device cuda or cuda-emu); on cpu a"
                    + " text's numbers depend on its batch by fp32 rounding only (below 1e-5), not bitwise");
        }
        return new CpuBackend(options.threads(), options.precision() == Precision.FP16);
    }
}
