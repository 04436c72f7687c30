package dev.provtrace.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A tensor of a {@link SafetensorsFile}, read through memory mappings. A tensor that fits in one window
 * (≤ 2 GiB) is mapped once and the mapping cached; a larger one is mapped window by window per request, because a
 * ByteBuffer cannot address more than {@code Integer.MAX_VALUE} bytes.
 */
final class MappedTensor implements TensorView {
    private final SafetensorsFile file;
    private final TensorEntry entry;
    private final int windowBytes;
    private volatile ByteBuffer whole;   // racing threads may both map it; either mapping is correct

    MappedTensor(SafetensorsFile file, TensorEntry entry, int windowBytes) {
        this.file = file;
        this.entry = entry;
        this.windowBytes = windowBytes;
    }

    @Override public String name() { return entry.name(); }

    @Override public DType dtype() { return entry.dtype(); }

    @Override public long[] shape() { return entry.shape().clone(); }

    @Override public long numel() { return entry.numel(); }

    @Override public long byteSize() { return entry.byteSize(); }

    @Override public Path file() { return file.path(); }

    @Override
    public ByteBuffer map(long byteOffset, long byteLength) {
        if (byteOffset < 0 || byteLength < 0 || byteOffset > byteSize() - byteLength) {
            throw error("window [" + byteOffset + ", +" + byteLength + ") is outside the tensor's " + byteSize() + " bytes");
        }
        if (byteLength > windowBytes) {
            throw error("window of " + byteLength + " bytes is larger than one mapping can hold (" + windowBytes + ")");
        }
        if (byteSize() <= windowBytes) {
            ByteBuffer all = wholeMapping();
            return all.slice((int) byteOffset, (int) byteLength).order(ByteOrder.LITTLE_ENDIAN);
        }
        return file.mapData(entry.begin() + byteOffset, (int) byteLength, name());
    }

    @Override
    public ByteBuffer mapAll() {
        if (byteSize() > windowBytes) {
            throw error(byteSize() + " bytes is too large for one mapping (max " + windowBytes
                    + "); read it through map(offset, length) windows");
        }
        return map(0, byteSize());
    }

    private ByteBuffer wholeMapping() {
        if (file.isClosed()) throw error("file is closed");
        ByteBuffer all = whole;
        if (all == null) {
            all = file.mapData(entry.begin(), (int) byteSize(), name());
            whole = all;
        }
        return all;
    }

    @Override
    public void readFloats(long elemOffset, float[] dst, int dstOff, int len) {
        Objects.requireNonNull(dst, "dst");
        if (!dtype().isComputeFloat()) throw error("readFloats needs F32, BF16 or F16, not " + dtype());
        if (elemOffset < 0 || len < 0 || elemOffset > numel() - len) {
            throw error("elements [" + elemOffset + ", +" + len + ") are outside the tensor's " + numel() + " elements");
        }
        Objects.checkFromIndexSize(dstOff, len, dst.length);
        int elemSize = dtype().size();
        int elemsPerWindow = Math.max(1, windowBytes / elemSize);
        int done = 0;
        while (done < len) {
            int n = Math.min(len - done, elemsPerWindow);
            ByteBuffer window = map((elemOffset + done) * elemSize, (long) n * elemSize);
            FloatConversions.widen(window, dtype(), dst, dstOff + done, n);
            done += n;
        }
    }

    private SafetensorsException error(String problem) {
        return new SafetensorsException(file.path() + ": tensor \"" + name() + "\": " + problem);
    }

    @Override
    public String toString() { return "tensor " + entry + " in " + file.path(); }
}
