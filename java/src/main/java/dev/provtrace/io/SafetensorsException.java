package dev.provtrace.io;

/**
 * A safetensors file or model folder that cannot be read faithfully. The message names the file (or folder),
 * the tensor when there is one, and what is wrong, because the user has to find and fix the file by hand.
 * Unchecked, because {@link Checkpoint#tensor} and {@link TensorView#map} report it and declare no exceptions.
 */
public class SafetensorsException extends RuntimeException {
    public SafetensorsException(String message) { super(message); }

    public SafetensorsException(String message, Throwable cause) { super(message, cause); }
}
