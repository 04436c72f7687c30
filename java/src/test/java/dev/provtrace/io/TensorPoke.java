package dev.provtrace.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Overwrites one element of a tensor in a safetensors file in place: how tests plant a NaN or an Inf. */
public final class TensorPoke {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TensorPoke() {}

    /** Sets element {@code index} (flat, row-major) of {@code tensor} to {@code value} (F32, BF16, or F16 for NaN/±Inf). */
    public static void set(Path file, String tensor, long index, float value) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(len, 0);
            long headerBytes = len.getLong(0);
            ByteBuffer header = ByteBuffer.allocate((int) headerBytes);
            ch.read(header, 8);
            JsonNode entry = JSON.readTree(header.array()).get(tensor);
            if (entry == null) throw new IllegalArgumentException(file + " has no tensor " + tensor);
            DType dtype = DType.valueOf(entry.get("dtype").asText());
            JsonNode offsets = entry.get("data_offsets");
            if (index < 0 || (index + 1) * dtype.size() > offsets.get(1).asLong() - offsets.get(0).asLong()) {
                throw new IllegalArgumentException(tensor + " has no element " + index);
            }
            long at = 8 + headerBytes + entry.get("data_offsets").get(0).asLong() + index * dtype.size();
            ByteBuffer bytes = ByteBuffer.allocate(dtype.size()).order(ByteOrder.LITTLE_ENDIAN);
            switch (dtype) {
                case F32 -> bytes.putFloat(value);
                case BF16 -> bytes.putShort((short) (Float.floatToRawIntBits(value) >>> 16));
                case F16 -> bytes.putShort((short) (Float.isNaN(value) ? 0x7E00 : value > 0 ? 0x7C00 : 0xFC00));
                default -> throw new IllegalArgumentException("not a float tensor: " + dtype);
            }
            ch.write(bytes.flip(), at);
        }
    }
}
