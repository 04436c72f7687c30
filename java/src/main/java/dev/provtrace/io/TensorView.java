package dev.provtrace.io;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One tensor of a safetensors file, memory-mapped (never copied to the heap).
 * Tensors larger than 2 GiB are reachable through {@link #map(long, long)} windows.
 * CONTRACT (implemented in the io package): all buffers returned are direct, read-only, little-endian,
 * positioned at 0; byte offsets are relative to the start of this tensor's data.
 */
public interface TensorView {
    String name();
    DType dtype();
    /** Shape as in the header, e.g. [vocab, hidden]. */
    long[] shape();
    /** Product of the shape (1 for a scalar). */
    long numel();
    /** numel × dtype size. */
    long byteSize();
    /** The file that holds the data (for error messages). */
    Path file();
    /** A window of this tensor's bytes; byteLength ≤ Integer.MAX_VALUE; bounds-checked. */
    ByteBuffer map(long byteOffset, long byteLength);
    /** The whole tensor; fails with a clear message if it is larger than 2 GiB (use {@link #map}). */
    ByteBuffer mapAll();

    /**
     * Widen elements [elemOffset, elemOffset+len) to fp32 into dst[dstOff..]. Works for F32, BF16, F16;
     * other dtypes throw. Reads through map windows, so it works for any tensor size.
     */
    void readFloats(long elemOffset, float[] dst, int dstOff, int len);
}
