package dev.provtrace.io;

import java.util.function.Consumer;

/**
 * Where loaders send things a user should hear about but that do not stop the run (e.g. a tensor the index does
 * not list). A plain {@code Consumer<String>} so tests can collect warnings into a list.
 */
public final class Warnings {
    private Warnings() {}

    /** The default sink: one "warning: ..." line per warning on stderr, so stdout stays clean for results. */
    public static Consumer<String> toStderr() {
        return message -> System.err.println("warning: " + message);
    }
}
