package dev.provtrace.engine.cuda;

import dev.provtrace.engine.Backend;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;

/**
 * An fp32 activation buffer in device memory. With {@code guard} > 0 it carries that many floats of a fixed bit
 * pattern before and after it, which no op may touch ({@link #guardsIntact()}; the op tests check them).
 */
final class DeviceBuffer implements Backend.Buffer {
    static final int GUARD_BITS = 0x7fc0dead;   // a NaN no kernel produces
    final long address;
    private final CudaDevice device;
    private final long base;
    private final long capacity;
    private final int guard;
    private boolean closed;

    DeviceBuffer(CudaDevice device, long capacity, int guard) {
        if (capacity < 0) throw new IllegalArgumentException("negative buffer size " + capacity);
        this.device = device;
        this.capacity = capacity;
        this.guard = guard;
        this.base = device.malloc(4 * (Math.max(1, capacity) + 2L * guard));
        this.address = base + 4L * guard;
        if (guard > 0) {
            fill(base, guard);
            fill(address + 4 * capacity, guard);
        }
    }

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
        return guard == 0 || closed || (intact(base, guard) && intact(address + 4 * capacity, guard));
    }

    /** The device address of float {@code offset}. */
    long at(long offset) { return address + 4 * offset; }

    @Override
    public long capacity() { return capacity; }

    private void check(long offset, long n) {
        if (offset < 0 || n < 0 || offset + n > capacity) {
            throw new IndexOutOfBoundsException("device buffer of " + capacity + " floats: [" + offset + ", " + (offset + n) + ") is outside it");
        }
    }

    @Override
    public float[] read(long offset, int n) {
        check(offset, n);
        float[] out = new float[n];
        if (n > 0) {
            ByteBuffer b = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.LITTLE_ENDIAN);
            device.copyToHost(b, at(offset));
            b.asFloatBuffer().get(out);
        }
        return out;
    }

    @Override
    public void write(long offset, float[] src) {
        check(offset, src.length);
        if (src.length > 0) {
            ByteBuffer b = ByteBuffer.allocateDirect(4 * src.length).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(src);
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
