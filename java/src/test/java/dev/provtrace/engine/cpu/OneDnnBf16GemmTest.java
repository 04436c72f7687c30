package dev.provtrace.engine.cpu;

import dev.provtrace.Fixtures;
import dev.provtrace.Fixtures.Reference;
import dev.provtrace.engine.Bf16;
import dev.provtrace.engine.Engine;
import dev.provtrace.engine.EngineOptions;
import dev.provtrace.engine.Precision;
import dev.provtrace.engine.ScoreOptions;
import dev.provtrace.engine.TokenScores;
import dev.provtrace.io.Checkpoint;
import dev.provtrace.model.ModelConfig;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --precision bf16's GEMMs on oneDNN's bf16 matmul ({@link OneDnnBf16Gemm}, {@link Bf16Matmul}; AMX where the CPU
 * has it, AVX512-BF16 here): every output against a double-precision sum of the bf16-rounded inputs, on shapes that
 * cross the row tile, the padded partial tile and the column slices, with guard columns and rows that must stay
 * untouched; then whole fixture models against the rounding route (fp32 GEMMs on rounded inputs) and transformers.
 * Required wherever oneDNN loads (CI's machine), as the rest of the CPU backend is.
 */
class OneDnnBf16GemmTest {
    private static final float SENTINEL = 12345.5f;

    @BeforeAll
    static void oneDnnRuns() {
        assertNull(OneDnnBf16Gemm.whyNot(), "oneDNN's bf16 matmul must run in CI");
        System.out.println("oneDNN bf16 matmul: " + OneDnnBf16Gemm.implementation() + (OneDnnBf16Gemm.amx() ? " (AMX)" : " (no AMX here)"));
    }

    /** m × n × k: 1 row, a partial tile, exactly a tile, more than one tile with a partial one; slices of 64 and more. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"1x1x1", "5x63x7", "16x64x64", "37x65x300", "256x700x33", "300x129x4096", "600x1000x96"})
    void matchesADoubleReference(String shape) {
        String[] d = shape.split("x");
        int m = Integer.parseInt(d[0]), n = Integer.parseInt(d[1]), k = Integer.parseInt(d[2]);
        Random r = new Random(shape.hashCode());
        float[] a = new float[m * k], w = new float[n * k];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian() * (i % 97 == 0 ? 30 : 1);   // some outliers
        for (int i = 0; i < w.length; i++) w[i] = Bf16.round((float) r.nextGaussian() * 0.05f);
        int ldc = n + 3;
        try (Parallel parallel = new Parallel(2); NativeScratch scratch = new NativeScratch(1); Bf16Matmul bf16 = new Bf16Matmul(parallel, scratch, 0);
             FloatPointer x = new FloatPointer(a); BytePointer wb = bf16Bytes(w); FloatPointer c = new FloatPointer((long) (m + 2) * ldc)) {
            for (long i = 0; i < (long) (m + 2) * ldc; i++) c.put(i, SENTINEL);
            OneDnnBf16Gemm.Packed packed = bf16.pack(wb.address(), n, k);
            assertTrue(packed.slices() >= 1 && packed.sliceCols % OneDnnBf16Gemm.SLICE_STEP == 0);
            long abf = bf16.toBf16(x.address(), m, k);
            bf16.gemm(abf, m, packed, 0, n, c.address(), ldc);
            double worstScaled = 0;
            for (int i = 0; i < m + 2; i++) {
                for (int j = 0; j < ldc; j++) {
                    float got = c.get((long) i * ldc + j);
                    if (i >= m || j >= n) {
                        assertEquals(SENTINEL, got, shape + ": guard C[" + i + "][" + j + "] was written");
                        continue;
                    }
                    double sum = 0, abs = 0;
                    for (int t = 0; t < k; t++) {
                        double p = (double) Bf16.round(a[i * k + t]) * w[j * k + t];
                        sum += p;
                        abs += Math.abs(p);
                    }
                    // fp32 sums of exact products: within k · 2⁻²³ of Σ|products| (a loose bound; measured far below)
                    double err = Math.abs(got - sum), bound = k * 0x1p-23 * abs + 1e-30;
                    assertTrue(err <= bound, shape + ": C[" + i + "][" + j + "] = " + got + ", reference " + sum + " (bound " + bound + ")");
                    worstScaled = Math.max(worstScaled, err / Math.max(abs, 1e-30));
                }
            }
            // rounding A to bf16 matters: unrounded fp32 inputs would be off by ~2⁻⁹ of Σ|products|, far above this
            assertTrue(worstScaled < 1e-5, shape + ": worst error " + worstScaled + " of Σ|products|");
        }
    }

    /** The LM head's use: a run of whole slices from a column that starts a slice, into a logits block of its own. */
    @Test
    void columnRangesStartAtSlices() {
        int m = 20, n = 3000, k = 2048;   // slices of 256 columns at k = 2048
        Random r = new Random(7);
        float[] a = new float[m * k], w = new float[n * k];
        for (int i = 0; i < a.length; i++) a[i] = Bf16.round((float) r.nextGaussian());
        for (int i = 0; i < w.length; i++) w[i] = Bf16.round((float) r.nextGaussian());
        try (Parallel parallel = new Parallel(2); NativeScratch scratch = new NativeScratch(1); Bf16Matmul bf16 = new Bf16Matmul(parallel, scratch, 0);
             FloatPointer x = new FloatPointer(a); BytePointer wb = bf16Bytes(w)) {
            OneDnnBf16Gemm.Packed packed = bf16.pack(wb.address(), n, k);
            int slice = packed.sliceCols, col0 = 2 * slice, cols = n - col0;   // to the end: the last slice is partial
            assertEquals(256, slice);
            try (FloatPointer c = new FloatPointer((long) m * cols)) {
                bf16.gemm(bf16.toBf16(x.address(), m, k), m, packed, col0, cols, c.address(), cols);
                for (int i = 0; i < m; i += 7) {
                    for (int j = 0; j < cols; j += 131) {
                        double sum = 0;
                        for (int t = 0; t < k; t++) sum += (double) a[i * k + t] * w[(col0 + j) * k + t];
                        assertEquals(sum, c.get((long) i * cols + j), 1e-4 * Math.sqrt(k), "C[" + i + "][" + (col0 + j) + "]");
                    }
                }
            }
            assertThrows(IllegalArgumentException.class, () -> bf16.gemm(0, m, packed, 1, 10, 0, 10), "a column inside a slice");
        }
    }

    @Test
    void aWrongModeIsRefusedByName() {
        String before = System.getProperty("provtrace.cpu.bf16");
        try {
            System.setProperty("provtrace.cpu.bf16", "amx");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, OneDnnBf16Gemm::chosen);
            assertTrue(e.getMessage().contains("provtrace.cpu.bf16") && e.getMessage().contains("'amx'"), e.getMessage());
        } finally {
            if (before == null) System.clearProperty("provtrace.cpu.bf16"); else System.setProperty("provtrace.cpu.bf16", before);
        }
    }

    /**
     * A bf16 checkpoint scored at --precision bf16 with its GEMMs on oneDNN against the rounding route (the same
     * rounded inputs, fp32 GEMMs: the same products, summed in another order) and against transformers' fp32.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama-bf16", "qwen2-bf16"})
    void aBf16CheckpointMatchesTheRoundingRoute(String name) throws Exception {
        Path dir = Fixtures.hfModel(name);
        List<Reference> refs = Fixtures.expected(dir);
        List<int[]> seqs = new ArrayList<>();
        for (Reference ref : refs) seqs.add(ref.ids());
        EngineOptions options = new EngineOptions(2, 4096, false).withPrecision(Precision.BF16);
        List<TokenScores> onednn = score(dir, new CpuBackend(2, false, true, NativeAttention.usable()), options, seqs, true);
        List<TokenScores> rounding = score(dir, new CpuBackend(2, false, false, NativeAttention.usable()), options, seqs, false);
        double sum = 0, worst = 0, sumHf = 0, worstHf = 0;
        int count = 0;
        for (int s = 0; s < seqs.size(); s++) {
            for (int t = 1; t < seqs.get(s).length; t++) {
                double d = Math.abs(onednn.get(s).logprobs()[t] - rounding.get(s).logprobs()[t]);
                double h = Math.abs(onednn.get(s).logprobs()[t] - refs.get(s).logprobs()[t]);
                sum += d;
                worst = Math.max(worst, d);
                sumHf += h;
                worstHf = Math.max(worstHf, h);
                count++;
            }
        }
        System.out.printf("%s: oneDNN bf16 vs the rounding route: mean |Δ| %.2e, max %.2e; vs transformers fp32: mean %.2e, max %.2e (%d tokens)%n",
                name, sum / count, worst, sumHf / count, worstHf, count);
        assertTrue(sum / count <= 3e-3 && worst <= 3e-2, name + ": mean " + sum / count + ", max " + worst + " from the rounding route");
        assertTrue(sumHf / count <= 0.02 && worstHf <= 0.15, name + ": mean " + sumHf / count + ", max " + worstHf + " from transformers");
    }

    private static List<TokenScores> score(Path dir, CpuBackend backend, EngineOptions options, List<int[]> seqs, boolean onednn) throws Exception {
        ModelConfig config = ModelConfig.load(dir.resolve("config.json"));
        try (Checkpoint ckpt = Checkpoint.open(dir); Engine engine = new Engine(config, ckpt, backend, options)) {
            assertEquals(onednn, backend.name().contains("oneDNN bf16 matmul"), backend.name());
            return engine.score(seqs, ScoreOptions.LOGPROBS_ONLY, null);
        }
    }

    /** fp32 values (already bf16) as little-endian bf16 bytes in native memory. */
    private static BytePointer bf16Bytes(float[] v) {
        BytePointer p = new BytePointer(2L * v.length);
        for (int i = 0; i < v.length; i++) p.putShort(2L * i, (short) (Float.floatToRawIntBits(v[i]) >>> 16));
        return p;
    }
}
