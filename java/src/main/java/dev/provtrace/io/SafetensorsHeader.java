package dev.provtrace.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON header of a safetensors file, checked as strictly as Hugging Face's own {@code safetensors} library
 * checks it (and a little stricter: unknown keys and duplicate keys are errors), so that a file we accept is one
 * HF would load the same way, and a broken file fails here with a clear message instead of as garbage weights.
 */
final class SafetensorsHeader {
    /** HF's {@code MAX_HEADER_SIZE}: a larger header is treated as corrupt rather than read into memory. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final String METADATA_KEY = "__metadata__";
    private static final Set<String> ENTRY_KEYS = Set.of("dtype", "shape", "data_offsets");
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Map<String, String> metadata;
    private final List<TensorEntry> entries;

    private SafetensorsHeader(Map<String, String> metadata, List<TensorEntry> entries) {
        this.metadata = metadata;
        this.entries = entries;
    }

    /** String → string, as in the file; empty when the header has no {@code __metadata__}. */
    Map<String, String> metadata() { return metadata; }

    /** Entries in header order. */
    List<TensorEntry> entries() { return entries; }

    /**
     * @param file      for error messages
     * @param header    exactly the header bytes (trailing space padding included)
     * @param dataBytes size of the data region: file size − 8 − header length
     */
    static SafetensorsHeader parse(Path file, byte[] header, long dataBytes) {
        JsonNode root = parseJson(file, header);
        Map<String, String> metadata = Map.of();
        List<TensorEntry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = parseMetadata(file, field.getValue());
            } else {
                entries.add(parseEntry(file, field.getKey(), field.getValue(), dataBytes));
            }
        }
        checkCoverage(file, entries, dataBytes);
        return new SafetensorsHeader(metadata, Collections.unmodifiableList(entries));
    }

    private static JsonNode parseJson(Path file, byte[] header) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header)).toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(file + ": header is not valid UTF-8 (corrupt file, or not a safetensors file)");
        }
        // HF rejects a header that does not start with '{' (InvalidHeaderStart); a leading space is not JSON padding.
        if (!text.startsWith("{")) {
            throw new SafetensorsException(file + ": header does not start with '{' (not a safetensors file?)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new SafetensorsException(file + ": header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsException(file + ": header must be a JSON object");
        }
        return root;
    }

    private static Map<String, String> parseMetadata(Path file, JsonNode node) {
        if (node.isNull()) return Map.of();   // HF declares it Option<HashMap<String, String>>
        if (!node.isObject()) {
            throw new SafetensorsException(file + ": \"__metadata__\" must be an object of strings, got " + node);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new SafetensorsException(file + ": \"__metadata__\" value of \"" + e.getKey()
                        + "\" must be a string, got " + e.getValue());
            }
            metadata.put(e.getKey(), e.getValue().asText());
        }
        return Collections.unmodifiableMap(metadata);
    }

    private static TensorEntry parseEntry(Path file, String name, JsonNode node, long dataBytes) {
        String where = file + ": tensor \"" + name + "\": ";
        if (!node.isObject()) throw new SafetensorsException(where + "entry must be an object, got " + node);
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String key = field.getKey();
            if (!ENTRY_KEYS.contains(key)) {
                throw new SafetensorsException(where + "unknown key \"" + key + "\" (allowed: dtype, shape, data_offsets)");
            }
        }
        DType dtype = parseDType(where, node.get("dtype"));
        long[] shape = nonNegativeLongs(where, "shape", node.get("shape"));
        long[] offsets = nonNegativeLongs(where, "data_offsets", node.get("data_offsets"));
        if (offsets.length != 2) {
            throw new SafetensorsException(where + "\"data_offsets\" must be [begin, end], got " + node.get("data_offsets"));
        }
        long begin = offsets[0], end = offsets[1];
        if (begin > end) {
            throw new SafetensorsException(where + "data_offsets [" + begin + ", " + end + "] end before begin");
        }
        if (end > dataBytes) {
            throw new SafetensorsException(where + "data_offsets end " + end + " is past the end of the data ("
                    + dataBytes + " bytes after the header): the file is truncated or the offsets are wrong");
        }
        long needed = byteSize(where, dtype, shape);
        if (end - begin != needed) {
            throw new SafetensorsException(where + "data_offsets [" + begin + ", " + end + "] hold " + (end - begin)
                    + " bytes but " + dtype + " × shape " + Arrays.toString(shape) + " needs " + needed + " bytes");
        }
        return new TensorEntry(name, dtype, shape, begin, end);
    }

    private static DType parseDType(String where, JsonNode node) {
        if (node == null) throw new SafetensorsException(where + "missing \"dtype\"");
        if (!node.isTextual()) throw new SafetensorsException(where + "\"dtype\" must be a string, got " + node);
        try {
            return DType.valueOf(node.asText());
        } catch (IllegalArgumentException e) {
            throw new SafetensorsException(where + "unknown dtype \"" + node.asText() + "\" (known: "
                    + Arrays.toString(DType.values()) + ")");
        }
    }

    private static long[] nonNegativeLongs(String where, String key, JsonNode node) {
        if (node == null) throw new SafetensorsException(where + "missing \"" + key + "\"");
        if (!node.isArray()) throw new SafetensorsException(where + "\"" + key + "\" must be an array, got " + node);
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
                throw new SafetensorsException(where + "\"" + key + "\" must hold non-negative integers, got " + node);
            }
            values[i] = v.asLong();
        }
        return values;
    }

    private static long byteSize(String where, DType dtype, long[] shape) {
        try {
            long n = 1;
            for (long d : shape) n = Math.multiplyExact(n, d);
            return Math.multiplyExact(n, (long) dtype.size());
        } catch (ArithmeticException e) {
            throw new SafetensorsException(where + dtype + " × shape " + Arrays.toString(shape) + " overflows 64 bits");
        }
    }

    /**
     * HF's {@code validate}: sorted by offsets, each tensor must start where the previous one ended, and the last
     * must end at the end of the file. Overlaps would alias weights; holes and trailing bytes mean the header
     * and the data disagree, so we reject them as HF does.
     */
    private static void checkCoverage(Path file, List<TensorEntry> entries, long dataBytes) {
        List<TensorEntry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
        long expected = 0;
        TensorEntry previous = null;
        for (TensorEntry e : sorted) {
            if (e.begin() < expected) {
                throw new SafetensorsException(file + ": tensor \"" + e.name() + "\": data_offsets [" + e.begin() + ", "
                        + e.end() + "] overlap tensor \"" + previous.name() + "\" [" + previous.begin() + ", " + previous.end() + "]");
            }
            if (e.begin() > expected) {
                String after = previous == null ? "the start of the data" : "tensor \"" + previous.name() + "\" (ends at " + expected + ")";
                throw new SafetensorsException(file + ": tensor \"" + e.name() + "\": gap of " + (e.begin() - expected)
                        + " bytes between " + after + " and this tensor (starts at " + e.begin()
                        + "); safetensors files must have no holes, and Hugging Face's loader rejects them");
            }
            expected = e.end();
            previous = e;
        }
        if (expected != dataBytes) {
            String last = previous == null ? "the header (there are no tensors)" : "the last tensor \"" + previous.name() + "\"";
            throw new SafetensorsException(file + ": " + (dataBytes - expected) + " bytes of data after " + last
                    + "; safetensors files must have no holes, and Hugging Face's loader rejects them");
        }
    }
}
