package dev.provtrace.engine.cuda;

import java.nio.IntBuffer;

/** Device allocations reused between ops, one per slot, grown (never shrunk) outside kernels. */
final class DeviceScratch implements AutoCloseable {
    private final long[] address;
    private final long[] bytes;

    DeviceScratch(int slots) {
        address = new long[slots];
        bytes = new long[slots];
    }

    /** Slot {@code slot} with at least {@code size} bytes. */
    long get(int slot, long size) {
        if (size > bytes[slot]) {
            if (address[slot] != 0) EmulatedDevice.free(address[slot]);
            long grown = Math.max(size, Math.min(2 * bytes[slot], size + (64L << 20)));
            address[slot] = EmulatedDevice.malloc(grown);
            bytes[slot] = grown;
        }
        return address[slot];
    }

    /** Uploads ints into slot {@code slot}; returns their device address. */
    long ints(int slot, int[] values) {
        long at = get(slot, 4L * Math.max(1, values.length));
        if (values.length > 0) {
            IntBuffer b = EmulatedDevice.view(at, 4L * values.length).asIntBuffer();
            b.put(values);
        }
        return at;
    }

    @Override
    public void close() {
        for (int i = 0; i < address.length; i++) {
            if (address[i] != 0) EmulatedDevice.free(address[i]);
            address[i] = 0;
            bytes[i] = 0;
        }
    }
}
