package dev.provtrace.trace;

import com.fasterxml.jackson.databind.JsonNode;
import dev.provtrace.io.JsonlRecord;
import dev.provtrace.io.RecordIds;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads the fields of a line of an earlier trace's sentences.jsonl / trajectories.jsonl (which {@code classify} reads
 * back and a user may have edited by hand), each checked: a wrong or missing value fails with file:line and the
 * field, never becomes 0 or an empty string.
 */
final class TraceLineFields {
    private final Path file;
    private final JsonlRecord record;
    private final JsonNode node;

    TraceLineFields(Path file, JsonlRecord record) throws IOException {
        this.file = file;
        this.record = record;
        if (record.isMalformed()) throw new IOException(record.error().orElseThrow().getMessage());
        this.node = record.value();
        if (!node.isObject()) throw bad("is not a JSON object");
    }

    JsonNode id() throws IOException {
        JsonNode id = node.get("id");
        if (!RecordIds.usable(id)) throw bad("\"id\" must be a string or an integer, got " + id);
        return id;
    }

    String text(String key) throws IOException {
        JsonNode v = node.get(key);
        if (v == null || !v.isTextual()) throw bad("\"" + key + "\" must be a string, got " + v);
        return v.asText();
    }

    int count(String key) throws IOException {
        JsonNode v = node.get(key);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
            throw bad("\"" + key + "\" must be an integer >= 0, got " + v);
        }
        return v.asInt();
    }

    /** A probability in [0, 1]; NaN for null (a sentence a model gave no scored token). */
    double probability(String key) throws IOException {
        JsonNode v = node.get(key);
        if (v == null) throw bad("\"" + key + "\" is missing (a probability in [0, 1], or null)");
        if (v.isNull()) return Double.NaN;
        if (!v.isNumber()) throw bad("\"" + key + "\" must be a probability in [0, 1] or null, got " + v);
        double p = v.asDouble();
        if (!(p >= 0 && p <= 1)) throw bad("\"" + key + "\" must be a probability in [0, 1] or null, got " + v);
        return p;
    }

    /** An optional array of probabilities (null entries: NaN); null when the key is absent (one teacher). */
    double[] probabilities(String key) throws IOException {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isArray() || v.isEmpty()) throw bad("\"" + key + "\" must be a non-empty array of probabilities or nulls, got " + v);
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode x = v.get(i);
            if (x.isNull()) out[i] = Double.NaN;
            else if (x.isNumber() && x.asDouble() >= 0 && x.asDouble() <= 1) out[i] = x.asDouble();
            else throw bad("\"" + key + "\"[" + i + "] must be a probability in [0, 1] or null, got " + x);
        }
        return out;
    }

    /** true, false or null (unknown). */
    Boolean optionalBoolean(String key) throws IOException {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isBoolean()) throw bad("\"" + key + "\" must be true, false or null, got " + v);
        return v.asBoolean();
    }

    IOException bad(String reason) {
        return new IOException(file + ":" + record.lineNumber() + ": " + reason);
    }
}
