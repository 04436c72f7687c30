package dev.provtrace.engine;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** The backend providers of this build, looked up by {@code --device} name. */
public final class Backends {
    public static final String DEFAULT_DEVICE = "cpu";

    private Backends() {}

    /** Every provider registered in META-INF/services, available or not. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> out = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) out.add(p);
        return out;
    }

    /** The provider named {@code device}; an unknown or unavailable one is an error naming the devices there are. */
    public static BackendProvider provider(String device) {
        List<String> names = new ArrayList<>();
        for (BackendProvider p : providers()) {
            if (p.accepts(device)) {
                if (!p.available()) {
                    throw new IllegalArgumentException("--device " + device + " is not available: " + unavailableReason(device));
                }
                return p;
            }
            names.add(p.device());
        }
        throw new IllegalArgumentException("--device " + device + " is unknown (this build has: " + String.join(", ", names) + ")");
    }

    private static String unavailableReason(String device) {
        if (device.startsWith("cuda-emu")) {
            return "the emulated CUDA device library was not built (it needs g++, cmake and the CUDA toolkit's headers; see native/README.md)";
        }
        for (BackendProvider p : providers()) {
            if (p.accepts(device) && p.unavailableReason() != null) return p.unavailableReason();
        }
        return "its native parts are missing";
    }

    /** The device used when no --device is given: the first available provider preferred by default (a GPU), else cpu. */
    public static String defaultDevice() {
        for (BackendProvider p : providers()) {
            if (p.preferredByDefault() && p.available()) return p.device();
        }
        return DEFAULT_DEVICE;
    }

    public static Backend open(EngineOptions options) throws IOException {
        return provider(options).open(options);
    }

    /** The provider of {@code options}' device, once it has said it runs their precision (else an error saying why). */
    public static BackendProvider provider(EngineOptions options) {
        BackendProvider p = provider(options.device());
        String why = p.whyNot(options.precision());
        if (why != null) throw new IllegalArgumentException(why);
        return p;
    }

    private static WeakReference<EngineOptions> announced = new WeakReference<>(null);

    /**
     * Writes {@link #deviceLine} to stderr the first time a model is loaded with this very options object (one
     * command: the three models of a trace share one), so the first line a scoring command writes once its inputs
     * have passed their checks names the device; errors found before any model loads stay the only output.
     */
    static synchronized void announce(EngineOptions options) {
        if (announced.get() == options) return;
        System.err.println(deviceLine(options));
        announced = new WeakReference<>(options);
    }

    /** The line a scoring command writes first on stderr, e.g. "device: cpu (OpenBLAS sgemm + Vector API), fp32". */
    public static String deviceLine(EngineOptions options) {
        return "device: " + provider(options).describe(options);
    }
}
