package dev.provtrace.engine.cpu;

import dev.provtrace.engine.check.OpResult;
import dev.provtrace.engine.check.OpSuite;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CPU's native attention kernels (their numbers checked against double references in native/cpu/test/
 * attention_f32_test.c and softmax_rows_test.c): the fused attention is what the CPU backend runs wherever the CPU
 * has AVX-512 and CI built the library, and a build that lost it must fail here, not fall back unseen. Both the
 * fused and the unfused path (sgemm + the native softmax, still used past head_dim 256) pass the op suite's
 * attention cases against the reference backend.
 */
class NativeAttentionTest {
    private static boolean avx512() throws Exception {
        String cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
        return cpuinfo.matches("(?s).*\\bavx512f\\b.*") && cpuinfo.matches("(?s).*\\bavx512dq\\b.*");
    }

    @Test
    void runsInCiWhereTheCpuHasAvx512() throws Exception {
        assumeTrue("true".equals(System.getenv("CI")), "only CI builds the native library for certain");
        assumeTrue(avx512(), "no AVX-512 here");
        assertTrue(NativeSoftmax.usable(), "native softmax not usable: " + CpuNative.whyNotLoaded());
        assertTrue(NativeAttention.usable(), "fused attention not usable: " + CpuNative.whyNotLoaded());
        try (CpuBackend be = new CpuBackend(1)) {
            assertTrue(be.name().contains("fused attention on AVX-512"), be.name());
        }
    }

    @Test
    void fusedAndUnfusedAttentionMatchTheReference() {
        assumeTrue(NativeAttention.usable(), "no fused attention in this build or on this CPU");
        for (boolean fused : new boolean[] {true, false}) {
            try (CpuBackend be = new CpuBackend(2, false, false, fused)) {
                assertTrue(be.name().contains("fused attention") == fused, be.name());
                List<OpResult> results = OpSuite.run(be, "attention"::equals, 7);
                assertTrue(results.size() >= 15, "cases: " + results.size());
                List<OpResult> failed = results.stream().filter(r -> !r.passed()).toList();
                assertTrue(failed.isEmpty(), (fused ? "fused: " : "unfused: ") + failed);
            }
        }
    }
}
