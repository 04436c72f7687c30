package dev.provtrace.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes small safetensors files for tests, laid out as Hugging Face writes them: 8-byte little-endian header
 * length, JSON header padded with spaces to a multiple of 8, then the tensors back to back in the order added.
 * The raw writers build broken files on purpose.
 */
public final class TestSafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Tensor(String name, DType dtype, long[] shape, byte[] data) {}

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();

    public TestSafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public TestSafetensorsWriter add(String name, DType dtype, long[] shape, byte[] data) {
        tensors.add(new Tensor(name, dtype, shape.clone(), data.clone()));
        return this;
    }

    public TestSafetensorsWriter f32(String name, long[] shape, float... values) {
        return add(name, DType.F32, shape, f32Bytes(values));
    }

    /** A tensor of the right byte size filled with zeros (for shape-only tests). */
    public TestSafetensorsWriter zeros(String name, DType dtype, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return add(name, dtype, shape, new byte[Math.toIntExact(n * dtype.size())]);
    }

    public String headerJson() {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = root.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Tensor t : tensors) {
            ObjectNode e = root.putObject(t.name());
            e.put("dtype", t.dtype().name());
            ArrayNode shape = e.putArray("shape");
            for (long d : t.shape()) shape.add(d);
            e.putArray("data_offsets").add(offset).add(offset + t.data().length);
            offset += t.data().length;
        }
        return root.toString();
    }

    public Path write(Path file) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Tensor t : tensors) data.writeBytes(t.data());
        return writeRaw(file, headerJson(), data.toByteArray());
    }

    /** A file with the given header text (padded with spaces to a multiple of 8) and data bytes. */
    public static Path writeRaw(Path file, String headerJson, byte[] data) {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        byte[] paddedHeader = new byte[padded];
        System.arraycopy(header, 0, paddedHeader, 0, header.length);
        for (int i = header.length; i < padded; i++) paddedHeader[i] = ' ';
        return writeRaw(file, padded, paddedHeader, data);
    }

    /** A file whose length field may disagree with the header bytes that follow it. */
    public static Path writeRaw(Path file, long headerLength, byte[] header, byte[] data) {
        ByteBuffer out = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(headerLength).put(header).put(data);
        return writeBytes(file, out.array());
    }

    public static Path writeBytes(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] f32Bytes(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return b.array();
    }

    /** Raw 16-bit patterns (bf16 or f16), little-endian. */
    public static byte[] bits16(int... patterns) {
        ByteBuffer b = ByteBuffer.allocate(2 * patterns.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int p : patterns) b.putShort((short) p);
        return b.array();
    }

    public static long[] shape(long... dims) { return dims; }
}
