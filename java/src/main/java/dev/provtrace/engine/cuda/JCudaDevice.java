package dev.provtrace.engine.cuda;

import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link CudaDevice} on a real GPU through JCuda's driver API (libJCudaDriver needs only libcuda.so.1, so it loads
 * under any recent driver, CUDA 13 included). One primary context, one stream; launches and copies are in stream
 * order. Uploads go through a ring of pinned staging buffers (asynchronous: the host never waits for kernels to
 * upload), copies back through pinned buffers whose events let the host wait for one copy
 * ({@link #copyToHostAsync}); {@link #copyToHost} (tests, one-off reads) waits for the whole stream.
 * <p>
 * Addresses are plain longs in the backend. JCuda's CUdeviceptr has no public constructor from an address, but
 * {@code ZERO.withByteOffset(a)} is a CUdeviceptr whose native pointer is 0 + a, which is exactly address a — the JNI
 * side adds the byte offset to the native pointer. An allocation's address is read through {@link Allocation}, a
 * subclass that may call the protected getNativePointer(). The CUstream's handle (for cublasSetStream) the same way.
 * <p>
 * Every driver call's result goes through {@link #check}, which turns it into {@link CudaErrors}' messages.
 */
public final class JCudaDevice implements CudaDevice {
    private static final CUdeviceptr ZERO = new CUdeviceptr();

    /** A CUdeviceptr that tells its address, and its size. */
    private static final class Allocation extends CUdeviceptr {
        long bytes;

        long address() { return getNativePointer(); }
    }

    /** A CUstream that tells its handle. */
    private static final class Stream extends CUstream {
        long handle() { return getNativePointer(); }
    }

    private final int ordinal;
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final Stream stream = new Stream();
    private final String name;
    private final String computeCapability;
    private final int driverVersion;
    private final long totalBytes;
    private final Map<Long, Allocation> allocations = new HashMap<>();
    private final Map<String, CUmodule> modules = new LinkedHashMap<>();
    private final Map<String, CUfunction> functions = new HashMap<>();
    /** Per kernel, the dynamic shared memory it has been allowed beyond the default 48 KB (cuFuncSetAttribute). */
    private final Map<String, Integer> sharedAllowed = new HashMap<>();
    private final Map<Long, CUevent> events = new HashMap<>();
    private long nextEvent = 1;
    private long peakBytes, liveBytes;
    private boolean closed;

    /** Opens device {@code spec}: loads the driver, checks its version and the device number, makes the stream. */
    public JCudaDevice(CudaDeviceSpec spec) {
        loadDriver();
        this.ordinal = spec.ordinal();
        int[] v = new int[1];
        check(JCudaDriver.cuDriverGetVersion(v), "cuDriverGetVersion");
        String old = CudaErrors.driverTooOld(v[0]);
        if (old != null) throw new IllegalStateException(old);
        this.driverVersion = v[0];
        check(JCudaDriver.cuInit(0), "cuInit");
        int[] count = new int[1];
        check(JCudaDriver.cuDeviceGetCount(count), "cuDeviceGetCount");
        if (count[0] == 0) throw new IllegalStateException(CudaErrors.message("cuDeviceGetCount", CudaErrors.NO_DEVICE, "?", CudaKernels.TARGETS));
        spec.checkAgainst(count[0]);
        check(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet");
        byte[] nameBytes = new byte[256];
        check(JCudaDriver.cuDeviceGetName(nameBytes, nameBytes.length, device), "cuDeviceGetName");
        int len = 0;
        while (len < nameBytes.length && nameBytes[len] != 0) len++;
        this.name = new String(nameBytes, 0, len, StandardCharsets.UTF_8);
        this.computeCapability = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR) + "."
                + attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        long[] total = new long[1];
        check(JCudaDriver.cuDeviceTotalMem(total, device), "cuDeviceTotalMem");
        this.totalBytes = total[0];
        check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
        check(JCudaDriver.cuStreamCreate(stream, 1 /* CU_STREAM_NON_BLOCKING */), "cuStreamCreate");
    }

    /** Loads libJCudaDriver (and through it libcuda.so.1); a machine without a driver gets the "no GPU" message. */
    static synchronized void loadDriver() {
        // the first failure's words are kept: a second touch of the class only says it could not be initialised
        if (loadFailure != null) throw new IllegalStateException(loadFailure);
        try {
            JCudaDriver.setExceptionsEnabled(false);
        } catch (LinkageError e) {
            loadFailure = CudaErrors.noDriver(rootMessage(e));
            throw new IllegalStateException(loadFailure);
        }
    }

    private static String loadFailure;

    /** True when a driver loads and reports at least one device (for the default device choice). */
    public static boolean usable() {
        try {
            loadDriver();
            if (JCudaDriver.cuInit(0) != CudaErrors.SUCCESS) return false;
            int[] count = new int[1];
            return JCudaDriver.cuDeviceGetCount(count) == CudaErrors.SUCCESS && count[0] > 0;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /**
     * The loader's reason in one line: JCuda's message holds nested stack traces of every place it tried, with the
     * dynamic linker's own words ("libcuda.so.1: cannot open shared object file ...") somewhere inside.
     */
    static String rootMessage(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) all.append(t.getMessage()).append('\n');
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("libcuda\\.so[^:\\s]*: [^\\n]*").matcher(all);
        if (m.find()) return m.group();
        String first = all.toString().lines().filter(l -> !l.isBlank()).findFirst().orElse(e.getClass().getSimpleName());
        return first.length() > 200 ? first.substring(0, 200) + "…" : first;
    }

    /** What every kernel may use without asking (the attention kernels of large heads ask for more). */
    private static final int DEFAULT_DYNAMIC_SHARED = 48 * 1024;

    /** Raises a kernel's dynamic shared memory limit (once per kernel and size), after checking the GPU has it. */
    private void allowSharedMemory(String kernel, CUfunction f, int bytes) {
        int most = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);
        if (bytes > most) {
            throw new IllegalStateException(kernel + " needs " + bytes + " bytes of shared memory per block; this GPU ("
                    + computeCapability + ") allows " + most);
        }
        check(JCudaDriver.cuFuncSetAttribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes),
                "cuFuncSetAttribute(" + kernel + ", max dynamic shared memory " + bytes + ")");
        sharedAllowed.put(kernel, bytes);
    }

    private int attribute(int attribute) {
        int[] out = new int[1];
        check(JCudaDriver.cuDeviceGetAttribute(out, attribute, device), "cuDeviceGetAttribute");
        return out[0];
    }

    private void check(int result, String call) {
        if (result == CudaErrors.SUCCESS) return;
        throw new IllegalStateException(CudaErrors.message(call, result, computeCapability == null ? "?" : computeCapability,
                CudaKernels.TARGETS));
    }

    private static CUdeviceptr at(long address) { return ZERO.withByteOffset(address); }

    @Override
    public String describe() {
        return "cuda:" + ordinal + " (" + name + ", compute capability " + computeCapability + ", "
                + String.format("%.1f GiB", totalBytes / (double) (1L << 30)) + "; driver CUDA " + CudaErrors.versionText(driverVersion) + ")";
    }

    @Override
    public long malloc(long bytes) {
        Allocation a = new Allocation();
        int result = JCudaDriver.cuMemAlloc(a, Math.max(1, bytes));
        if (result == CudaErrors.OUT_OF_MEMORY) {
            long[] info = memoryInfo();
            throw new DeviceMemoryException("out of device memory on cuda:" + ordinal + ": " + bytes + " bytes asked for, "
                    + info[0] + " of " + info[1] + " free", bytes);
        }
        check(result, "cuMemAlloc(" + bytes + ")");
        a.bytes = bytes;
        allocations.put(a.address(), a);
        liveBytes += bytes;
        peakBytes = Math.max(peakBytes, liveBytes);
        return a.address();
    }

    @Override
    public void free(long address) {
        if (address == 0) return;
        Allocation a = allocations.remove(address);
        if (a == null) throw new IllegalArgumentException("cuda:" + ordinal + ": free of " + Long.toHexString(address) + ", which is not an allocation");
        liveBytes -= a.bytes;
        // work still queued may read this memory (a weight packed at load, scratch that grew): let it finish first.
        // Frees are rare by design (passes reuse pooled buffers), so the wait costs nothing in steady state.
        synchronize();
        check(JCudaDriver.cuMemFree(a), "cuMemFree");
    }

    @Override
    public void resetPeakBytes() { peakBytes = liveBytes; }

    /** Bytes allocated at most at one time by this device object (the bench's peak memory). */
    @Override
    public long peakBytes() { return peakBytes; }

    /** Pinned host memory and the event that marks the end of the last copy that used it. */
    private final class Pinned {
        final Pointer pointer = new Pointer();
        final ByteBuffer bytes;
        final CUevent done = new CUevent();

        Pinned(long size) {
            check(JCudaDriver.cuMemAllocHost(pointer, size), "cuMemAllocHost(" + size + ")");
            bytes = pointer.getByteBuffer(0, size).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            check(JCudaDriver.cuEventCreate(done, 2 /* CU_EVENT_DISABLE_TIMING */), "cuEventCreate");
        }

        /** Waits until the stream has finished the last copy that used this memory (at once if there was none). */
        void idle() { check(JCudaDriver.cuEventSynchronize(done), "cuEventSynchronize"); }

        void used() { check(JCudaDriver.cuEventRecord(done, stream), "cuEventRecord"); }

        void free() {
            JCudaDriver.cuEventDestroy(done);
            JCudaDriver.cuMemFreeHost(pointer);
        }
    }

    /** The upload ring: host bytes go through these in turn, so an upload returns before the device has read them. */
    private static final int STAGING_SLOTS = 4, STAGING_BYTES = 8 << 20;
    private final Pinned[] staging = new Pinned[STAGING_SLOTS];
    private int nextStaging;
    /** Pinned buffers for copies back to the host, by size (a power of two), reused. */
    private final Map<Long, java.util.ArrayDeque<Pinned>> idleReturns = new HashMap<>();
    private final java.util.List<Pinned> allReturns = new java.util.ArrayList<>();

    /**
     * Copies src through the pinned ring with cuMemcpyHtoDAsync, 8 MiB at a time: each slot is refilled only after the
     * copy that last used it finished, so src is free to reuse on return and the host never waits for kernels (the
     * weights at load stream through the ring while earlier slices are still in flight).
     */
    @Override
    public void copyToDevice(long dst, ByteBuffer src) {
        int n = src.remaining();
        ByteBuffer s = src.duplicate();
        for (int off = 0; off < n; ) {
            int len = Math.min(STAGING_BYTES, n - off);
            int i = nextStaging;
            nextStaging = (nextStaging + 1) % STAGING_SLOTS;
            if (staging[i] == null) staging[i] = new Pinned(STAGING_BYTES);
            Pinned slot = staging[i];
            slot.idle();
            ByteBuffer to = slot.bytes.duplicate();
            to.clear();
            s.limit(s.position() + len);
            to.put(s);
            s.limit(src.limit());
            check(JCudaDriver.cuMemcpyHtoDAsync(at(dst + off), slot.pointer, len, stream), "cuMemcpyHtoDAsync(" + len + " bytes)");
            slot.used();
            off += len;
        }
    }

    /** cuMemcpyDtoHAsync into a pinned buffer of a reused pool, with an event to wait for that copy alone. */
    @Override
    public HostCopy copyToHostAsync(long src, long bytes) {
        long size = DevicePool.sizeClass(bytes);
        java.util.ArrayDeque<Pinned> idle = idleReturns.computeIfAbsent(size, k -> new java.util.ArrayDeque<>());
        Pinned p = idle.isEmpty() ? null : idle.pop();
        if (p == null) {
            p = new Pinned(size);
            allReturns.add(p);
        }
        if (bytes > 0) check(JCudaDriver.cuMemcpyDtoHAsync(p.pointer, at(src), bytes, stream), "cuMemcpyDtoHAsync(" + bytes + " bytes)");
        p.used();
        Pinned pinned = p;
        return new HostCopy() {
            private boolean closed;

            @Override
            public ByteBuffer await() {
                if (closed) throw new IllegalStateException("the copy's memory was given back");
                pinned.idle();
                ByteBuffer b = pinned.bytes.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
                b.clear().limit((int) bytes);
                return b;
            }

            @Override
            public void close() {
                if (closed) return;
                closed = true;
                idle.push(pinned);   // reused only by a later copy, which the stream orders after this one's
            }
        };
    }

    @Override
    public void copyToHost(ByteBuffer dst, long src) {
        int n = dst.remaining();
        if (n == 0) return;
        synchronize();
        if (dst.isDirect()) {
            check(JCudaDriver.cuMemcpyDtoH(Pointer.to(dst.slice()), at(src), n), "cuMemcpyDtoH(" + n + " bytes)");
        } else {
            ByteBuffer d = ByteBuffer.allocateDirect(n);
            check(JCudaDriver.cuMemcpyDtoH(Pointer.to(d), at(src), n), "cuMemcpyDtoH(" + n + " bytes)");
            dst.duplicate().put(d);
        }
    }

    @Override
    public void copyOnDevice(long dst, long src, long bytes) {
        if (bytes == 0) return;
        check(JCudaDriver.cuMemcpyDtoDAsync(at(dst), at(src), bytes, stream), "cuMemcpyDtoDAsync(" + bytes + " bytes)");
    }

    @Override
    public void memsetZero(long dst, long bytes) {
        if (bytes == 0) return;
        check(JCudaDriver.cuMemsetD8Async(at(dst), (byte) 0, bytes, stream), "cuMemsetD8Async");
    }

    private CUfunction function(String kernel) {
        CUfunction f = functions.get(kernel);
        if (f != null) return f;
        for (String family : CudaKernels.FAMILIES) {
            CUmodule m = module(family);
            CUfunction candidate = new CUfunction();
            int result = JCudaDriver.cuModuleGetFunction(candidate, m, kernel);
            if (result == CudaErrors.SUCCESS) {
                functions.put(kernel, candidate);
                return candidate;
            }
            if (result != CudaErrors.NOT_FOUND) check(result, "cuModuleGetFunction(" + kernel + ")");
        }
        throw new IllegalArgumentException("no kernel named " + kernel + " in " + CudaKernels.FAMILIES);
    }

    private CUmodule module(String family) {
        CUmodule m = modules.get(family);
        if (m != null) return m;
        byte[] image;
        try {
            image = CudaKernels.fatbin(family);
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        m = new CUmodule();
        check(JCudaDriver.cuModuleLoadData(m, image), "cuModuleLoadData(" + family + ".fatbin)");
        modules.put(family, m);
        return m;
    }

    @Override
    public void launch(String kernel, Dim3 grid, Dim3 block, int sharedBytes, KernelArgs args) {
        CUfunction f = function(kernel);
        if (sharedBytes > DEFAULT_DYNAMIC_SHARED && sharedAllowed.getOrDefault(kernel, DEFAULT_DYNAMIC_SHARED) < sharedBytes) {
            allowSharedMemory(kernel, f, sharedBytes);
        }
        long[] values = args.values();
        int[] sizes = args.sizes();
        Pointer[] params = new Pointer[values.length];
        for (int i = 0; i < values.length; i++) {
            // each kernel parameter is a pointer to its value, of its own width (little-endian low bytes)
            params[i] = sizes[i] == 4 ? Pointer.to(new int[] {(int) values[i]}) : Pointer.to(new long[] {values[i]});
        }
        check(JCudaDriver.cuLaunchKernel(f, grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(), sharedBytes,
                stream, Pointer.to(params), null), "cuLaunchKernel(" + kernel + ")");
    }

    @Override
    public long recordEvent() {
        CUevent e = new CUevent();
        check(JCudaDriver.cuEventCreate(e, 2 /* CU_EVENT_DISABLE_TIMING */), "cuEventCreate");
        check(JCudaDriver.cuEventRecord(e, stream), "cuEventRecord");
        long id = nextEvent++;
        events.put(id, e);
        return id;
    }

    @Override
    public void waitEvent(long event) {
        CUevent e = events.get(event);
        if (e == null) throw new IllegalArgumentException("unknown event " + event);
        check(JCudaDriver.cuEventSynchronize(e), "cuEventSynchronize");
    }

    @Override
    public void destroyEvent(long event) {
        CUevent e = events.remove(event);
        if (e != null) check(JCudaDriver.cuEventDestroy(e), "cuEventDestroy");
    }

    @Override
    public void synchronize() { check(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize"); }

    @Override
    public long[] memoryInfo() {
        long[] free = new long[1], total = new long[1];
        check(JCudaDriver.cuMemGetInfo(free, total), "cuMemGetInfo");
        return new long[] {free[0], total[0]};
    }

    @Override
    public long stream() { return stream.handle(); }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        synchronize();
        for (CUevent e : events.values()) JCudaDriver.cuEventDestroy(e);
        events.clear();
        for (Pinned p : staging) if (p != null) p.free();
        for (Pinned p : allReturns) p.free();
        allReturns.clear();
        idleReturns.clear();
        for (Allocation a : allocations.values()) JCudaDriver.cuMemFree(a);
        allocations.clear();
        for (CUmodule m : modules.values()) JCudaDriver.cuModuleUnload(m);
        modules.clear();
        functions.clear();
        JCudaDriver.cuStreamDestroy(stream);
        JCudaDriver.cuDevicePrimaryCtxRelease(device);
    }
}
