package dev.provtrace.engine.check;

import dev.provtrace.engine.Backend;
import dev.provtrace.engine.Backend.Buffer;
import dev.provtrace.engine.Backend.Weight;
import dev.provtrace.engine.Bf16;
import dev.provtrace.io.DType;
import dev.provtrace.io.MemoryCheckpoint;
import dev.provtrace.io.TensorView;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * What the op cases share: the backend under test and the reference side by side, inputs made once and given to
 * both, guard regions, and the comparisons that become {@link OpResult}s.
 * <p>
 * Guards: every buffer of the tested backend has {@link #GUARD} floats after its end filled with a sentinel that no
 * op may change (the CUDA backend in the op tests also guards both ends of its device buffers itself: see
 * {@link Backend#guardsIntact()}). Outputs start as NaN on the tested side, so an element an op forgot to write fails
 * the comparison instead of matching a zero by chance.
 */
final class OpHarness implements AutoCloseable {
    static final int GUARD = 16;
    private static final float SENTINEL = -7.75e33f;

    final Backend tested;
    final ReferenceBackend ref = new ReferenceBackend();
    final Random rnd;
    private final MemoryCheckpoint tensors = new MemoryCheckpoint();
    private final List<Buffer> buffers = new ArrayList<>();
    private final List<OpResult> results = new ArrayList<>();

    OpHarness(Backend tested, long seed) {
        this.tested = tested;
        this.rnd = new Random(seed);
    }

    List<OpResult> results() { return results; }

    float[] gaussian(int n, double sd) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) (rnd.nextGaussian() * sd);
        return out;
    }

    /** 1 + gaussian: a norm weight. */
    float[] normWeight(int n) {
        float[] w = gaussian(n, 0.3);
        for (int i = 0; i < n; i++) w[i] += 1;
        return w;
    }

    /** A weight on each side: [tested, reference]. */
    Weight[] weight(float[] values, DType dtype, long... shape) {
        TensorView t = tensors.addValues(dtype, values, shape);   // bf16: truncated, which both sides then read
        return new Weight[] {tested.weight(t), ref.weight(t)};
    }

    /** The same values in a buffer on each side: [tested, reference]. */
    Buffer[] input(float[] values) { return input(DType.F32, values); }

    /**
     * The same values in a buffer of {@code dtype} on each side (bf16: both round them to bf16 on the way in), the
     * tested one followed by its guard.
     */
    Buffer[] input(DType dtype, float[] values) {
        Buffer t = tested.allocate(dtype, (long) values.length + GUARD), r = ref.allocate(dtype, values.length);
        t.write(0, values);
        float[] guard = new float[GUARD];
        Arrays.fill(guard, SENTINEL);
        t.write(values.length, guard);
        r.write(0, values);
        buffers.add(t);
        return new Buffer[] {t, r};
    }

    /** An output of n elements on each side: NaN on the tested side, zero on the reference's. */
    Buffer[] output(int n) { return output(DType.F32, n); }

    /** An output of n elements of {@code dtype} on each side: NaN on the tested side, zero on the reference's. */
    Buffer[] output(DType dtype, int n) {
        float[] nan = new float[n];
        Arrays.fill(nan, Float.NaN);
        Buffer[] b = input(dtype, nan);
        b[1].write(0, new float[n]);
        return b;
    }

    /** The activation dtypes to test: fp32, and bf16 where the backend has bf16 buffers. */
    /** The NMSE bound of an output that passed through a GEMM with a weight: fp32's, or fp16's where it rounds. */
    double gemm() {
        return tested.fp16Gemms() ? OpSuite.FP16_GEMM : OpSuite.F32;
    }

    DType[] activationTypes() {
        return tested.nativeBf16() ? new DType[] {DType.F32, DType.BF16} : new DType[] {DType.F32};
    }

    /** Compares the first n elements of an output pair within an NMSE tolerance and checks the tested side's guard. */
    void compare(String op, String shape, String output, Buffer[] pair, int n, double tolerance) {
        float[] got = pair[0].read(0, n + GUARD), want = pair[1].read(0, n);
        String guard = guardWritten(got, n, pair[0].dtype() == DType.BF16 ? Bf16.round(SENTINEL) : SENTINEL);
        record(op, shape, output, Arrays.copyOf(got, n), want, tolerance, guard);
    }

    /** Compares two host arrays (scores copied back) within an NMSE tolerance. */
    void compare(String op, String shape, String output, float[] got, float[] want, double tolerance) {
        record(op, shape, output, got, want, tolerance, null);
    }

    /** A failure that is not a number: an exception, wrong top-k ids. */
    void fail(String op, String shape, String output, String why) {
        results.add(new OpResult(op, shape, output, Double.NaN, 0, why));
    }

    private void record(String op, String shape, String output, float[] got, float[] want, double tolerance, String guard) {
        double nmse = nmse(got, want);
        String failure = null;
        if (got.length != want.length) failure = "got " + got.length + " values, the reference " + want.length;
        else if (!(nmse <= tolerance)) failure = "NMSE " + String.format("%.3g", nmse) + " > " + String.format("%.1g", tolerance) + worstDifference(got, want);
        else if (guard != null) failure = guard;
        else if (!tested.guardsIntact()) failure = "the backend's own guard regions were written";
        results.add(new OpResult(op, shape, output, nmse, tolerance, failure));
    }

    /** Σ(a − b)² / Σ b², or Σ(a − b)² when b is all zero; NaN when any value is NaN on one side only. */
    static double nmse(float[] got, float[] want) {
        if (got.length != want.length) return Double.NaN;
        double err = 0;
        for (int i = 0; i < got.length; i++) {
            if (Float.isNaN(got[i]) != Float.isNaN(want[i])) return Double.NaN;
            if (Float.isNaN(got[i]) || got[i] == want[i]) continue;   // equal infinities: no error
            double d = (double) got[i] - want[i];
            err += d * d;
        }
        double total = 0;
        for (float w : want) if (!Float.isNaN(w) && !Float.isInfinite(w)) total += (double) w * w;
        return total == 0 ? err : err / total;
    }

    private static String worstDifference(float[] got, float[] want) {
        int worst = -1;
        double max = -1;
        for (int i = 0; i < Math.min(got.length, want.length); i++) {
            double d = Float.isNaN(got[i]) != Float.isNaN(want[i]) ? Double.POSITIVE_INFINITY : Math.abs((double) got[i] - want[i]);
            if (d > max) { max = d; worst = i; }
        }
        return worst < 0 ? "" : " (worst at [" + worst + "]: got " + got[worst] + ", reference " + want[worst] + ")";
    }

    private static String guardWritten(float[] withGuard, int n, float sentinel) {
        for (int i = n; i < withGuard.length; i++) {
            if (Float.floatToRawIntBits(withGuard[i]) != Float.floatToRawIntBits(sentinel)) {
                return "wrote past the end of its output: guard float " + (i - n) + " is " + withGuard[i];
            }
        }
        return null;
    }

    @Override
    public void close() {
        for (Buffer b : buffers) b.close();
        tensors.close();
    }
}
