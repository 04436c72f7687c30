package dev.provtrace.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cuBLAS binding on a machine without a GPU. The test with a real cuBLAS runs where one is named by
 * {@code -Dprovtrace.test.cublas} or {@code PROVTRACE_TEST_CUBLAS} (the path of a libcublas.so.12/13, e.g. the
 * nvidia-cublas wheel's nvidia/cu13/lib/libcublas.so.13) and is skipped elsewhere. The failing load runs first: the
 * native side keeps the first cuBLAS that loads for the life of the process.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CublasLibraryTest {
    @BeforeAll
    static void binding() {
        assumeTrue(CublasLibrary.bindingAvailable() || "true".equals(System.getenv("CI")), "no cuBLAS binding in this build");
    }

    @AfterEach
    void clearOverride() { System.clearProperty("provtrace.cublas"); }

    @Test
    @Order(1)
    void aFileThatIsNotALibraryIsReportedWithEveryPlaceTried(@TempDir Path dir) throws IOException {
        assumeFalse(CublasLibrary.isLoaded(), "cuBLAS already loaded in this JVM");
        Path notALibrary = Files.writeString(dir.resolve("libcublas.so.13"), "not an ELF file\n");
        System.setProperty("provtrace.cublas", notALibrary.toString());
        IOException e;
        try {
            CublasLibrary found = CublasLibrary.load();
            abort("this machine has cuBLAS on its loader path: " + found.describe());
            return;
        } catch (IOException thrown) {
            e = thrown;
        }
        String m = e.getMessage();
        // The override first, with the loader's own reason (glibc: "invalid ELF header" or "file too short").
        assertTrue(m.startsWith("cuBLAS not found; tried " + notALibrary + ": "), m);
        assertTrue(m.contains(notALibrary + ": " + notALibrary + ": invalid ELF header")
                || m.contains(notALibrary + ": " + notALibrary + ": file too short"), m);
        assertTrue(m.contains("; libcublas.so.13: libcublas.so.13: cannot open shared object file: No such file or directory"), m);
        assertTrue(m.contains("; libcublas.so.12: libcublas.so.12: cannot open shared object file: No such file or directory"), m);
        assertTrue(m.indexOf(notALibrary.toString()) < m.indexOf("libcublas.so.13:") && m.indexOf("libcublas.so.13:") < m.indexOf("libcublas.so.12:"), m);
        assertTrue(m.contains("Set PROVTRACE_CUBLAS to the path of a libcublas.so"), m);
        assertFalse(CublasLibrary.isLoaded());
    }

    @Test
    @Order(2)
    void aRealCublasLoadsReportsItsVersionAndRefusesAHandleWithoutAGpu() throws IOException {
        String real = System.getProperty("provtrace.test.cublas", System.getenv("PROVTRACE_TEST_CUBLAS"));
        assumeTrue(real != null && !real.isBlank(), "no real libcublas named (-Dprovtrace.test.cublas or PROVTRACE_TEST_CUBLAS)");
        System.setProperty("provtrace.cublas", real);
        CublasLibrary cublas = CublasLibrary.load();
        System.out.println("CublasLibraryTest: " + cublas.describe());
        Path expected = Path.of(real).toRealPath();
        assertEquals(expected, Path.of(cublas.path()).toRealPath());
        int[] v = cublas.version();
        assertTrue(v[0] == 12 || v[0] == 13, cublas.describe());
        assertEquals("cuBLAS " + v[0] + "." + v[1] + "." + v[2] + " (" + cublas.path() + ")", cublas.describe());
        assumeFalse(Files.exists(Path.of("/dev/nvidia0")), "a GPU is present: the no-GPU error cannot be checked");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new CublasGemm(cublas));
        System.out.println("CublasLibraryTest: " + e.getMessage());
        assertEquals("cublasCreate failed with status 1: CUBLAS_STATUS_NOT_INITIALIZED: no usable GPU or NVIDIA driver "
                + "(libcuda.so.1 missing, too old, or no device visible)", e.getMessage());
    }

    @Test
    @Order(3)
    void javaConstantsEqualTheNativeOnes() throws IOException {
        // The C constants are checked against NVIDIA's headers by ctest's cublas_abi_check where the headers exist.
        assertArrayEquals(new int[] {CublasLibrary.CUDA_R_32F, CublasLibrary.CUDA_R_16BF, CublasLibrary.COMPUTE_32F,
                CublasLibrary.COMPUTE_32F_PEDANTIC, CublasLibrary.OP_N, CublasLibrary.OP_T}, CublasLibrary.nativeConstants());
        assertArrayEquals(new int[] {0, 14, 68, 69, 0, 1}, CublasLibrary.nativeConstants());
    }
}
