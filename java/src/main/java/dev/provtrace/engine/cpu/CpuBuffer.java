package dev.provtrace.engine.cpu;

import dev.provtrace.engine.Backend;
import org.bytedeco.javacpp.FloatPointer;

import java.nio.FloatBuffer;

/** fp32 activations in native memory, so OpenBLAS reads and writes them in place. */
final class CpuBuffer implements Backend.Buffer {
    final FloatPointer pointer;
    final FloatBuffer floats;     // a view of the same memory for the Java kernels
    private final long capacity;

    CpuBuffer(long capacity) {
        if (capacity > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("activation buffer of " + capacity + " floats exceeds 2^31: lower --batch-tokens");
        }
        this.capacity = capacity;
        this.pointer = new FloatPointer(Math.max(1, capacity));
        this.floats = pointer.capacity(Math.max(1, capacity)).asBuffer();
    }

    /** The native address of element 0 (for our own JNI calls). */
    long address() {
        return pointer.address();
    }

    /** A pointer {@code offset} floats into this buffer, for BLAS calls on sub-matrices. */
    FloatPointer at(long offset) {
        return new FloatPointer(pointer).position(offset);
    }

    @Override
    public long capacity() { return capacity; }

    @Override
    public float[] read(long offset, int n) {
        float[] out = new float[n];
        floats.get(Math.toIntExact(offset), out, 0, n);
        return out;
    }

    @Override
    public void write(long offset, float[] src) {
        floats.put(Math.toIntExact(offset), src, 0, src.length);
    }

    @Override
    public void close() {
        pointer.close();
    }
}
