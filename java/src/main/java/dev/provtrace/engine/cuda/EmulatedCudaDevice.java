package dev.provtrace.engine.cuda;

import java.nio.ByteBuffer;

/**
 * {@link CudaDevice} over the emulator ({@link EmulatedDevice}): device memory is host memory, every launch and copy
 * has finished when it returns, so events are already reached when recorded. The calls and their arguments are
 * those a real device gets, which is what lets CI run the CUDA backend.
 */
public final class EmulatedCudaDevice implements CudaDevice {
    private long nextEvent = 1;

    /** Loads the emulator library (see {@link EmulatedDevice#load}). */
    public EmulatedCudaDevice() throws java.io.IOException {
        EmulatedDevice.load();
    }

    @Override
    public String describe() { return "emulated CUDA device (host memory, one fiber per thread)"; }

    @Override
    public long malloc(long bytes) {
        long at;
        try {
            at = EmulatedDevice.malloc(Math.max(1, bytes));
        } catch (OutOfMemoryError e) {
            throw new DeviceMemoryException("emulated device: cannot allocate " + bytes + " bytes", bytes);
        }
        sizes.put(at, bytes);
        live += bytes;
        peak = Math.max(peak, live);
        return at;
    }

    private final java.util.Map<Long, Long> sizes = new java.util.HashMap<>();
    private long live, peak;

    @Override
    public long peakBytes() { return peak; }

    /** Bytes allocated now (and not freed). */
    public long liveBytes() { return live; }

    @Override
    public void resetPeakBytes() { peak = live; }

    @Override
    public void free(long address) {
        if (address == 0) return;
        Long b = sizes.remove(address);
        if (b != null) live -= b;
        EmulatedDevice.free(address);
    }

    @Override
    public void copyToDevice(long dst, ByteBuffer src) {
        int n = src.remaining();
        if (n == 0) return;
        EmulatedDevice.view(dst, n).put(src.duplicate());
    }

    @Override
    public void copyToHost(ByteBuffer dst, long src) {
        int n = dst.remaining();
        if (n == 0) return;
        dst.duplicate().put(EmulatedDevice.view(src, n));
    }

    /** Every call completes before it returns here: the copy is made at once. */
    @Override
    public HostCopy copyToHostAsync(long src, long bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect((int) Math.max(0, bytes)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        copyToHost(b, src);
        return new HostCopy() {
            @Override public ByteBuffer await() { return b.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN); }
            @Override public void close() {}
        };
    }

    @Override
    public void copyOnDevice(long dst, long src, long bytes) {
        for (long off = 0; off < bytes; off += 1 << 30) {
            long n = Math.min(1 << 30, bytes - off);
            EmulatedDevice.view(dst + off, n).put(EmulatedDevice.view(src + off, n));
        }
    }

    @Override
    public void memsetZero(long dst, long bytes) {
        for (long off = 0; off < bytes; off += 1 << 30) {
            ByteBuffer b = EmulatedDevice.view(dst + off, Math.min(1 << 30, bytes - off));
            while (b.remaining() >= 8) b.putLong(0L);
            while (b.hasRemaining()) b.put((byte) 0);
        }
    }

    @Override
    public void launch(String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
        EmulatedDevice.launch(kernel, grid, block, sharedBytes, args);
    }

    @Override
    public long recordEvent() { return nextEvent++; }

    @Override
    public void waitEvent(long event) {}

    @Override
    public void destroyEvent(long event) {}

    @Override
    public void synchronize() {}

    @Override
    public long[] memoryInfo() {
        // device memory is host memory here (malloc): what the kernel says is available, as cuMemGetInfo would
        long[] info = meminfo();
        if (info != null) return info;
        long total = Runtime.getRuntime().maxMemory();
        return new long[] {total, total};
    }

    /** {MemAvailable, MemTotal} in bytes from /proc/meminfo, or null where there is none. */
    private static long[] meminfo() {
        try {
            long available = -1, total = -1;
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 2) continue;
                if (f[0].equals("MemAvailable:")) available = Long.parseLong(f[1]) * 1024;
                if (f[0].equals("MemTotal:")) total = Long.parseLong(f[1]) * 1024;
            }
            return available > 0 && total > 0 ? new long[] {available, total} : null;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public long stream() { return 0; }

    @Override
    public void close() {}
}
