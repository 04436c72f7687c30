package dev.provtrace.engine.cuda;

import dev.provtrace.engine.OutOfDeviceMemoryException;

/** A device allocation that did not fit; the message says how much was asked for and how much is free. */
public final class DeviceMemoryException extends OutOfDeviceMemoryException {
    public DeviceMemoryException(String message, long requested) {
        super(message, requested);
    }
}
