package dev.provtrace.io;

import org.bytedeco.javacpp.BytePointer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tensors held in native memory rather than a file: for benchmarks on random weights of a real model's shape
 * (no multi-GB file to write first). Each tensor must be ≤ 2 GiB.
 */
public final class MemoryCheckpoint implements Checkpoint {
    private final Map<String, MemoryTensor> tensors = new LinkedHashMap<>();
    private final List<BytePointer> memory = new ArrayList<>();

    /** Adds a zero-filled tensor and returns its writable, little-endian buffer. */
    public ByteBuffer add(String name, DType dtype, long[] shape) {
        long numel = 1;
        for (long d : shape) numel = Math.multiplyExact(numel, d);
        long bytes = Math.multiplyExact(numel, dtype.size());
        if (bytes > Integer.MAX_VALUE) throw new IllegalArgumentException(name + ": in-memory tensors are limited to 2 GiB");
        BytePointer p = new BytePointer(Math.max(1, bytes));
        p.fill(0);
        memory.add(p);
        ByteBuffer buf = p.capacity(Math.max(1, bytes)).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        tensors.put(name, new MemoryTensor(name, dtype, shape.clone(), numel, buf));
        return buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Adds a tensor holding {@code values} (numel of them), named {@code values#N} in the order added: F32 as given,
     * BF16 truncated to their upper 16 bits (exact for values that are bf16 already). For tests and the op checks.
     */
    public TensorView addValues(DType dtype, float[] values, long... shape) {
        return addValues("values#" + tensors.size(), dtype, values, shape);
    }

    /** {@link #addValues(DType, float[], long...)} under the name given (errors then name the tensor as a file would). */
    public TensorView addValues(String name, DType dtype, float[] values, long... shape) {
        if (dtype != DType.F32 && dtype != DType.BF16) throw new IllegalArgumentException("values are stored as F32 or BF16, not " + dtype);
        ByteBuffer b = add(name, dtype, shape);
        if (tensors.get(name).numel() != values.length) {
            throw new IllegalArgumentException(name + ": " + values.length + " values for a tensor of " + tensors.get(name).numel());
        }
        for (int i = 0; i < values.length; i++) {
            if (dtype == DType.F32) b.putFloat(4 * i, values[i]);
            else b.putShort(2 * i, (short) (Float.floatToRawIntBits(values[i]) >>> 16));
        }
        return tensors.get(name);
    }

    @Override public Set<String> names() { return tensors.keySet(); }

    @Override public boolean has(String name) { return tensors.containsKey(name); }

    @Override
    public TensorView tensor(String name) {
        MemoryTensor t = tensors.get(name);
        if (t == null) throw new SafetensorsException("in-memory checkpoint: tensor \"" + name + "\" is missing");
        return t;
    }

    @Override
    public long totalBytes() {
        long s = 0;
        for (MemoryTensor t : tensors.values()) s += t.byteSize();
        return s;
    }

    @Override
    public void close() {
        for (BytePointer p : memory) p.close();
        memory.clear();
    }

    private record MemoryTensor(String name, DType dtype, long[] shape, long numel, ByteBuffer data) implements TensorView {
        @Override public long byteSize() { return numel * dtype.size(); }

        @Override public Path file() { return Path.of("(memory)"); }

        @Override
        public ByteBuffer map(long byteOffset, long byteLength) {
            if (byteOffset < 0 || byteLength < 0 || byteOffset + byteLength > byteSize()) {
                throw new SafetensorsException("in-memory tensor \"" + name + "\": window out of range");
            }
            return data.slice((int) byteOffset, (int) byteLength).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override public ByteBuffer mapAll() { return map(0, byteSize()); }

        @Override
        public void readFloats(long elemOffset, float[] dst, int dstOff, int len) {
            FloatConversions.widen(map(elemOffset * dtype.size(), (long) len * dtype.size()), dtype, dst, dstOff, len);
        }
    }
}
