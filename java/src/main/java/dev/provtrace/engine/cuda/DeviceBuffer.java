package dev.provtrace.engine.cuda;

import dev.provtrace.engine.Backend;
import dev.provtrace.engine.Bf16;
import dev.provtrace.io.DType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;

/**
 * An activation buffer in device memory, fp32 or bf16 (the GEMM inputs of a bf16 pass). Its host copies are floats
 * either way: {@link #write} rounds to bf16 (ties to even, as the kernels' stores do), {@link #read} widens exactly.
 * With {@code guard} > 0 it carries that many 32-bit words of a fixed bit pattern before and after it, which no op may touch ({@link #guardsIntact()}; the op tests check them).
 */
final class DeviceBuffer implements Backend.Buffer {
    static final int GUARD_BITS = 0x7fc0dead;   // a NaN no kernel produces
    final long address;
    final DType dtype;
    private final int size;   // bytes per element
    private final CudaDevice device;
    private final long base;
    private final long capacity;
    private final int guard;
    private boolean closed;

    DeviceBuffer(CudaDevice device, DType dtype, long capacity, int guard) {
        if (capacity < 0) throw new IllegalArgumentException("negative buffer size " + capacity);
        if (dtype != DType.F32 && dtype != DType.BF16) throw new IllegalArgumentException("device activation buffers are F32 or BF16, not " + dtype);
        this.device = device;
        this.dtype = dtype;
        this.size = dtype.size();
        this.capacity = capacity;
        this.guard = guard;
        this.base = device.malloc(size * Math.max(1, capacity) + 8L * guard);
        this.address = base + 4L * guard;
        if (guard > 0) {
            fill(base, guard);
            fill(end(), guard);
        }
    }

    /** The first byte after the elements (where the trailing guard starts). */
    private long end() { return address + size * capacity; }

    private void fill(long at, int n) {
        ByteBuffer b = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) b.putInt(4 * i, GUARD_BITS);
        device.copyToDevice(at, b);
    }

    private boolean intact(long at, int n) {
        ByteBuffer b = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        device.copyToHost(b, at);
        IntBuffer ints = b.asIntBuffer();
        for (int i = 0; i < n; i++) if (ints.get(i) != GUARD_BITS) return false;
        return true;
    }

    /** True when both guard regions hold their pattern (a closed buffer has none left to check). */
    boolean guardsIntact() {
        return guard == 0 || closed || (intact(base, guard) && intact(end(), guard));
    }

    /** The device address of element {@code offset}. */
    long at(long offset) { return address + size * offset; }

    @Override
    public DType dtype() { return dtype; }

    @Override
    public long capacity() { return capacity; }

    private void check(long offset, long n) {
        if (offset < 0 || n < 0 || offset + n > capacity) {
            throw new IndexOutOfBoundsException("device buffer of " + capacity + " " + dtype + " elements: [" + offset + ", " + (offset + n) + ") is outside it");
        }
    }

    @Override
    public float[] read(long offset, int n) {
        check(offset, n);
        float[] out = new float[n];
        if (n > 0) {
            ByteBuffer b = ByteBuffer.allocateDirect(size * n).order(ByteOrder.LITTLE_ENDIAN);
            device.copyToHost(b, at(offset));
            if (dtype == DType.F32) b.asFloatBuffer().get(out);
            else for (int i = 0; i < n; i++) out[i] = Bf16.widen(b.getShort(2 * i));
        }
        return out;
    }

    @Override
    public void write(long offset, float[] src) {
        check(offset, src.length);
        if (src.length > 0) {
            ByteBuffer b = ByteBuffer.allocateDirect(size * src.length).order(ByteOrder.LITTLE_ENDIAN);
            if (dtype == DType.F32) b.asFloatBuffer().put(src);
            else for (int i = 0; i < src.length; i++) b.putShort(2 * i, Bf16.bits(src[i]));
            device.copyToDevice(at(offset), b);
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        device.free(base);
    }
}
