package dev.provtrace.io.parquet;

import dev.provtrace.io.AtomicOutput;
import dev.provtrace.io.RejectedFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A Parquet output is made from JSON lines staged beside it ({@code .<name>.staging.jsonl}; a temp file for
 * standard output or a device), written by the same code as a JSONL output — so resuming, atomic writes and the
 * list of rejected records work the same — then converted in one go ({@link JsonlToParquet}) and removed. If the
 * conversion fails, the staged lines are kept and the error says where.
 */
public final class ParquetStaging {
    private ParquetStaging() {}

    /** Where the JSON lines for {@code output} are staged (the same path on a rerun, so a killed run resumes). */
    public static Path stagingFor(Path output) throws IOException {
        Path target = AtomicOutput.atomicTarget(output);
        if (target == null) return Files.createTempFile("provtrace-", ".staging.jsonl");
        return target.resolveSibling("." + target.getFileName() + ".staging.jsonl");
    }

    /**
     * Converts the staged lines into {@code output}, moves their rejected-records file to the output's, and removes
     * the staged lines; returns the rows written.
     */
    public static long finish(Path staged, Path output) throws IOException {
        long rows;
        try {
            rows = JsonlToParquet.convert(staged, output);
        } catch (IOException | RuntimeException e) {
            throw new IOException("writing " + AtomicOutput.describe(output) + " as Parquet failed (" + e.getMessage()
                    + "); the records are kept as JSON lines in " + staged, e);
        }
        Path rejected = RejectedFile.besideOutput(staged), wanted = RejectedFile.besideOutput(output);
        if (rejected != null && Files.exists(rejected)) {
            if (wanted != null) Files.move(rejected, wanted, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            else Files.delete(rejected);   // no file beside a stream: the records were reported on stderr
        }
        Files.delete(staged);
        return rows;
    }
}
