package dev.provtrace.selection;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.provtrace.io.JsonlReader;
import dev.provtrace.io.JsonlRecord;
import dev.provtrace.io.JsonlWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The last pass: streams the input again and writes the selected candidates, in input order, to the output
 * (atomically: the file appears complete or not at all). Texts come from the input line itself, so the
 * selection never had to keep them.
 */
final class SelectedWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SelectedWriter() {}

    /** Returns the number of lines written. */
    static long write(Path input, List<CandidateStats> selected, OutputFormat format, boolean withGrape, Path output)
            throws IOException {
        return write(input, selected, format, withGrape, output, JsonlReader.DEFAULT_MAX_LINE_BYTES);
    }

    /** As above, reading the input with the run's line limit (a selected line is never over it). */
    static long write(Path input, List<CandidateStats> selected, OutputFormat format, boolean withGrape, Path output,
                      long maxLineBytes) throws IOException {
        Map<Long, CandidateStats> byLine = selected.stream()
                .collect(Collectors.toMap(CandidateStats::line, Function.identity()));
        long written = 0;
        try (JsonlReader reader = JsonlReader.open(input, maxLineBytes); JsonlWriter writer = JsonlWriter.open(output)) {
            for (JsonlRecord rec; (rec = reader.next()) != null && written < byLine.size(); ) {
                CandidateStats stats = byLine.get(rec.lineNumber());
                if (stats == null) continue;
                if (rec.isMalformed() || !(rec.value() instanceof ObjectNode line) || !line.path("id").asText().equals(stats.id())) {
                    throw new IOException(input + ":" + rec.lineNumber() + ": the input changed while it was being read");
                }
                if (format == OutputFormat.SFT) {
                    ObjectNode o = JSON.createObjectNode();
                    o.set("id", line.get("id"));      // as given, so a selected example can be traced back
                    ArrayNode messages = o.putArray("messages");
                    if (line.get("messages") instanceof ArrayNode own && !own.isEmpty()) messages.addAll(own);   // its conversation
                    else messages.addObject().put("role", "user").put("content", line.get("question").asText());
                    messages.addObject().put("role", "assistant").put("content", line.get("response").asText());
                    writer.write(o);
                } else {
                    stats.putInto(line, withGrape);
                    writer.write(line);
                }
                written++;
            }
        }
        if (written != byLine.size()) {
            throw new IOException(input + ": " + (byLine.size() - written) + " selected lines are gone (the input changed while it was being read)");
        }
        return written;
    }
}
