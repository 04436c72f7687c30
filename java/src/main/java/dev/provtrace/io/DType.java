package dev.provtrace.io;

/** Element types that may appear in a safetensors header, with their size in bytes. */
public enum DType {
    F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1), F8_E4M3(1), F8_E5M2(1);

    private final int size;

    DType(int size) { this.size = size; }

    public int size() { return size; }

    /** True for the float types the engine computes with (widened to fp32 on use). */
    public boolean isComputeFloat() { return this == F32 || this == F16 || this == BF16; }
}
