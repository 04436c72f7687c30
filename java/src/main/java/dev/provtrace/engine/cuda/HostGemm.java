package dev.provtrace.engine.cuda;

import dev.provtrace.io.DType;
import dev.provtrace.io.FloatConversions;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.presets.openblas_nolapack;

import java.nio.FloatBuffer;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

/**
 * {@link Gemm} of the emulated device: its device memory is host memory, so OpenBLAS sgemm runs on the device
 * addresses in place. A bf16 × bf16 GEMM widens x once and w a slice of rows at a time (at most
 * {@code widenFloats} floats of w, as the CPU backend does), so a bf16 checkpoint is never held whole in fp32.
 */
public final class HostGemm implements Gemm {
    private final int threads;
    private final int widenFloats;
    private long wide;          // device scratch for the widened slice
    private long wideFloats;

    public HostGemm(int threads, int widenFloats) {
        if (widenFloats < 1) throw new IllegalArgumentException("widenFloats must be >= 1, got " + widenFloats);
        this.threads = threads;
        this.widenFloats = widenFloats;
        openblas_nolapack.blas_set_num_threads(threads);
    }

    /** A JavaCPP pointer at a raw address (no ownership: the device memory is freed by its owner). */
    static FloatPointer at(long deviceAddress) {
        if (deviceAddress == 0) throw new IllegalArgumentException("GEMM on a null device address");
        // (the parameter is not named address: inside the subclass that name is Pointer's own field)
        return new FloatPointer(new Pointer() {
            {
                this.address = deviceAddress;
            }
        });
    }

    @Override
    public void matmul(long x, long w, DType type, long out, int rows, int n, int k, float beta) {
        if (rows == 0 || n == 0) return;
        if (type == DType.F32) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, n, k, 1f, at(x), k, at(w), k, beta, at(out), n);
            return;
        }
        if (type != DType.BF16) throw new IllegalArgumentException("emulated device GEMM: inputs must be F32 or BF16, got " + type);
        // bf16 × bf16 with fp32 accumulation, as cuBLAS: both sides widened exactly, then sgemm (each product of two
        // bf16 values is exact in fp32, so only the order of the fp32 sums differs from the GPU's)
        long xs = (long) rows * k;
        int chunk = (int) Math.max(1, Math.min(n, widenFloats / Math.max(1, k)));
        ensureWide(xs + (long) chunk * k);
        widenBf16(x, xs, wide);
        long wSlice = wide + 4 * xs;
        for (int n0 = 0; n0 < n; n0 += chunk) {
            int nc = Math.min(chunk, n - n0);
            widenBf16(w + 2L * n0 * k, (long) nc * k, wSlice);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, nc, k, 1f, at(wide), k, at(wSlice), k, beta,
                    at(out + 4L * n0), n);
        }
    }

    private void ensureWide(long floats) {
        if (floats <= wideFloats) return;
        if (wide != 0) EmulatedDevice.free(wide);
        wide = EmulatedDevice.malloc(4 * floats);
        wideFloats = floats;
    }

    /** dst[i] = fp32 of the bf16 src[i], i < n (through FloatConversions, as every bf16 weight is widened). */
    static void widenBf16(long src, long n, long dst) {
        long done = 0, slice = 1 << 20;
        float[] f = new float[(int) Math.min(slice, n)];
        while (done < n) {
            int len = (int) Math.min(slice, n - done);
            FloatConversions.widen(EmulatedDevice.view(src + 2 * done, 2L * len), DType.BF16, f, 0, len);
            FloatBuffer d = EmulatedDevice.view(dst + 4 * done, 4L * len).asFloatBuffer();
            d.put(f, 0, len);
            done += len;
        }
    }

    @Override
    public String describe() { return "host OpenBLAS sgemm, " + threads + " threads"; }

    @Override
    public void close() {
        if (wide != 0) EmulatedDevice.free(wide);
        wide = 0;
        wideFloats = 0;
    }
}
