package dev.provtrace.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Refuses, before anything is written, an output that is an input of the same command: the same path, or one
 * that resolves to it (symbolic links, {@code ./x} for {@code x}, hard links: the same file on disk). Writing it
 * would destroy the input the command is still reading.
 */
public final class OutputGuard {
    private OutputGuard() {}

    /**
     * @param outputOption how the output was given, for the message ({@code --output})
     * @param inputOption  how the input was given ({@code --input})
     * @throws IllegalArgumentException {@code --output c.jsonl is the same file as --input c.jsonl: refusing to overwrite the input}
     */
    public static void refuseInput(String outputOption, Path output, String inputOption, Path input) throws IOException {
        if (sameFile(output, input)) {
            throw new IllegalArgumentException(outputOption + " " + output + " is the same file as " + inputOption + " "
                    + input + ": refusing to overwrite the input");
        }
    }

    /** An option naming a folder of outputs cannot be standard output. */
    public static void refuseStandardStream(String folderOption, Path folder) {
        if (AtomicOutput.isStandardStream(folder)) {
            throw new IllegalArgumentException(folderOption + " names a folder of outputs; - (standard output) cannot be one");
        }
    }

    /** Two outputs of one run that are one file: the second would silently replace the first. */
    public static void refuseSame(String firstOption, Path first, String secondOption, Path second) throws IOException {
        if (AtomicOutput.isStandardStream(first) && AtomicOutput.isStandardStream(second)) {
            throw new IllegalArgumentException(firstOption + " and " + secondOption + " are both standard output");
        }
        if (sameFile(first, second) || !AtomicOutput.isStandardStream(first)
                && first.toAbsolutePath().normalize().equals(second.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException(firstOption + " " + first + " is the same file as " + secondOption + " "
                    + second + ": each output needs its own file");
        }
    }

    /**
     * True when both name one existing regular file. Only regular files count: a terminal or /dev/null can be
     * both an input and an output without harm, and standard streams are no paths at all.
     */
    static boolean sameFile(Path a, Path b) throws IOException {
        if (a == null || b == null || AtomicOutput.isStandardStream(a) || AtomicOutput.isStandardStream(b)) return false;
        if (!Files.isRegularFile(a) || !Files.isRegularFile(b)) return false;
        return Files.isSameFile(a, b);
    }
}
