package dev.provtrace.engine.cpu;

import dev.provtrace.engine.Backend;
import dev.provtrace.engine.WeightShape;
import dev.provtrace.io.DType;
import dev.provtrace.io.TensorView;
import org.bytedeco.javacpp.FloatPointer;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * A weight as the CPU backend uses it: fp32 tensors are read in place from the memory map (zero copies);
 * bf16/f16 tensors are widened to fp32 a block of rows at a time into scratch memory, so a bf16 checkpoint is
 * never held whole in fp32. Small tensors (norms, biases) are widened once to the heap.
 */
final class CpuWeight implements Backend.Weight {
    private static final long MAX_MAP = Integer.MAX_VALUE;
    /** Bytes of a bf16 tensor's map window per native widening call. */
    private static final long NATIVE_WINDOW = 1 << 24;
    private final TensorView view;
    private final int rows;
    private final int cols;
    private ByteBuffer whole;           // the full mapping of an fp32 tensor ≤ 2 GiB (kept to keep it mapped)
    private FloatPointer wholePointer;
    private float[] heap;
    private FloatPointer nativeHeap;
    Fp16Gemm.PackedWeight fp16;         // packed by Fp16Matmul on first use at --precision fp16 (guarded by this)
    OneDnnBf16Gemm.Packed bf16;         // packed by Bf16Matmul on first use at --precision bf16 on oneDNN (guarded by this)

    CpuWeight(TensorView view) {
        WeightShape shape = WeightShape.of(view);
        this.view = view;
        this.rows = shape.rows();
        this.cols = shape.cols();
    }

    @Override
    public TensorView view() { return view; }

    @Override
    public int rows() { return rows; }

    @Override
    public int cols() { return cols; }

    boolean isMappedFp32() {
        return view.dtype() == DType.F32 && view.byteSize() <= MAX_MAP;
    }

    /** Pointer to the fp32 data of the whole tensor, straight from the map (only when {@link #isMappedFp32()}). */
    synchronized FloatPointer mappedPointer() {
        if (wholePointer == null) {
            whole = view.mapAll();
            FloatBuffer fb = whole.asFloatBuffer();
            wholePointer = new FloatPointer(fb);
        }
        return wholePointer;
    }

    /** The whole tensor as fp32 on the heap: only for small tensors (norm weights, biases). */
    synchronized float[] heap() {
        if (heap == null) {
            if (view.shape().length > 1) {
                throw new IllegalStateException("tensor " + view.name() + " is a matrix: matrices are never copied to the heap");
            }
            float[] h = new float[(int) view.numel()];
            view.readFloats(0, h, 0, h.length);
            heap = h;
        }
        return heap;
    }

    /** A small tensor's fp32 values in native memory (a bias for our native GEMM's epilogue), made once. */
    synchronized FloatPointer nativeHeap() {
        if (nativeHeap == null) {
            float[] h = heap();
            nativeHeap = new FloatPointer(h.length);
            nativeHeap.put(h);
        }
        return nativeHeap;
    }

    /**
     * Widen rows [row0, row0+n) to fp32 into dst (native), row-major, using the given heap scratch; a bf16 tensor goes
     * from the map to dst natively ({@link NativeWiden}) where it runs, at most {@link #NATIVE_WINDOW} bytes a call.
     */
    void widenRows(long row0, int n, CpuBuffer to, long dstOffset, float[] scratch) {
        long elems = (long) n * cols, src = row0 * cols;
        FloatBuffer dst = to.floats;
        if (view.dtype() == DType.BF16 && NativeWiden.usable()) {
            if (dstOffset < 0 || dstOffset + elems > to.capacity()) throw new IndexOutOfBoundsException("rows past the scratch buffer");
            long dstAddress = to.address() + 4 * dstOffset;
            for (long done = 0; done < elems; ) {
                long len = Math.min(NATIVE_WINDOW / 2, elems - done);
                NativeWiden.widen(view.map(2 * (src + done), 2 * len), dstAddress + 4 * done, len);
                done += len;
            }
            return;
        }
        long done = 0;
        while (done < elems) {
            int len = (int) Math.min(scratch.length, elems - done);
            view.readFloats(src + done, scratch, 0, len);
            dst.put(Math.toIntExact(dstOffset + done), scratch, 0, len);
            done += len;
        }
    }

    /** Copy one row into a heap array, widening if needed. */
    void readRow(int row, float[] dst) {
        view.readFloats((long) row * cols, dst, 0, cols);
    }
}
