package dev.provtrace.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Our JNI libraries (native/, built by CMake into the jar under {@code native/linux-x86_64/}): each is loaded from
 * {@code -Dprovtrace.native.dir} when that is set (a build folder, for tests), else copied out of the jar to a
 * temporary file, because a shared object cannot be loaded from inside a jar.
 */
public final class NativeLibrary {
    private static final String RESOURCE_DIR = "/native/linux-x86_64/";

    private NativeLibrary() {}

    /** True when this build carries {@code file} (or -Dprovtrace.native.dir names a folder to look in). */
    public static boolean bundled(String file) {
        return System.getProperty("provtrace.native.dir") != null || NativeLibrary.class.getResource(RESOURCE_DIR + file) != null;
    }

    /**
     * Loads {@code file} ({@code what} names it in errors); {@code missing} is the error when this build does not
     * carry it, saying what building it needs.
     */
    public static void load(String file, String what, String missing) throws IOException {
        String dir = System.getProperty("provtrace.native.dir");
        Path lib;
        if (dir != null) {
            lib = Path.of(dir, file);
            if (!Files.isRegularFile(lib)) throw new IOException(lib + ": " + what + " not found (-Dprovtrace.native.dir)");
        } else {
            try (InputStream in = NativeLibrary.class.getResourceAsStream(RESOURCE_DIR + file)) {
                if (in == null) throw new IOException(missing);
                String stem = file.replaceFirst("^lib", "").replaceFirst("\\.so$", "");
                lib = Files.createTempFile(stem.replace('_', '-') + "-", ".so");
                lib.toFile().deleteOnExit();
                Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        System.load(lib.toAbsolutePath().toString());
    }
}
