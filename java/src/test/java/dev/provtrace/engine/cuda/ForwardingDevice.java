package dev.provtrace.engine.cuda;

import java.nio.ByteBuffer;

/** The emulated device behind a forwarding {@link CudaDevice}, for tests that count or limit what goes through it. */
class ForwardingDevice implements CudaDevice {
    final EmulatedCudaDevice d;

    ForwardingDevice() throws java.io.IOException { d = new EmulatedCudaDevice(); }

    @Override public String describe() { return d.describe(); }
    @Override public long malloc(long bytes) { return d.malloc(bytes); }
    @Override public void free(long address) { d.free(address); }
    @Override public void copyToDevice(long dst, ByteBuffer src) { d.copyToDevice(dst, src); }
    @Override public void copyToHost(ByteBuffer dst, long src) { d.copyToHost(dst, src); }
    @Override public void memsetZero(long dst, long bytes) { d.memsetZero(dst, bytes); }
    @Override public HostCopy copyToHostAsync(long src, long bytes) { return d.copyToHostAsync(src, bytes); }
    @Override public void copyOnDevice(long dst, long src, long bytes) { d.copyOnDevice(dst, src, bytes); }
    @Override public void launch(String k, Dim3 g, Dim3 b, int s, KernelArgs a) { d.launch(k, g, b, s, a); }
    @Override public long recordEvent() { return d.recordEvent(); }
    @Override public void waitEvent(long e) { d.waitEvent(e); }
    @Override public void destroyEvent(long e) { d.destroyEvent(e); }
    @Override public void synchronize() { d.synchronize(); }
    @Override public long[] memoryInfo() { return d.memoryInfo(); }
    @Override public long stream() { return d.stream(); }
    @Override public void close() { d.close(); }
}
