package dev.provtrace.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The element-wise math of the CPU backend on heap rows, vectorised with the Vector API (exp is SVML-backed on
 * x86, which is what makes softmax and SiLU cheap next to the GEMMs). Only fromArray/intoArray are used, so the
 * code is the same on Java 17, 21 and 25. Every kernel has a scalar tail with the same math.
 */
final class VectorKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorKernels() {}

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

    static float sumSquares(float[] x, int off, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, off + i);
            acc = v.fma(v, acc);
        }
        float r = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) r += x[off + i] * x[off + i];
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
            FloatVector sig = g.neg().lanewise(VectorOperators.EXP).add(1f);
            g.div(sig).mul(FloatVector.fromArray(S, up, i)).intoArray(gate, i);
        }
        for (; i < n; i++) gate[i] = gate[i] / (1f + (float) Math.exp(-gate[i])) * up[i];
    }

    /** x[i] = e^(x[i] − shift), returns Σ x[i] (after exponentiation). */
    static float expShiftInPlace(float[] x, int off, int n, float shift) {
        int i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector e = FloatVector.fromArray(S, x, off + i).sub(shift).lanewise(VectorOperators.EXP);
            e.intoArray(x, off + i);
            acc = acc.add(e);
        }
        float r = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - shift);
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
            FloatVector e = v.sub(shift).lanewise(VectorOperators.EXP);
            acc = acc.add(e);
            if (withMoment) mom = e.fma(v, mom);
        }
        double s = acc.reduceLanes(VectorOperators.ADD), m = withMoment ? mom.reduceLanes(VectorOperators.ADD) : 0;
        for (; i < n; i++) {
            double e = Math.exp(x[off + i] - shift);
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
}
