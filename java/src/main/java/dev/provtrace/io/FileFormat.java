package dev.provtrace.io;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * The file format of a record output: JSON lines, or Parquet (columns typed from the records, for pandas, pyarrow
 * and HF datasets). Chosen by {@code --format} when given, else by the output's name ({@code .parquet}); a name
 * that says another data format (.csv, .json, .arrow, .gz, ...) is refused rather than filled with JSON lines, and
 * so is a {@code --format} that contradicts the name.
 */
public enum FileFormat {
    JSONL, PARQUET;

    /** Names of data formats we do not write: an output so named would be read as what it is not. */
    private static final Set<String> OTHER_FORMATS = Set.of("json", "csv", "tsv", "arrow", "feather", "ipc", "orc",
            "avro", "xlsx", "xls", "h5", "hdf5", "pkl", "pickle", "npy", "npz", "pq", "gz", "bz2", "xz", "zst", "zstd", "zip",
            "tar", "lance", "sqlite", "db");

    /** A {@code --format} value: jsonl or parquet (any case). */
    public static FileFormat parse(String format) {
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "jsonl" -> JSONL;
            case "parquet" -> PARQUET;
            default -> throw new IllegalArgumentException("--format must be jsonl or parquet, got " + format);
        };
    }

    /**
     * The format of {@code output} (named by {@code option} in messages): {@code asked} ("jsonl", "parquet" or null)
     * first, then the name; "-" and devices are JSONL unless asked otherwise.
     */
    public static FileFormat of(Path output, String option, String asked) {
        String name = output.getFileName() == null ? "" : output.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        String ext = dot > 0 ? name.substring(dot + 1) : "";
        if (OTHER_FORMATS.contains(ext)) {
            throw new IllegalArgumentException(option + " " + output + ": ." + ext + " names a format provtrace does not write; "
                    + "name the output .jsonl (JSON lines) or .parquet");
        }
        FileFormat named = ext.equals("parquet") ? PARQUET : ext.equals("jsonl") || ext.equals("ndjson") ? JSONL : null;
        if (asked == null) return named == null ? JSONL : named;
        FileFormat want = parse(asked);
        if (named != null && named != want) {
            throw new IllegalArgumentException("--format " + asked + " contradicts " + option + " " + output + "; name it ."
                    + (want == PARQUET ? "parquet" : "jsonl") + " or leave --format out");
        }
        return want;
    }
}
