package dev.provtrace.engine.cuda;

import java.util.List;

/**
 * What a failed driver call means for the user. The JCuda calls stay thin: each passes its CUresult code here, and
 * every message a GPU run can end with is decided (and tested) in this class, without a GPU.
 */
public final class CudaErrors {
    /** CUresult values from the CUDA driver API (stable across CUDA 11 to 13). */
    public static final int SUCCESS = 0, OUT_OF_MEMORY = 2, NOT_INITIALIZED = 3, INSUFFICIENT_DRIVER = 35,
            NO_DEVICE = 100, INVALID_DEVICE = 101, INVALID_IMAGE = 200, NO_BINARY_FOR_GPU = 209, NOT_FOUND = 500;

    /** The oldest driver the CUDA 12.x JCuda and our fatbins run under, as cuDriverGetVersion reports it (12.0). */
    public static final int MIN_DRIVER_VERSION = 12000;

    private CudaErrors() {}

    /** libcuda.so.1 could not be loaded at all. */
    public static String noDriver(String loadError) {
        return "no GPU or driver: libcuda.so.1 could not be loaded (" + loadError + "); use --device cpu, or run on a machine "
                + "with an NVIDIA driver installed";
    }

    /** cuDriverGetVersion's value as "13.0". */
    public static String versionText(int driverVersion) {
        return (driverVersion / 1000) + "." + (driverVersion % 1000 / 10);
    }

    /** Null when the driver is new enough, else the message. */
    public static String driverTooOld(int driverVersion) {
        if (driverVersion >= MIN_DRIVER_VERSION) return null;
        return "the NVIDIA driver is too old: it supports CUDA " + versionText(driverVersion) + ", provtrace needs CUDA "
                + versionText(MIN_DRIVER_VERSION) + " or newer (update the driver, or use --device cpu)";
    }

    /**
     * The message for a failed call {@code call} (e.g. "cuModuleLoadData(attention.fatbin)"); {@code computeCapability}
     * (e.g. "9.0") and {@code buildTargets} name the GPU and the build's targets for a missing kernel image.
     */
    public static String message(String call, int code, String computeCapability, List<String> buildTargets) {
        return switch (code) {
            case NO_DEVICE -> "no GPU or driver: the driver found no CUDA device (" + call + "); use --device cpu";
            case NOT_INITIALIZED -> "no GPU or driver: the CUDA driver did not initialise (" + call + ")";
            case INSUFFICIENT_DRIVER -> "the NVIDIA driver is too old for this build (CUDA " + versionText(MIN_DRIVER_VERSION)
                    + " or newer is needed; " + call + " returned CUDA_ERROR_INSUFFICIENT_DRIVER)";
            case NO_BINARY_FOR_GPU, INVALID_IMAGE -> "no kernel image for this GPU (compute capability " + computeCapability
                    + "): the build has " + String.join(", ", buildTargets) + " (" + call + " returned "
                    + (code == NO_BINARY_FOR_GPU ? "CUDA_ERROR_NO_BINARY_FOR_GPU" : "CUDA_ERROR_INVALID_IMAGE") + ")";
            case OUT_OF_MEMORY -> "out of device memory in " + call;
            case INVALID_DEVICE -> "invalid CUDA device (" + call + ")";
            case NOT_FOUND -> call + ": not found (CUDA_ERROR_NOT_FOUND)";
            default -> call + " failed with CUresult " + code;
        };
    }
}
