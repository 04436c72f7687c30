package dev.provtrace.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Streams a safetensors file as Hugging Face lays it out (8-byte little-endian header length, JSON header padded
 * with spaces to a multiple of 8, tensors back to back), filling each tensor a chunk at a time so files of any
 * size are written in bounded memory. Written through {@link AtomicOutput}
 * (a temp file renamed when complete).
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHUNK_BYTES = 1 << 24;

    public record Entry(String name, DType dtype, long[] shape) {
        public long numel() {
            long n = 1;
            for (long d : shape) n = Math.multiplyExact(n, d);
            return n;
        }

        public long bytes() { return Math.multiplyExact(numel(), dtype.size()); }
    }

    /** Fills {@code chunk} (little-endian, position 0, remaining = bytes to write) with elements from {@code firstElement}. */
    public interface Filler {
        void fill(Entry entry, long firstElement, ByteBuffer chunk);
    }

    private SafetensorsWriter() {}

    /** The JSON header for tensors stored back to back in the given order (unpadded). */
    public static String headerJson(List<Entry> entries, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Entry e : entries) {
            ObjectNode t = header.putObject(e.name());
            t.put("dtype", e.dtype().name());
            ArrayNode shape = t.putArray("shape");
            for (long d : e.shape()) shape.add(d);
            t.putArray("data_offsets").add(offset).add(offset + e.bytes());
            offset += e.bytes();
        }
        return header.toString();
    }

    public static void write(Path file, List<Entry> entries, Map<String, String> metadata, Filler filler) throws IOException {
        byte[] json = headerJson(entries, metadata).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();

        try (AtomicOutput out = AtomicOutput.open(file)) {
            WritableByteChannel ch = out.channel();
            while (head.hasRemaining()) ch.write(head);
            ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry e : entries) {
                int size = e.dtype().size();
                long elemsPerChunk = CHUNK_BYTES / size, total = e.numel();
                for (long first = 0; first < total; first += elemsPerChunk) {
                    int n = (int) Math.min(elemsPerChunk, total - first);
                    chunk.clear().limit(n * size);
                    filler.fill(e, first, chunk.slice().order(ByteOrder.LITTLE_ENDIAN));
                    chunk.position(0).limit(n * size);
                    while (chunk.hasRemaining()) ch.write(chunk);
                }
            }
            out.commit();   // until here a failure leaves the name as it was (close aborts)
        }
    }
}
