package dev.provtrace.io;

import java.nio.file.Path;

/**
 * A child JVM for lock tests: takes {@link RunLock#acquire} on the file given, prints "locked", and holds the lock
 * until its stdin closes (or it is killed).
 */
public final class LockHolder {
    private LockHolder() {}

    public static void main(String[] args) throws Exception {
        try (RunLock lock = RunLock.acquire(Path.of(args[0]), args[0], "--out")) {
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) { }
        }
    }

    /** Starts a child JVM holding the lock of {@code lockFile}; returns once it holds it. */
    public static Process start(Path lockFile) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), lockFile.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
        if (!"locked".equals(line)) {
            p.destroyForcibly();
            throw new IllegalStateException("the lock holder did not start: " + line);
        }
        return p;
    }
}
