package dev.provtrace.engine.cuda;

import dev.provtrace.engine.BackendProvider;
import dev.provtrace.engine.Backends;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The cuda provider on a machine without a GPU (this one and CI): it is found for cuda and cuda:N, says it is not
 * available with the "no GPU or driver" reason (JCuda's driver library cannot load without libcuda.so.1), the
 * default device falls back to cpu, and a launch never gets as far as a JVM crash.
 */
class CudaProviderTest {
    private static boolean hasDriver() {
        return Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libcuda.so.1")) || Files.exists(Path.of("/usr/lib64/libcuda.so.1"));
    }

    @Test
    void cudaAndCudaNAreTheCudaProvider() {
        BackendProvider p = new CudaProvider();
        assertTrue(p.accepts("cuda"));
        assertTrue(p.accepts("cuda:3"));
        assertFalse(p.accepts("cuda-emu"));
        assertFalse(p.accepts("cpu"));
        assertTrue(p.preferredByDefault());
    }

    @Test
    void withoutADriverItIsUnavailableWithTheNoGpuMessageAndTheDefaultIsCpu() {
        assumeFalse(hasDriver(), "this machine has a CUDA driver");
        CudaProvider p = new CudaProvider();
        assertFalse(p.available());
        assertTrue(p.unavailableReason().startsWith("no GPU or driver"), p.unavailableReason());
        assertEquals("cpu", Backends.defaultDevice());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.provider("cuda:1"));
        assertTrue(e.getMessage().contains("--device cuda:1 is not available") && e.getMessage().contains("no GPU or driver"), e.getMessage());
        IllegalStateException open = assertThrows(IllegalStateException.class, () -> new JCudaDevice(CudaDeviceSpec.parse("cuda")));
        assertTrue(open.getMessage().contains("libcuda.so.1"), open.getMessage());
    }

    @Test
    void everyKernelFileIsAFamilyTheDeviceLoads() throws IOException {
        Path kernels = Path.of(System.getProperty("user.dir")).resolve("kernels");
        if (!Files.isDirectory(kernels)) kernels = Path.of(System.getProperty("user.dir")).getParent().resolve("kernels");
        List<String> files;
        try (Stream<Path> s = Files.list(kernels)) {
            files = s.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".cu")).map(n -> n.substring(0, n.length() - 3))
                    .sorted().toList();
        }
        assertEquals(files, CudaKernels.FAMILIES.stream().sorted().toList());
    }
}
