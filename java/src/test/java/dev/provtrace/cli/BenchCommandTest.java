package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.provtrace.Fixtures;
import dev.provtrace.engine.TestDevices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * bench's reference rates: on the cpu the machine's own sgemm; on a CUDA device the device's own GEMM in the pass's
 * GEMM dtype and its copy bandwidth, the pass's ratio to that GEMM, and the peak device memory (the engine's, not the
 * reference's buffers) beside what full logits would take.
 */
class BenchCommandTest {
    @Test
    void onTheEmulatedDeviceTheReferenceIsTheDevicesOwnGemmAndCopy(@TempDir Path dir) throws Exception {
        assumeTrue(TestDevices.runsOn("cuda-emu"), "no emulated device in this build");
        Path json = dir.resolve("bench.json");
        Path model = Fixtures.hfModel("qwen2");
        TraceCommandTest.Run r = TraceCommandTest.run("bench", "--model", model.toString(), "--device", "cuda-emu",
                "--precision", "bf16", "--shape", "2x40", "--runs", "1", "--device-gemm-n", "64", "--copy-mib", "2",
                "--json", json.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode report = new ObjectMapper().readTree(Files.readString(json));
        JsonNode ref = report.get("device_reference");
        assertTrue(ref.get("gemm").asText().contains("bf16×bf16→fp32 64³"), ref.toString());
        assertTrue(ref.get("gemm_tflops").asDouble() > 0 && ref.get("copy_gb_s").asDouble() > 0, ref.toString());
        assertEquals(2L << 20, ref.get("copy_bytes").asLong());
        JsonNode row = report.get("shapes").get(0);
        assertTrue(row.get("ratio_to_device_gemm").asDouble() > 0, row.toString());
        assertFalse(row.has("ratio_to_sgemm"), row.toString());
        long peak = row.get("peak_device_bytes").asLong(), weights = report.get("weights_bytes").asLong();
        assertTrue(peak > weights, "peak " + peak + " holds the weights " + weights);
        assertTrue(peak < weights + (2L << 20), "peak " + peak + " counts the reference copy's 2 × 2 MiB buffers");
        assertTrue(r.out().contains("device reference:") && r.out().contains("forward pass / device GEMM"), r.out());
        // each op's achieved rate from a profiling pass: the GEMMs against the device GEMM, the norms against the copy
        JsonNode ops = row.get("op_rates");
        for (String op : new String[] {"matmul", "matmul+swiglu", "lm_head+log_softmax", "attention"}) {
            assertTrue(ops.get(op).get("gflop").asDouble() > 0 && ops.get(op).get("ratio_to_device_gemm").asDouble() > 0, op + ": " + ops);
        }
        for (String op : new String[] {"embed", "add+rmsnorm", "rope"}) {
            assertTrue(ops.get(op).get("gbytes").asDouble() > 0 && ops.get(op).get("ratio_to_copy").asDouble() > 0, op + ": " + ops);
        }
        // the GEMM FLOPs of one pass add up to the model's linear layers: 2 · tokens · (their parameters)
        double linear = ops.get("matmul").get("gflop").asDouble() + ops.get("matmul+swiglu").get("gflop").asDouble();
        dev.provtrace.model.ModelConfig c = dev.provtrace.model.ModelConfig.load(model.resolve("config.json"));
        double perLayer = (double) c.hiddenSize() * (c.qDim() + 2.0 * c.kvDim()) + (double) c.qDim() * c.hiddenSize()
                + 3.0 * c.hiddenSize() * c.intermediateSize();
        assertEquals(2.0 * 80 * c.numLayers() * perLayer / 1e9, linear, 1e-9, "GEMM GFLOP of a pass of 80 tokens");
    }

    @Test
    void onTheCpuTheReferenceIsTheMachinesSgemm(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        TraceCommandTest.Run r = TraceCommandTest.run("bench", "--model", Fixtures.hfModel("qwen2").toString(), "--device", "cpu",
                "--shape", "1x16", "--runs", "1", "--sgemm-n", "64", "--json", json.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode report = new ObjectMapper().readTree(Files.readString(json));
        assertFalse(report.has("device_reference"));
        JsonNode row = report.get("shapes").get(0);
        assertTrue(row.get("ratio_to_sgemm").asDouble() > 0 && row.get("sgemm_n").asInt() == 64, row.toString());
        JsonNode g = report.get("gemm_reference");
        assertEquals(64, g.get("n").asInt());
        assertTrue(g.get("backend_gemm").asText().contains("in tiles"), g.toString());
        assertTrue(g.get("backend_gemm_gflops").asDouble() > 0 && g.get("openblas_sgemm_gflops").asDouble() > 0, g.toString());
    }

    @Test
    void givenIdsAreTimedAsGivenAndBadOnesNamed(@TempDir Path dir) throws Exception {
        Path ids = Files.write(dir.resolve("ids.jsonl"), java.util.List.of("{\"input_ids\": [1, 2, 3, 4, 5]}", "", "{\"input_ids\": [7, 8, 9]}"));
        Path json = dir.resolve("bench.json");
        TraceCommandTest.Run r = TraceCommandTest.run("bench", "--model", Fixtures.hfModel("qwen2").toString(), "--device", "cpu",
                "--ids", ids.toString(), "--runs", "1", "--sgemm-n", "64", "--json", json.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode row = new ObjectMapper().readTree(Files.readString(json)).get("shapes").get(0);
        assertEquals(8, row.get("tokens").asInt(), "5 + 3 tokens");
        assertEquals("ids:" + ids, row.get("shape").asText());
        assertEquals(8 / row.get("median_s").asDouble(), row.get("tokens_per_s").asDouble(), 1e-9);
        Path bad = Files.write(dir.resolve("bad.jsonl"), java.util.List.of("{\"input_ids\": [1, 2]}", "{\"input_ids\": [1, 99999]}"));
        TraceCommandTest.Run b = TraceCommandTest.run("bench", "--model", Fixtures.hfModel("qwen2").toString(), "--device", "cpu",
                "--ids", bad.toString(), "--runs", "1", "--sgemm-n", "64");
        assertEquals(1, b.exit(), b.err());   // bad data, as for any input file
        assertTrue(b.err().contains("bad.jsonl:2: input_ids[1] = 99999 is not a token id of this model"), b.err());
    }
}
