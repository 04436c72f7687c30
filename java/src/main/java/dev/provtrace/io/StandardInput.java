package dev.provtrace.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code --input -}: standard input. A command that reads its input once reads the stream as it comes
 * ({@link #open}); one that reads its input in several passes ({@link ValidatedJsonl}: trace, select) first copies
 * it, once, to a file of its own with a fixed name ({@link #SPOOL_FILE} in its cache folder) and reads that; the
 * copy is replaced by the next such run and its line numbers are the ones messages give.
 */
public final class StandardInput {
    /** The copy of standard input a multi-pass command reads. */
    public static final String SPOOL_FILE = "stdin.jsonl";

    private StandardInput() {}

    public static boolean isStandardInput(Path input) { return AtomicOutput.isStandardStream(input); }

    /** Standard input for {@code -}, else the file. Closing the stream leaves standard input open. */
    public static InputStream open(Path input) throws IOException {
        if (!isStandardInput(input)) return Files.newInputStream(input);
        return new FilterInputStream(System.in) {
            @Override public void close() { }
        };
    }

    /**
     * Checks an input path before any work: standard input, or an existing file (a FIFO is fine for a command that
     * reads once); a folder or a missing file is an error naming the option.
     */
    public static void check(String option, Path input) {
        if (isStandardInput(input)) return;
        if (Files.isDirectory(input)) throw new IllegalArgumentException(option + " " + input + ": is a folder, not an input file");
        if (!Files.exists(input)) throw new IllegalArgumentException(input + ": input file not found");
    }

    /**
     * The input as a file that can be read again and again: the file itself, or for {@code -} (or a FIFO, which
     * can be read only once too) a copy written to {@code folder}/{@link #SPOOL_FILE}.
     */
    public static Path rereadable(Path input, Path folder, PrintStream messages) throws IOException {
        if (!isStandardInput(input) && Files.isRegularFile(input)) return input;
        Path spool = folder.resolve(SPOOL_FILE);
        OutputGuard.refuseInput("the copy of the input", spool, "--input", input);
        try (InputStream in = open(input); AtomicOutput out = AtomicOutput.open(spool)) {
            long bytes = in.transferTo(out.stream());
            out.commit();
            messages.printf("%s copied to %s (%d bytes) to be read in passes%n",
                    isStandardInput(input) ? "standard input" : input.toString(), spool, bytes);
        }
        return spool;
    }
}
