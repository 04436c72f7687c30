package dev.provtrace.engine.cuda;

import java.util.Arrays;

/**
 * A kernel's arguments in parameter order, each with its byte width, as cuLaunchKernel's kernelParams take them.
 * The widths travel with the values so that a device can check them against the kernel's own parameter list (the
 * emulated device does), turning a launcher that passes arguments in the wrong order or of the wrong width into
 * an error message instead of a wrong result.
 */
public final class KernelArgs {
    private long[] values = new long[8];
    private int[] sizes = new int[8];
    private int count;

    private KernelArgs add(long value, int size) {
        if (count == values.length) {
            values = Arrays.copyOf(values, 2 * count);
            sizes = Arrays.copyOf(sizes, 2 * count);
        }
        values[count] = value;
        sizes[count++] = size;
        return this;
    }

    /** A device pointer (null is 0). */
    public KernelArgs ptr(long address) { return add(address, 8); }

    public KernelArgs i32(int v) { return add(v, 4); }

    public KernelArgs i64(long v) { return add(v, 8); }

    public KernelArgs f32(float v) { return add(Float.floatToRawIntBits(v) & 0xffffffffL, 4); }

    public int count() { return count; }

    /** Each argument's value in the low bytes of a 64-bit slot (little-endian). */
    public long[] values() { return Arrays.copyOf(values, count); }

    public int[] sizes() { return Arrays.copyOf(sizes, count); }
}
