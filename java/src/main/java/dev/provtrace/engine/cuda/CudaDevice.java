package dev.provtrace.engine.cuda;

import java.nio.ByteBuffer;

/**
 * What the CUDA backend needs from a device, and nothing more: memory, copies, kernel launches by name and ordering
 * on one stream. Two implementations: {@link EmulatedCudaDevice} (the kernels compiled by g++, device memory is host
 * memory, every call completes before it returns) and the JCuda driver-API device on a real GPU (calls enqueue on
 * the backend's stream and return at once). The backend is written against this interface only, so CI runs its
 * every launch, copy and synchronisation on the emulated device.
 * <p>
 * Ordering: launches and copies run in the order they are issued on the device's stream. {@link #copyToHost} waits
 * for the work before it (a synchronous read); {@link #recordEvent} / {@link #waitEvent} let the host wait for a
 * point of the stream while later work is already enqueued.
 */
public interface CudaDevice extends AutoCloseable {
    /** What the first line on stderr says: the device name, driver and memory. */
    String describe();

    /** Allocates {@code bytes} (≥ 1) of device memory, 256-byte aligned; out of memory is a {@link DeviceMemoryException}. */
    long malloc(long bytes);

    /** Frees an allocation after the work issued before it (which may still use it) has finished. */
    void free(long address);

    /** Copies src's remaining bytes to device address {@code dst}, in stream order; src may be reused when this returns. */
    void copyToDevice(long dst, ByteBuffer src);

    /** Copies device bytes [src, src + dst.remaining()) into dst after all work issued before it has finished. */
    void copyToHost(ByteBuffer dst, long src);

    /** A device-to-host copy in flight: {@link #await} waits for it (not for later work), {@link #close} releases its memory. */
    interface HostCopy extends AutoCloseable {
        /** The copied bytes (position 0, limit = the size copied), valid until {@link #close}. */
        ByteBuffer await();

        @Override
        void close();
    }

    /**
     * Enqueues a copy of device bytes [src, src + bytes) into host memory of the device's own (pinned on a GPU), after
     * the work issued so far and before the work issued later: the results of pass i can be read while pass i+1,
     * enqueued after this call, still runs.
     */
    HostCopy copyToHostAsync(long src, long bytes);

    /** Copies {@code bytes} device bytes from {@code src} to {@code dst} (not overlapping), in stream order. */
    void copyOnDevice(long dst, long src, long bytes);

    /** Sets {@code bytes} bytes at {@code dst} to zero, in stream order. */
    void memsetZero(long dst, long bytes);

    /** Enqueues kernel {@code kernel} with this geometry and arguments (checked against the kernel where the device can). */
    void launch(String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args);

    /** A marker after everything issued so far; {@link #waitEvent} blocks the host until the stream reaches it. */
    long recordEvent();

    void waitEvent(long event);

    void destroyEvent(long event);

    /** Blocks until everything issued has finished. */
    void synchronize();

    /** Most bytes allocated through this device object at one time (-1 where it does not count). */
    default long peakBytes() { return -1; }

    /** Starts {@link #peakBytes} again from what is allocated now (a benchmark's own buffers are not the engine's). */
    default void resetPeakBytes() {}

    /** Free and total device memory in bytes (as cuMemGetInfo reports them). */
    long[] memoryInfo();

    /** The stream launches and GEMMs are enqueued on (a CUstream handle; 0 on the emulated device). */
    long stream();

    @Override
    void close();
}
