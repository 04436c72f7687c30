package dev.provtrace.cli;

import dev.provtrace.io.JsonlReader;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.util.Locale;

/** The options of every command that reads input records (a picocli mixin). */
final class RecordArgs {
    @Option(names = "--max-line-bytes", defaultValue = "64MiB", paramLabel = "N", converter = ByteSize.class,
            description = "reject input lines longer than N bytes (K, M, G, KiB, MiB, GiB allowed); they are streamed past,"
                    + " never held in memory, and reported with their line number (default ${DEFAULT-VALUE})")
    long maxLineBytes = JsonlReader.DEFAULT_MAX_LINE_BYTES;

    /** "1000", "64M", "64MiB", "2g": bytes; anything else, or less than 1, is a usage error. */
    static final class ByteSize implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String s = value.trim().toLowerCase(Locale.ROOT);
            long unit = 1;
            for (String[] u : new String[][] {{"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"},
                    {"k", "1024"}, {"m", "1048576"}, {"g", "1073741824"}, {"b", "1"}}) {
                if (s.endsWith(u[0])) {
                    unit = Long.parseLong(u[1]);
                    s = s.substring(0, s.length() - u[0].length()).trim();
                    break;
                }
            }
            long n;
            try {
                n = Math.multiplyExact(Long.parseLong(s), unit);
            } catch (NumberFormatException | ArithmeticException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a size in bytes (e.g. 1000, 64MiB)");
            }
            if (n < 1) throw new CommandLine.TypeConversionException("must be at least 1 byte, got '" + value + "'");
            return n;
        }
    }
}
