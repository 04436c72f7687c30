package dev.provtrace.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The element-wise math of the CPU backend on heap rows, vectorised with the Vector API. Only fromArray/intoArray
 * are used, so the code is the same on Java 17, 21 and 25.
 * <p>
 * Results are bitwise reproducible: every kernel uses only IEEE-exact lane operations (add, mul, div, fma,
 * compare, bit casts), which give the same bits whether the JIT has compiled the Vector API to SIMD instructions
 * yet or still runs its Java fallback. That rules out the Vector API's own EXP (SVML once compiled, StrictMath
 * before) and its cross-lane ADD reduction (a different order once compiled): {@link #exp} is our own, and sums
 * add the lanes in index order. Scalar tails use the same formulas lane by lane.
 */
final class VectorKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorKernels() {}

    // exp(x) = 2^n · e^r with n = round(x / ln 2), r = x − n·ln 2 (two-part ln 2), e^r by a degree-6 polynomial
    // (Taylor coefficients; |r| ≤ ln2/2 keeps the error under 2 ulp). Round-to-nearest by the 1.5·2^23 trick.
    private static final float LOG2E = 1.44269504f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 12582912f;             // 1.5 · 2^23
    private static final float MAX_X = 88.0f, MIN_X = -87.0f;
    private static final float C2 = 1 / 2f, C3 = 1 / 6f, C4 = 1 / 24f, C5 = 1 / 120f, C6 = 1 / 720f;
    private static final FloatVector V_NEG_LN2_HI = FloatVector.broadcast(S, -LN2_HI),
            V_NEG_LN2_LO = FloatVector.broadcast(S, -LN2_LO), V_C2 = FloatVector.broadcast(S, C2),
            V_C3 = FloatVector.broadcast(S, C3), V_C4 = FloatVector.broadcast(S, C4), V_ONE = FloatVector.broadcast(S, 1f);

    /** e^x per lane, reproducible to the bit; inputs are clamped to [−87, 88] (so exp(−∞) = e^−87 ≈ 1.6e−38). */
    static FloatVector exp(FloatVector x) {
        x = x.max(MIN_X).min(MAX_X);
        FloatVector t = x.fma(LOG2E, ROUND);                     // n in the low mantissa bits of t
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(V_NEG_LN2_HI, x);
        r = n.fma(V_NEG_LN2_LO, r);
        FloatVector p = r.fma(C6, C5);
        p = p.fma(r, V_C4);
        p = p.fma(r, V_C3);
        p = p.fma(r, V_C2);
        p = p.fma(r, V_ONE);
        p = p.fma(r, V_ONE);
        IntVector bits = t.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUND)).add(127).lanewise(VectorOperators.LSHL, 23);
        return p.mul(bits.reinterpretAsFloats());
    }

    /** The same exp for one value (scalar tails), lane-for-lane identical to {@link #exp(FloatVector)}. */
    static float exp(float x) {
        x = Math.min(Math.max(x, MIN_X), MAX_X);
        float t = Math.fma(x, LOG2E, ROUND);
        float n = t - ROUND;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, C6, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        int bits = (Float.floatToRawIntBits(t) - Float.floatToRawIntBits(ROUND) + 127) << 23;
        return p * Float.intBitsToFloat(bits);
    }

    /** Lanes added in index order (the same bits compiled or not). */
    static float sumLanes(FloatVector v) {
        float[] lanes = new float[S.length()];
        v.intoArray(lanes, 0);
        float s = 0;
        for (float x : lanes) s += x;
        return s;
    }

    static float max(float[] x, int off, int n) {
        int i = 0;
        FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            m = m.max(FloatVector.fromArray(S, x, off + i));
        }
        float r = m.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) r = Math.max(r, x[off + i]);
        return r;
    }

    /** Number of x[off .. off+n) strictly greater than {@code threshold} (NaN never is). */
    static int countAbove(float[] x, int off, int n, float threshold) {
        int i = 0, count = 0;
        FloatVector t = FloatVector.broadcast(S, threshold);
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            count += FloatVector.fromArray(S, x, off + i).compare(VectorOperators.GT, t).trueCount();
        }
        for (; i < n; i++) if (x[off + i] > threshold) count++;
        return count;
    }

    static float sumSquares(float[] x, int off, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, off + i);
            acc = v.fma(v, acc);
        }
        float r = sumLanes(acc);
        for (; i < n; i++) r = Math.fma(x[off + i], x[off + i], r);
        return r;
    }

    /** x[i] = w[i] · (x[i] · inv): HF's RMSNorm order (normalise, then weight). */
    static void scaleThenWeight(float[] x, int off, int n, float inv, float[] w) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, off + i).mul(inv);
            v.mul(FloatVector.fromArray(S, w, i)).intoArray(x, off + i);
        }
        for (; i < n; i++) x[off + i] = w[i] * (x[off + i] * inv);
    }

    /** gate[i] = silu(gate[i]) · up[i], silu(g) = g / (1 + e^−g). */
    static void swiglu(float[] gate, float[] up, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector g = FloatVector.fromArray(S, gate, i);
            FloatVector sig = exp(g.neg()).add(1f);
            g.div(sig).mul(FloatVector.fromArray(S, up, i)).intoArray(gate, i);
        }
        for (; i < n; i++) gate[i] = gate[i] / (1f + exp(-gate[i])) * up[i];
    }

    /** x[i] = e^(x[i] − shift), returns Σ x[i] (after exponentiation). */
    static float expShiftInPlace(float[] x, int off, int n, float shift) {
        int i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector e = exp(FloatVector.fromArray(S, x, off + i).sub(shift));
            e.intoArray(x, off + i);
            acc = acc.add(e);
        }
        float r = sumLanes(acc);
        for (; i < n; i++) {
            float e = exp(x[off + i] - shift);
            x[off + i] = e;
            r += e;
        }
        return r;
    }

    /** Σ e^(x[i] − shift) and Σ e^(x[i] − shift)·x[i] (for the entropy), x untouched. */
    static void expSums(float[] x, int off, int n, float shift, double[] out, boolean withMoment) {
        int i = 0;
        FloatVector acc = FloatVector.zero(S), mom = FloatVector.zero(S);
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, off + i);
            FloatVector e = exp(v.sub(shift));
            acc = acc.add(e);
            if (withMoment) mom = e.fma(v, mom);
        }
        double s = sumLanes(acc), m = withMoment ? sumLanes(mom) : 0;
        for (; i < n; i++) {
            double e = exp(x[off + i] - shift);
            s += e;
            m += e * x[off + i];
        }
        out[0] = s;
        out[1] = m;
    }

    static void scale(float[] x, int off, int n, float f) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, off + i).mul(f).intoArray(x, off + i);
        }
        for (; i < n; i++) x[off + i] *= f;
    }

    static void add(float[] x, float[] y, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, i).add(FloatVector.fromArray(S, y, i)).intoArray(x, i);
        }
        for (; i < n; i++) x[i] += y[i];
    }

    /**
     * x[i] rounded to the nearest bf16, ties to even, kept as fp32; a NaN stays a quiet NaN with its top bits
     * ({@link dev.provtrace.engine.Bf16#round}, lane by lane: integer adds, masks and bit casts only).
     */
    static void roundToBf16(float[] x, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            IntVector b = FloatVector.fromArray(S, x, i).reinterpretAsInts();
            IntVector rounded = b.add(b.lanewise(VectorOperators.LSHR, 16).and(1)).add(0x7fff).and(0xffff0000);
            IntVector quietNaN = b.and(0xffff0000).or(0x00400000);
            rounded.blend(quietNaN, b.and(0x7fffffff).compare(VectorOperators.GT, 0x7f800000))
                    .reinterpretAsFloats().intoArray(x, i);
        }
        for (; i < n; i++) x[i] = dev.provtrace.engine.Bf16.round(x[i]);
    }
}
