package dev.provtrace.engine;

import java.util.ArrayList;
import java.util.List;

/** The devices the tests run on, in one place. */
public final class TestDevices {
    private TestDevices() {}

    /**
     * Every device this build and machine can open (cpu first), with the emulated ones required in CI (there a
     * missing one fails instead of being left out) and a real GPU only where one is usable (never in CI).
     */
    public static List<String> inThisBuild() {
        List<String> out = new ArrayList<>();
        for (BackendProvider p : Backends.providers()) {
            if (p.available() || !p.preferredByDefault() && "true".equals(System.getenv("CI"))) out.add(p.device());
        }
        return out;
    }

    /**
     * The precisions the tests run on {@code device}: fp32 and bf16 everywhere, fp16 where the device runs it here,
     * and in CI on cpu wherever the CPU has AVX512-FP16 (so a build that lost the fp16 library fails, not skips).
     */
    public static List<Precision> precisions(String device) {
        List<Precision> out = new ArrayList<>(List.of(Precision.FP32, Precision.BF16));
        if (fp16Runs(device)) out.add(Precision.FP16);
        return out;
    }

    /** Whether the tests run fp16 on {@code device} (see {@link #precisions}). */
    public static boolean fp16Runs(String device) {
        if (Backends.provider(device).whyNot(Precision.FP16) == null) return true;
        return device.equals("cpu") && "true".equals(System.getenv("CI")) && cpuHasAvx512Fp16();
    }

    private static boolean cpuHasAvx512Fp16() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/cpuinfo")).matches("(?s).*\\bavx512_fp16\\b.*");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Whether the tests run on {@code device} here (see {@link #inThisBuild()}). */
    public static boolean runsOn(String device) {
        return inThisBuild().contains(device);
    }
}
