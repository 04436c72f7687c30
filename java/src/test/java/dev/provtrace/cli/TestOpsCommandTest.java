package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code provtrace test-ops}: the summary lines, the JSON of every comparison, and its usage errors. */
class TestOpsCommandTest {
    @Test
    void checksTheChosenOpsOnTheCpuAndWritesEveryComparison(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("ops.json");
        SegmentCommandTest.Run r = SegmentCommandTest.run("test-ops", "--device", "cpu", "--op", "rmsnorm,add", "--threads", "1",
                "--json", json.toString());
        assertEquals(0, r.exit(), r.stderr() + r.stdout());
        assertTrue(r.stdout().startsWith("cpu: cpu (oneDNN sgemm in tiles"), r.stdout());
        assertTrue(r.stdout().contains("  rmsnorm              16/16   OK"), r.stdout());
        assertTrue(r.stdout().contains("  add                   3/3    OK"), r.stdout());
        assertTrue(r.stdout().contains("cpu: 19/19 comparisons passed"), r.stdout());
        assertFalse(r.stdout().contains("matmul"), "only the chosen ops run");
        JsonNode report = new ObjectMapper().readTree(Files.readString(json));
        assertEquals(0, report.get("failed").asInt());
        JsonNode cpu = report.get("devices").get(0);
        assertEquals("cpu", cpu.get("device").asText());
        assertEquals(19, cpu.get("passed").asInt());
        assertEquals(19, cpu.get("results").size());
        Set<String> ops = new HashSet<>();
        for (JsonNode c : cpu.get("results")) {
            ops.add(c.get("op").asText());
            assertTrue(c.get("passed").asBoolean());
            assertTrue(c.get("nmse").asDouble() <= c.get("tolerance").asDouble(), c.toString());
        }
        assertEquals(Set.of("rmsnorm", "add"), ops);
    }

    @Test
    void opsAreChosenByTheNamesTheResultsCarryAndAnUnknownOpOrDeviceIsAUsageError() {
        SegmentCommandTest.Run op = SegmentCommandTest.run("test-ops", "--device", "cpu", "--op", "conv2d");
        assertEquals(2, op.exit());
        assertTrue(op.stderr().contains("--op conv2d is not an op (ops: embed, rmsnorm, matmul,"), op.stderr());
        SegmentCommandTest.Run score = SegmentCommandTest.run("test-ops", "--device", "cpu", "--op", "score", "--threads", "1");
        assertEquals(0, score.exit(), score.stderr());   // an op checked inside the pass cases, chosen by its own name
        assertTrue(score.stdout().contains("  score                 8/8    OK"), score.stdout());
        SegmentCommandTest.Run dev = SegmentCommandTest.run("test-ops", "--device", "tpu");
        assertEquals(2, dev.exit());
        assertTrue(dev.stderr().contains("--device tpu is unknown"), dev.stderr());
        assertEquals("", dev.stdout());
    }

    @Test
    void fp16ChecksTheCpusFp16GemmsAndIsRefusedElsewhere() {
        SegmentCommandTest.Run off = SegmentCommandTest.run("test-ops", "--device", "cuda-emu", "--precision", "fp16");
        assertEquals(2, off.exit());
        assertTrue(off.stderr().contains("--precision fp16 runs on --device cpu only (AVX512-FP16 GEMMs); --device cuda-emu has fp32 and bf16"),
                off.stderr());
        SegmentCommandTest.Run bf16 = SegmentCommandTest.run("test-ops", "--precision", "bf16");
        assertEquals(2, bf16.exit());
        assertTrue(bf16.stderr().contains("--precision takes fp32 or fp16 here"), bf16.stderr());
        assumeTrue(dev.provtrace.engine.TestDevices.fp16Runs("cpu"), "this CPU has no AVX512-FP16");
        SegmentCommandTest.Run r = SegmentCommandTest.run("test-ops", "--precision", "fp16", "--op", "matmul,gate_up_swiglu", "--threads", "2");
        assertEquals(0, r.exit(), r.stderr() + r.stdout());
        assertTrue(r.stdout().startsWith("cpu: cpu (our AVX512-FP16 GEMM in tiles"), r.stdout());
        assertTrue(r.stdout().contains("  matmul ") && r.stdout().contains("  gate_up_swiglu "), r.stdout());
    }
}
