package dev.provtrace.engine.cpu;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The native attention softmax is the one the CPU backend runs wherever the CPU has AVX-512 and CI built the library
 * (its numbers are checked against a double reference in native/cpu/test/softmax_rows_test.c, and through attention
 * against the reference backend by the op suite); a build that lost it must fail here, not fall back unseen.
 */
class NativeSoftmaxTest {
    @Test
    void runsInCiWhereTheCpuHasAvx512() throws Exception {
        assumeTrue("true".equals(System.getenv("CI")), "only CI builds the native library for certain");
        String cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
        assumeTrue(cpuinfo.matches("(?s).*\\bavx512f\\b.*") && cpuinfo.matches("(?s).*\\bavx512dq\\b.*"), "no AVX-512 here");
        assertTrue(NativeSoftmax.usable(), "native softmax not usable: " + CpuNative.whyNotLoaded());
        try (CpuBackend be = new CpuBackend(1)) {
            assertTrue(be.name().contains("attention softmax on AVX-512"), be.name());
        }
    }
}
