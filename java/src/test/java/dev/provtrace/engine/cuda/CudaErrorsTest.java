package dev.provtrace.engine.cuda;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CudaErrorsTest {
    @Test
    void driverVersions() {
        assertEquals("13.0", CudaErrors.versionText(13000));
        assertEquals("12.6", CudaErrors.versionText(12060));
        assertNull(CudaErrors.driverTooOld(13000));
        assertTrue(CudaErrors.driverTooOld(11080).contains("supports CUDA 11.8, provtrace needs CUDA 12.0"));
    }

    @Test
    void missingKernelImageNamesGpuAndTargets() {
        String m = CudaErrors.message("cuModuleLoadData(attention.fatbin)", CudaErrors.NO_BINARY_FOR_GPU, "7.5",
                List.of("sm_80", "sm_86", "sm_89", "sm_90", "compute_90"));
        assertTrue(m.contains("compute capability 7.5"), m);
        assertTrue(m.contains("sm_80, sm_86, sm_89, sm_90, compute_90"), m);
        assertTrue(m.contains("attention.fatbin"), m);
    }

    @Test
    void noDeviceAndOldDriver() {
        assertTrue(CudaErrors.message("cuInit", CudaErrors.NO_DEVICE, "?", List.of()).startsWith("no GPU or driver"));
        assertTrue(CudaErrors.message("cuInit", CudaErrors.INSUFFICIENT_DRIVER, "?", List.of()).contains("too old"));
        assertTrue(CudaErrors.noDriver("libcuda.so.1: cannot open shared object file").contains("libcuda.so.1 could not be loaded"));
        assertEquals("cuLaunchKernel failed with CUresult 719", CudaErrors.message("cuLaunchKernel", 719, "9.0", List.of()));
    }

    @Test
    void deviceNames() {
        assertEquals(0, CudaDeviceSpec.parse("cuda").ordinal());
        assertEquals(3, CudaDeviceSpec.parse("cuda:3").ordinal());
        assertTrue(CudaDeviceSpec.isCuda("cuda:1"));
        assertTrue(!CudaDeviceSpec.isCuda("cuda-emu"));
        assertThrows(IllegalArgumentException.class, () -> CudaDeviceSpec.parse("cuda:x"));
        assertThrows(IllegalArgumentException.class, () -> CudaDeviceSpec.parse("cuda:"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CudaDeviceSpec.parse("cuda:2").checkAgainst(1));
        assertEquals("--device cuda:2: this machine has 1 CUDA device (cuda:0)", e.getMessage());
    }
}
