package dev.provtrace.engine.cpu;

/** A few growable native fp32 buffers, one per purpose (slot), reused across calls. */
final class NativeScratch implements AutoCloseable {
    private final CpuBuffer[] slots;

    NativeScratch(int count) {
        slots = new CpuBuffer[count];
    }

    /** Slot {@code part}'s buffer, grown to at least {@code floats} floats. */
    CpuBuffer get(int part, long floats) {
        CpuBuffer b = slots[part];
        if (b == null || b.capacity() < floats) {
            if (b != null) b.close();
            b = new CpuBuffer(floats);
            slots[part] = b;
        }
        return b;
    }

    @Override
    public void close() {
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) slots[i].close();
            slots[i] = null;
        }
    }
}
