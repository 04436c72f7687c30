package dev.provtrace.engine.cpu;

/** One growable native fp32 buffer per parallel part, so parts never share scratch memory. */
final class NativeScratch implements AutoCloseable {
    private final CpuBuffer[] perPart;

    NativeScratch(int parts) {
        perPart = new CpuBuffer[parts];
    }

    /** Part {@code part}'s buffer of at least {@code floats} floats (only that part may call this). */
    CpuBuffer get(int part, long floats) {
        CpuBuffer b = perPart[part];
        if (b == null || b.capacity() < floats) {
            if (b != null) b.close();
            b = new CpuBuffer(floats);
            perPart[part] = b;
        }
        return b;
    }

    @Override
    public void close() {
        for (int i = 0; i < perPart.length; i++) {
            if (perPart[i] != null) perPart[i].close();
            perPart[i] = null;
        }
    }
}
