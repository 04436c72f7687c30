package dev.provtrace.engine.check;

/**
 * One output of one op case compared with the reference backend.
 *
 * @param op        the op ({@code rmsnorm}, {@code attention}, ...: what {@code test-ops --op} selects)
 * @param shape     the case's shapes and switches, e.g. {@code rows=7 dim=33 weight=bf16}
 * @param output    which output was compared ({@code out}, {@code logprob}, {@code top-k ids}, ...)
 * @param nmse      Σ(got − want)² / Σ want² (Σ(got − want)² when want is all zero); 0 for exact comparisons that hold
 * @param tolerance the largest NMSE allowed (0: bitwise equal)
 * @param failure   why the case failed (tolerance exceeded, a guard written, an exception), or null when it passed
 */
public record OpResult(String op, String shape, String output, double nmse, double tolerance, String failure) {
    public boolean passed() { return failure == null; }
}
