package dev.provtrace.engine.cuda;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Java side of the emulated device: library loading from the jar's resources, device memory, and a launch
 * with kernelParams built by {@link KernelArgs}, checked against a plain double-precision RMSNorm; arguments of the
 * wrong width or count and unknown kernels are refused with the kernel named. (Every kernel's numerics are tested
 * on many shapes by the native op tests; this is the path the CUDA backend's launchers take.)
 */
class EmulatedDeviceTest {
    @BeforeAll
    static void load() throws Exception {
        // CI must have it (g++ and the CUDA headers are there); elsewhere a build without them skips this.
        assumeTrue(EmulatedDevice.available() || "true".equals(System.getenv("CI")), "no emulated device in this build");
        EmulatedDevice.load();
    }

    @Test
    void rmsnormThroughKernelArgsMatchesAPlainReference() {
        int rows = 3, dim = 100, guard = 16;
        float eps = 1e-5f;
        Random rnd = new Random(1);
        float[] x = new float[rows * dim], w = new float[dim];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian() * 2;
        for (int i = 0; i < dim; i++) w[i] = 1 + 0.1f * (float) rnd.nextGaussian();
        long dx = upload(x), dw = upload(w);
        long outBytes = 4L * (rows * dim + 2 * guard);
        long dout = EmulatedDevice.malloc(outBytes);
        ByteBuffer out = EmulatedDevice.view(dout, outBytes);
        for (int i = 0; i < rows * dim + 2 * guard; i++) out.putFloat(4 * i, -7.5f);

        EmulatedDevice.launch("rmsnorm_f32", Dim3.of(rows), Dim3.of(64), 0,
                new KernelArgs().ptr(dx).ptr(dw).ptr(dout + 4L * guard).i32(dim).f32(eps));

        for (int r = 0; r < rows; r++) {
            double squares = 0;
            for (int i = 0; i < dim; i++) squares += (double) x[r * dim + i] * x[r * dim + i];
            double inv = 1 / Math.sqrt(squares / dim + eps);
            for (int i = 0; i < dim; i++) {
                double want = w[i] * x[r * dim + i] * inv;
                assertEquals(want, out.getFloat(4 * (guard + r * dim + i)), 2e-6 * Math.max(1, Math.abs(want)), "row " + r + " col " + i);
            }
        }
        for (int i = 0; i < guard; i++) {
            assertEquals(-7.5f, out.getFloat(4 * i), "guard before the output");
            assertEquals(-7.5f, out.getFloat(4 * (guard + rows * dim + i)), "guard after the output");
        }
        EmulatedDevice.free(dx);
        EmulatedDevice.free(dw);
        EmulatedDevice.free(dout);
    }

    @Test
    void argumentsOfTheWrongWidthOrCountAreRefusedWithTheKernelNamed() {
        long d = EmulatedDevice.malloc(1024);
        IllegalStateException wide = assertThrows(IllegalStateException.class, () -> EmulatedDevice.launch("rmsnorm_f32",
                Dim3.of(1), Dim3.of(32), 0, new KernelArgs().ptr(d).ptr(d).ptr(d).i64(8).f32(1e-5f)));
        assertEquals("emulated device: rmsnorm_f32: argument 3 is 4 bytes wide, a 8-byte value was given", wide.getMessage());
        IllegalStateException few = assertThrows(IllegalStateException.class, () -> EmulatedDevice.launch("rmsnorm_f32",
                Dim3.of(1), Dim3.of(32), 0, new KernelArgs().ptr(d).ptr(d).i32(8)));
        assertEquals("emulated device: rmsnorm_f32 takes 5 arguments, 3 given", few.getMessage());
        IllegalStateException unknown = assertThrows(IllegalStateException.class, () -> EmulatedDevice.launch("rmsnorm_f64",
                Dim3.of(1), Dim3.of(32), 0, new KernelArgs()));
        assertEquals("emulated device: no kernel named rmsnorm_f64", unknown.getMessage());
        IllegalStateException geometry = assertThrows(IllegalStateException.class, () -> EmulatedDevice.launch("rmsnorm_f32",
                Dim3.of(1), Dim3.of(2048), 0, new KernelArgs().ptr(d).ptr(d).ptr(d).i32(8).f32(1e-5f)));
        assertTrue(geometry.getMessage().contains("invalid launch geometry (block of 2048 threads"), geometry.getMessage());
        EmulatedDevice.free(d);
    }

    private static long upload(float[] values) {
        long d = EmulatedDevice.malloc(4L * values.length);
        ByteBuffer b = EmulatedDevice.view(d, 4L * values.length);
        for (int i = 0; i < values.length; i++) b.putFloat(4 * i, values[i]);
        return d;
    }
}
