package dev.provtrace.provenance;

/**
 * Whether a response's final answer matches the reference. {@link #UNKNOWN} (no answer could be read, or no
 * reference) is its own outcome and must never be counted as wrong.
 */
public enum Correctness {
    CORRECT,
    INCORRECT,
    UNKNOWN
}
