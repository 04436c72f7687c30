package dev.provtrace.engine.cuda;

import dev.provtrace.engine.Backend;
import dev.provtrace.engine.BackendProvider;
import dev.provtrace.engine.EngineOptions;

import java.io.IOException;

/**
 * {@code --device cuda[:N]}: the CUDA backend on a real GPU (JCuda driver API, cuBLAS through native/cublas). The
 * default device when a usable GPU is found. Nothing here runs on a machine without a driver: {@link #available()}
 * is then false and opening it fails with the "no GPU or driver" message.
 */
public final class CudaProvider implements BackendProvider {
    private static final int VOCAB_CHUNK = 8192;
    private volatile String unavailable;

    @Override
    public String device() { return "cuda"; }

    @Override
    public boolean accepts(String name) { return CudaDeviceSpec.isCuda(name); }

    @Override
    public boolean preferredByDefault() { return true; }

    @Override
    public boolean available() {
        try {
            JCudaDevice.loadDriver();
        } catch (IllegalStateException e) {
            unavailable = e.getMessage();
            return false;
        }
        if (!JCudaDevice.usable()) {
            unavailable = CudaErrors.message("cuInit/cuDeviceGetCount", CudaErrors.NO_DEVICE, "?", CudaKernels.TARGETS);
            return false;
        }
        return true;
    }

    @Override
    public String unavailableReason() {
        if (unavailable == null && !available()) return unavailable;
        return unavailable;
    }

    @Override
    public String describe(EngineOptions options) {
        return options.device() + " (NVIDIA GPU through the CUDA driver API), " + options.precision().describeNative("bf16 × bf16 cuBLAS GEMMs, fp32 accumulation") + "; GEMMs on cuBLAS";
    }

    @Override
    public Backend open(EngineOptions options) throws IOException {
        return open(options, VOCAB_CHUNK, 0);
    }

    /** The real device with the op tests' small LM-head chunks and guards (cuBLAS needs no widening slices). */
    @Override
    public Backend openForOpTests(EngineOptions options, int vocabChunk, int widenSlice) throws IOException {
        return open(options, vocabChunk, CudaBackend.TEST_GUARD);
    }

    private Backend open(EngineOptions options, int vocabChunk, int guard) throws IOException {
        JCudaDevice device = new JCudaDevice(CudaDeviceSpec.parse(options.device()));
        try {
            CublasGemm gemm = new CublasGemm(CublasLibrary.load());
            gemm.setStream(device.stream());
            System.err.println("device: " + device.describe() + "; " + gemm.describe());
            return new CudaBackend(device, gemm, vocabChunk, guard).batchInvariant(options.batchInvariant());
        } catch (IOException | RuntimeException e) {
            device.close();
            throw e;
        }
    }
}
