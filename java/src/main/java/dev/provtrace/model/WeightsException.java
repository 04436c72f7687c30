package dev.provtrace.model;

/**
 * A checkpoint whose tensors do not fit its config.json (missing tensor, wrong shape, unusable dtype). The
 * message names the tensor and where it was looked for, because the fix is usually a different download.
 */
public class WeightsException extends RuntimeException {
    public WeightsException(String message) { super(message); }
}
