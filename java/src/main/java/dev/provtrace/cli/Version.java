package dev.provtrace.cli;

import picocli.CommandLine;

/** Version from the jar manifest (set by Maven), "dev" when run from classes. */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"provtrace " + (v != null ? v : "dev"), "Java " + System.getProperty("java.version")};
    }
}
