package dev.provtrace.io;

import java.nio.file.Path;

/**
 * A child JVM for {@link AtomicOutputTest}: opens an output (its temp file locked, as a run that is writing), says
 * so on stdout, writes a little and waits to be killed, as a run is by kill -9 halfway through.
 */
final class TempFileHolder {
    private TempFileHolder() {}

    public static void main(String[] args) throws Exception {
        AtomicOutput out = AtomicOutput.open(Path.of(args[0]));
        out.stream().write("half a line".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        System.out.println("writing");
        System.out.flush();
        System.in.read();   // until killed (or stdin closes)
        out.close();
    }
}
