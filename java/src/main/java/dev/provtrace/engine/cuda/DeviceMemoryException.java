package dev.provtrace.engine.cuda;

/** A device allocation that did not fit; the message says how much was asked for and how much is free. */
public final class DeviceMemoryException extends RuntimeException {
    private final long requested;

    public DeviceMemoryException(String message, long requested) {
        super(message);
        this.requested = requested;
    }

    /** Bytes the failed allocation asked for. */
    public long requested() { return requested; }
}
