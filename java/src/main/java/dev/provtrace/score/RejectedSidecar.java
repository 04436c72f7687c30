package dev.provtrace.score;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.io.ValidatedJsonl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The records a resumable logprobs run has rejected so far, kept beside its partial output
 * ({@code .out.jsonl.partial.rejected}, one {@code {"line", "id", "reason"}} line each) so that a run resumed after a
 * kill still lists, in {@code out.jsonl.rejected.jsonl}, the bad records of the part an earlier run did — including
 * those only scoring could find (non-finite log-probs), which re-reading the input would not. Entries are appended
 * and forced to disk before the group's progress is recorded; on resume only the entries up to the recorded line
 * count (a torn or unrecorded tail is dropped).
 */
final class RejectedSidecar {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RejectedSidecar() {}

    static Path fileFor(Path partial) { return partial.resolveSibling(partial.getFileName() + ".rejected"); }

    /** The entries of lines ≤ {@code throughLine}, in order; the file is cut back to them. Empty when absent. */
    static List<ValidatedJsonl.Skipped> resume(Path file, long throughLine) throws IOException {
        List<ValidatedJsonl.Skipped> kept = new ArrayList<>();
        if (throughLine <= 0 || !Files.isRegularFile(file)) {
            Files.deleteIfExists(file);
            return kept;
        }
        long keptBytes = 0, at = 0;
        for (String line : Files.readString(file, StandardCharsets.UTF_8).split("\n", -1)) {
            long next = at + line.getBytes(StandardCharsets.UTF_8).length + 1;
            if (line.isEmpty()) break;
            JsonNode o;
            try {
                o = JSON.readTree(line);
            } catch (IOException e) {
                break;   // a torn last entry
            }
            if (o.path("line").asLong() > throughLine) break;
            JsonNode id = o.get("id");
            boolean hasId = id != null && !id.isNull();
            kept.add(new ValidatedJsonl.Skipped(o.path("line").asLong(), hasId ? id.asText() : null, o.path("reason").asText(),
                    hasId ? id : null));
            keptBytes = next;
            at = next;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(keptBytes);
            ch.force(false);
        }
        return kept;
    }

    /** Appends entries and forces them to disk. */
    static void append(Path file, List<ValidatedJsonl.Skipped> entries) throws IOException {
        if (entries.isEmpty()) return;
        StringBuilder sb = new StringBuilder();
        for (ValidatedJsonl.Skipped s : entries) {
            ObjectNode o = JSON.createObjectNode();
            o.put("line", s.line());
            o.set("id", s.idValue() == null ? JSON.nullNode() : s.idValue());
            o.put("reason", s.reason());
            sb.append(JSON.writeValueAsString(o)).append('\n');
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(false);
        }
    }
}
