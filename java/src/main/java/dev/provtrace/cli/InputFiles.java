package dev.provtrace.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** The message for an --input that cannot be read as a file: missing, a folder, or something else. */
final class InputFiles {
    private InputFiles() {}

    /** "x: input file not found", "--input x: is a folder, not an input file", or "x: not a regular file". */
    static String notAFile(Path input) {
        if (Files.isDirectory(input)) return "--input " + input + ": is a folder, not an input file";
        if (Files.exists(input)) return input + ": not a regular file";
        return input + ": input file not found";
    }
}
