package dev.provtrace.io;

import java.util.Arrays;

/**
 * One validated tensor entry of a safetensors header. Offsets are relative to the start of the data region
 * (right after the header), as the format defines them.
 */
record TensorEntry(String name, DType dtype, long[] shape, long begin, long end) {
    long numel() {
        long n = 1;
        for (long d : shape) n *= d;   // cannot overflow: SafetensorsHeader checked the product
        return n;
    }

    long byteSize() { return end - begin; }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " @[" + begin + ", " + end + ")";
    }
}
