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

    /** Whether the tests run on {@code device} here (see {@link #inThisBuild()}). */
    public static boolean runsOn(String device) {
        return inThisBuild().contains(device);
    }
}
