package dev.provtrace.engine;

/**
 * A device's own rates measured in the same run as a benchmark, so the benchmark's figures are ratios that mean the
 * same on any card: a large square GEMM in the pass's GEMM dtype and the device-to-device copy bandwidth.
 *
 * @param gemm              what was run, e.g. "cuBLAS bf16×bf16→fp32 8192³"
 * @param gemmFlopsPerS     2n³ per GEMM over the best of the timed runs
 * @param copyBytesPerS     bytes read plus bytes written per second of a large device-to-device copy, best run (NaN
 *                          when no copy was asked for)
 * @param copyBytes         size of that copy (0: none)
 */
public record DeviceRates(String gemm, double gemmFlopsPerS, double copyBytesPerS, long copyBytes) {}
