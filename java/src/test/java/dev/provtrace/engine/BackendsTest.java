package dev.provtrace.engine;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The device lookup: registered providers, the error for an unknown one, and a CPU path free of CUDA classes. */
class BackendsTest {
    @Test
    void cpuAndCudaEmuAreRegisteredAndAnUnknownDeviceNamesThem() {
        assertEquals(List.of("cpu", "cuda-emu", "cuda", "reference"), Backends.providers().stream().map(BackendProvider::device).toList());
        assertEquals("cpu", new EngineOptions(2, 16, false).device());
        assertEquals("cpu", Backends.provider("cpu").device());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.provider("tpu:3"));
        assertEquals("--device tpu:3 is unknown (this build has: cpu, cuda-emu, cuda, reference)", e.getMessage());
        String line = Backends.deviceLine(new EngineOptions(3, 16, false));
        // the test runner sets OMP_NUM_THREADS=1, as the launcher does: oneDNN runs the GEMM tiles
        assertTrue(line.startsWith("device: cpu (oneDNN sgemm in tiles + Vector API, 3 threads), fp32"), line);
    }

    @Test
    void noMainSourceOutsideEngineCudaReferencesIt() throws Exception {
        Path main = Path.of("java/src/main/java/dev/provtrace");
        List<Path> offenders;
        try (Stream<Path> files = Files.walk(main)) {
            offenders = files.filter(p -> p.toString().endsWith(".java") && !p.startsWith(main.resolve("engine/cuda")))
                    .filter(p -> {
                        try {
                            return Files.readString(p).contains("engine.cuda");
                        } catch (java.io.IOException x) {
                            throw new java.io.UncheckedIOException(x);
                        }
                    }).toList();
        }
        assertTrue(Files.isDirectory(main.resolve("engine/cuda")), "sources found from " + Path.of("").toAbsolutePath());
        assertEquals(List.of(), offenders, "the CPU path reaches the CUDA backend only through BackendProvider");
    }
}
