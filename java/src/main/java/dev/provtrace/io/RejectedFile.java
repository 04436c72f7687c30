package dev.provtrace.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The records a command left out, one JSON line each: {@code {"line": N, "id": <as given, or null>, "reason": "..."}}
 * in the order they were found. Every command that reads records writes this file on every run, empty when nothing
 * was rejected, so a rejected.jsonl beside an output always belongs to that output (a stale one from an earlier run
 * is replaced). It sits in the output folder ({@code rejected.jsonl}) or, for a single-file output, beside it
 * ({@code <output>.rejected.jsonl}).
 */
public final class RejectedFile {
    public static final String NAME = "rejected.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private RejectedFile() {}

    /**
     * {@code out.jsonl} → {@code out.jsonl.rejected.jsonl}, in the same folder; null when the output is not a file
     * (standard output, a pipe, a device such as /dev/null): then the rejected records are reported on stderr only,
     * never written into a system folder beside a device.
     */
    public static Path besideOutput(Path output) {
        Path target;
        try {
            target = AtomicOutput.atomicTarget(output);   // a link's target; null for pipes, devices, /dev/stdout
        } catch (IOException e) {
            target = output.toAbsolutePath();             // opening the output itself will report the problem
        }
        return target == null ? null : target.resolveSibling(target.getFileName() + "." + NAME);
    }

    /** Where the rejected records went, for messages. */
    public static String describe(Path target) { return target == null ? "stderr only" : target.toString(); }

    /** {@code DIR/rejected.jsonl}. */
    public static Path inFolder(Path dir) { return dir.resolve(NAME); }

    /** Writes {@code skipped} to {@code target} atomically; nothing when target is null (see {@link #besideOutput}). */
    public static void write(Path target, List<ValidatedJsonl.Skipped> skipped) throws IOException {
        if (target == null) return;
        try (JsonlWriter w = JsonlWriter.open(target)) {
            for (ValidatedJsonl.Skipped s : skipped) {
                ObjectNode o = JSON.createObjectNode();
                o.put("line", s.line());
                o.set("id", s.idValue() == null ? JSON.nullNode() : s.idValue());
                o.put("reason", s.reason());
                w.write(o);
            }
        }
    }

    /** The last stderr line of a command: counts that add up ({@code read == written + rejected}). */
    public static String counts(long read, long written, long rejected) {
        return "read " + read + ", written " + written + ", rejected " + rejected;
    }
}
