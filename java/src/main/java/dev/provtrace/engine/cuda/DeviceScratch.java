package dev.provtrace.engine.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Device allocations reused between ops, one per slot, grown (never shrunk) outside kernels. */
final class DeviceScratch implements AutoCloseable {
    private final CudaDevice device;
    private final long[] address;
    private final long[] bytes;
    private ByteBuffer staging = ByteBuffer.allocateDirect(4096).order(ByteOrder.LITTLE_ENDIAN);

    DeviceScratch(CudaDevice device, int slots) {
        this.device = device;
        address = new long[slots];
        bytes = new long[slots];
    }

    /** Slot {@code slot} with at least {@code size} bytes. */
    long get(int slot, long size) {
        if (size > bytes[slot]) {
            if (address[slot] != 0) device.free(address[slot]);
            long grown = Math.max(size, Math.min(2 * bytes[slot], size + (64L << 20)));
            address[slot] = device.malloc(grown);
            bytes[slot] = grown;
        }
        return address[slot];
    }

    /** Uploads ints into slot {@code slot}; returns their device address. */
    long ints(int slot, int[] values) {
        long at = get(slot, 4L * Math.max(1, values.length));
        if (values.length > 0) {
            if (staging.capacity() < 4 * values.length) {
                staging = ByteBuffer.allocateDirect(Math.max(4 * values.length, 2 * staging.capacity())).order(ByteOrder.LITTLE_ENDIAN);
            }
            staging.clear();
            staging.asIntBuffer().put(values);
            staging.limit(4 * values.length);
            device.copyToDevice(at, staging);
        }
        return at;
    }

    @Override
    public void close() {
        for (int i = 0; i < address.length; i++) {
            if (address[i] != 0) device.free(address[i]);
            address[i] = 0;
            bytes[i] = 0;
        }
    }
}
