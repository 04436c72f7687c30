package dev.provtrace.engine.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Device allocations handed out again instead of freed: the per-pass buffers (ids, positions, cu_seqlens, rows,
 * targets, results), so that passes in steady state call neither cuMemAlloc nor cuMemFree. cuMemFree waits for the
 * whole device, which would stall the pipeline in which the host packs pass i+1 while pass i runs. Sizes are rounded
 * up to a power of two (at least 256 bytes), so passes of varying length reuse each other's buffers.
 * <p>
 * A buffer given back may be handed out while work that used it is still queued: that is safe because every use is
 * on the device's one stream, in order.
 */
final class DevicePool implements AutoCloseable {
    private final CudaDevice device;
    private final Map<Long, ArrayDeque<Long>> idle = new HashMap<>();
    private final Map<Long, Long> sizeOf = new HashMap<>();   // every allocation of the pool, handed out or idle

    DevicePool(CudaDevice device) { this.device = device; }

    /** The size class of a request: the power of two at or above {@code bytes}, at least 256 (pinned buffers share it). */
    static long sizeClass(long bytes) {
        return Math.max(256, Long.highestOneBit(Math.max(1, bytes) - 1) << 1);
    }

    /** An allocation of at least {@code bytes}. */
    long take(long bytes) {
        long size = sizeClass(bytes);
        ArrayDeque<Long> free = idle.get(size);
        if (free != null && !free.isEmpty()) return free.pop();
        long at = device.malloc(size);
        sizeOf.put(at, size);
        return at;
    }

    /** Gives an allocation of {@link #take} back for reuse. */
    void give(long address) {
        Long size = sizeOf.get(address);
        if (size == null) throw new IllegalArgumentException("address " + Long.toHexString(address) + " is not from this pool");
        idle.computeIfAbsent(size, s -> new ArrayDeque<>()).push(address);
    }

    @Override
    public void close() {
        for (long a : sizeOf.keySet()) device.free(a);
        sizeOf.clear();
        idle.clear();
    }
}
