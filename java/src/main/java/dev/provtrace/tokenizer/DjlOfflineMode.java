package dev.provtrace.tokenizer;

/**
 * Keeps DJL's tokenizer binding off the network. Call {@link #enable()} before the first DJL class is touched.
 *
 * <p>Why: without it, DJL 0.38 (a) calls {@code Ec2Utils.callHome}, which probes the EC2 metadata endpoint and
 * sends a telemetry request, each time a tokenizer is created, and (b) on a machine with CUDA picks a "cuXXX"
 * flavour of the native library, which is not inside the jar, and tries to download it. In offline mode DJL skips
 * the telemetry and always uses the CPU library bundled in the jar, which it copies once to its cache folder
 * ({@code $ENGINE_CACHE_DIR}, else {@code $DJL_CACHE_DIR}, else {@code ~/.djl.ai}, then
 * {@code tokenizers/<version>-cpu-<os>/}). Tokenization has nothing to gain from a GPU.
 *
 * <p>A user's own setting wins: the properties are only set when absent (DJL reads the environment variables
 * {@code DJL_OFFLINE} / {@code OPT_OUT_TRACKING} before the system properties).
 */
final class DjlOfflineMode {
    static final String OFFLINE_PROPERTY = "ai.djl.offline";
    static final String OPT_OUT_TRACKING_PROPERTY = "OPT_OUT_TRACKING";

    private DjlOfflineMode() {}

    static void enable() {
        setIfAbsent(OFFLINE_PROPERTY, "true");
        setIfAbsent(OPT_OUT_TRACKING_PROPERTY, "true");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
