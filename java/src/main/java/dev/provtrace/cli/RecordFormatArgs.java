package dev.provtrace.cli;

import dev.provtrace.io.FileFormat;
import picocli.CommandLine.Option;

/** trace's and classify's record files: JSON lines always, Parquet copies on request (a picocli mixin). */
final class RecordFormatArgs {
    @Option(names = "--format", paramLabel = "jsonl|parquet", defaultValue = "jsonl",
            description = "parquet: also write sentences.parquet and trajectories.parquet (typed columns for pandas, pyarrow, "
                    + "HF datasets) beside the JSONL files, which the other commands read (default ${DEFAULT-VALUE})")
    String format;

    boolean parquet() {
        return FileFormat.parse(format) == FileFormat.PARQUET;
    }
}
