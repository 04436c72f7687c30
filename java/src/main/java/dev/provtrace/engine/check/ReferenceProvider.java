package dev.provtrace.engine.check;

import dev.provtrace.engine.Backend;
import dev.provtrace.engine.BackendProvider;
import dev.provtrace.engine.EngineOptions;

/**
 * {@code --device reference}: the naive oracle as a device, so any command can score with it to check a number by
 * hand (very slow: for tiny models and single records).
 */
public final class ReferenceProvider implements BackendProvider {
    @Override
    public String device() { return "reference"; }

    @Override
    public boolean available() { return true; }

    @Override
    public String describe(EngineOptions options) {
        return "reference (naive scalar ops with double sums; the op tests' oracle, very slow), " + options.precision().describeNative("double sums");
    }

    @Override
    public Backend open(EngineOptions options) { return new ReferenceBackend(); }
}
