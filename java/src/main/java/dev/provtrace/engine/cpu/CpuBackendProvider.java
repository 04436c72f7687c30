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
        if (precision == Precision.BF16) {
            try {
                OneDnnBf16Gemm.chosen();   // refuses only provtrace.cpu.bf16=onednn where oneDNN cannot run it
                return null;
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
        }
        if (precision != Precision.FP16) return null;
        String why = Fp16Gemm.whyNot();
        return why == null ? null : "--precision fp16 cannot run here: " + why;
    }

    @Override
    public String describe(EngineOptions options) {
        if (bf16Gemms(options)) {
            return "cpu (" + Bf16Matmul.description() + ", the others on " + TiledSgemm.planned() + " + Vector API, " + options.threads()
                    + " threads), bf16 (GEMM inputs rounded to bf16; bf16 weights' GEMMs bf16×bf16 with fp32 sums, the others fp32)";
        }
        String gemms = options.precision() == Precision.FP16 ? Fp16Matmul.DESCRIPTION : TiledSgemm.planned();
        return "cpu (" + gemms + " + Vector API, " + options.threads() + " threads), " + options.precision().describeEmulated();
    }

    /** --precision bf16 with its bf16 weights' GEMMs on oneDNN ({@link OneDnnBf16Gemm#chosen}). */
    private static boolean bf16Gemms(EngineOptions options) {
        return options.precision() == Precision.BF16 && OneDnnBf16Gemm.chosen();
    }

    @Override
    public Backend open(EngineOptions options) {
        if (options.batchInvariant()) {
            throw new IllegalArgumentException("--batch-invariant is built for the CUDA backend (--device cuda or cuda-emu); on cpu a"
                    + " text's numbers depend on its batch by fp32 rounding only (below 1e-5), not bitwise");
        }
        return new CpuBackend(options.threads(), options.precision() == Precision.FP16, bf16Gemms(options));
    }
}
