package dev.provtrace.engine;

/**
 * A device allocation that did not fit (GPU memory; the emulated device's host memory). The engine catches it where
 * a pass's activations are allocated and says which {@code --batch-tokens} would fit; the CPU backend never throws it.
 */
public class OutOfDeviceMemoryException extends RuntimeException {
    private final long requested;

    public OutOfDeviceMemoryException(String message, long requested) {
        super(message);
        this.requested = requested;
    }

    /** Bytes the failed allocation asked for. */
    public long requested() { return requested; }
}
