package dev.provtrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.provtrace.engine.TestDevices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code logprobs --device}: the emulated CUDA device gives the CPU's numbers (fp32: log-probs and entropies within
 * 1e-4, the same top-k ids), the first line on stderr names the device, an unknown device is a clear error.
 */
class LogprobsDeviceTest {
    private static final String INPUT = "{\"id\": \"a\", \"text\": \"The answer is 42.\"}\n"
            + "{\"id\": \"b\", \"text\": \"Seven times six is forty-two, so the answer is 42.\"}\n";

    private static LogprobsCommandTest.Run score(Path dir, Path model, String device) throws Exception {
        Path in = dir.resolve("in.jsonl"), out = dir.resolve(device + ".jsonl");
        Files.writeString(in, INPUT);
        return LogprobsCommandTest.run(out, "logprobs", "--model", model.toString(), "--input", in.toString(), "--output",
                out.toString(), "--device", device, "--threads", "2", "--top-k", "3", "--entropy", "--quiet");
    }

    @Test
    void cudaEmuGivesTheCpusNumbers(@TempDir Path dir) throws Exception {
        assumeTrue(TestDevices.runsOn("cuda-emu"), "no emulated device in this build");
        Path model = LogprobsCommandTest.modelWithTokenizer(dir);
        LogprobsCommandTest.Run cpu = score(dir, model, "cpu"), emu = score(dir, model, "cuda-emu");
        assertEquals(0, cpu.exit(), cpu.stderr());
        assertEquals(0, emu.exit(), emu.stderr());
        assertTrue(cpu.stderr().startsWith("device: cpu (oneDNN sgemm in tiles + Vector API, 2 threads), fp32\n"), cpu.stderr());
        assertTrue(emu.stderr().startsWith("device: cuda-emu (emulated CUDA device, slow; for tests), fp32"), emu.stderr());
        assertEquals(2, emu.lines().size());
        for (int i = 0; i < 2; i++) {
            JsonNode want = cpu.lines().get(i), got = emu.lines().get(i);
            assertEquals(want.get("input_ids"), got.get("input_ids"));
            int n = want.get("input_ids").size();
            assertTrue(n > 5, "a real text: " + n + " tokens");
            assertTrue(got.get("token_logprobs").get(0).isNull());
            for (int t = 1; t < n; t++) {
                String where = want.get("id").asText() + " token " + t;
                assertEquals(want.get("token_logprobs").get(t).asDouble(), got.get("token_logprobs").get(t).asDouble(), 1e-4, where);
                assertEquals(want.get("entropy").get(t).asDouble(), got.get("entropy").get(t).asDouble(), 1e-4, "entropy " + where);
                for (int j = 0; j < 3; j++) {
                    JsonNode a = want.get("top_k").get(t).get(j), b = got.get("top_k").get(t).get(j);
                    assertEquals(a.get(0).asInt(), b.get(0).asInt(), "top-" + (j + 1) + " id, " + where);
                    assertEquals(a.get(1).asDouble(), b.get(1).asDouble(), 1e-4, "top-" + (j + 1) + " log-prob, " + where);
                }
            }
        }
    }

    @Test
    void anUnknownDeviceIsAClearError(@TempDir Path dir) throws Exception {
        Path model = LogprobsCommandTest.modelWithTokenizer(dir);
        LogprobsCommandTest.Run r = score(dir, model, "tpu");
        assertEquals(2, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("--device tpu is unknown (this build has: cpu, cuda-emu, cuda, reference)"), r.stderr());
        assertTrue(r.lines().isEmpty(), "nothing is written");
    }
}
