package dev.provtrace.engine.cuda;

import dev.provtrace.engine.Backend;
import dev.provtrace.engine.WeightShape;
import dev.provtrace.io.DType;
import dev.provtrace.io.TensorView;

import java.nio.ByteBuffer;

/**
 * A weight uploaded once to device memory in its file dtype: F32 and BF16 as stored (bf16 is widened only inside
 * the GEMM or kernel that reads it), F16 widened to fp32 at upload (no kernel takes f16).
 */
final class DeviceWeight implements Backend.Weight, AutoCloseable {
    private static final long WINDOW = 1 << 30;   // bytes mapped at a time while uploading
    private final TensorView view;
    private final int rows;
    private final int cols;
    final DType dtype;
    private final long address;
    private final CudaDevice device;
    private final boolean owned;   // false for a part of a packed weight: the packed one frees the memory
    private String packedInto;     // set when this weight's memory was freed after copying it into a packed one
    private boolean closed;

    DeviceWeight(CudaDevice device, TensorView view) {
        this.device = device;
        this.owned = true;
        WeightShape shape = WeightShape.of(view);
        this.view = view;
        this.rows = shape.rows();
        this.cols = shape.cols();
        this.dtype = view.dtype() == DType.F16 ? DType.F32 : view.dtype();
        long bytes = view.numel() * dtype.size();
        this.address = device.malloc(Math.max(1, bytes));
        if (view.dtype() == DType.F16) uploadWidened(); else uploadRaw(bytes);
    }

    /** A weight of {@code rows × cols} at {@code address}, owned (freed by {@link #close}) or a view into another. */
    DeviceWeight(CudaDevice device, TensorView view, int rows, int cols, DType dtype, long address, boolean owned) {
        this.device = device;
        this.view = view;
        this.rows = rows;
        this.cols = cols;
        this.dtype = dtype;
        this.address = address;
        this.owned = owned;
    }

    /** Rows [row0, row0 + rows) of this weight, sharing its memory (the parts of a packed q|k|v or gate|up). */
    DeviceWeight rowsView(TensorView partView, int row0, int rows) {
        return new DeviceWeight(device, partView, rows, cols, dtype, address + (long) row0 * cols * dtype.size(), false);
    }

    /** Frees this weight's memory after it was copied into {@code packed}: any later use is an error naming both. */
    void releaseInto(String packed) {
        close();
        packedInto = packed;
    }

    /** Throws when the weight's memory is gone (packed at load, or closed). */
    long address() {
        if (packedInto != null) {
            throw new IllegalStateException("weight " + view.name() + " was packed into " + packedInto
                    + " at load; use the prepared layer's weights");
        }
        if (closed) throw new IllegalStateException("weight " + view.name() + " is closed");
        return address;
    }

    private void uploadRaw(long bytes) {
        for (long off = 0; off < bytes; off += WINDOW) {
            long len = Math.min(WINDOW, bytes - off);
            device.copyToDevice(address + off, view.map(off, len));
        }
    }

    private void uploadWidened() {
        long n = view.numel();
        float[] slice = new float[(int) Math.min(n, 1 << 20)];
        ByteBuffer staging = ByteBuffer.allocateDirect(4 * slice.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (long off = 0; off < n; off += slice.length) {
            int len = (int) Math.min(slice.length, n - off);
            view.readFloats(off, slice, 0, len);
            staging.clear();
            staging.asFloatBuffer().put(slice, 0, len);
            staging.limit(4 * len);
            device.copyToDevice(address + 4 * off, staging);
        }
    }

    @Override
    public TensorView view() { return view; }

    @Override
    public int rows() { return rows; }

    @Override
    public int cols() { return cols; }

    long numel() { return (long) rows * cols; }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (owned) device.free(address);
    }
}
