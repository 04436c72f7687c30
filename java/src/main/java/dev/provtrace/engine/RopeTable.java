package dev.provtrace.engine;

import dev.provtrace.model.ModelConfig;
import dev.provtrace.model.RopeScaling;

/**
 * cos/sin of the rotary embedding for positions 0..capacity-1, computed the way Hugging Face computes them
 * (inverse frequencies and angles in fp32, scaling rules of {@code modeling_rope_utils}), so that long positions
 * round the same way.
 * Layout: cos[pos·half + i], sin[pos·half + i] for i < half = headDim/2; the attention factor of YaRN is
 * already multiplied in.
 */
public final class RopeTable {
    private final float[] invFreq;
    private final float attentionFactor;
    private float[] cos = new float[0];
    private float[] sin = new float[0];
    private int capacity;

    public RopeTable(ModelConfig config) {
        this(config.headDim(), config.ropeTheta(), config.ropeScaling(), config.maxPositionEmbeddings());
    }

    public RopeTable(int headDim, double theta, RopeScaling scaling, int maxPositions) {
        int half = headDim / 2;
        float[] base = new float[half];
        for (int i = 0; i < half; i++) {
            // HF: 1.0 / (base ** (arange(0, dim, 2).float() / dim)), all in fp32
            float exponent = (float) (2 * i) / (float) headDim;
            base[i] = 1.0f / (float) Math.pow((float) theta, exponent);
        }
        switch (scaling.type()) {
            case NONE -> { invFreq = base; attentionFactor = 1f; }
            case LINEAR -> {
                invFreq = new float[half];
                for (int i = 0; i < half; i++) invFreq[i] = base[i] / (float) scaling.factor();
                attentionFactor = 1f;
            }
            case LLAMA3 -> { invFreq = llama3(base, scaling); attentionFactor = 1f; }
            case YARN -> {
                Yarn y = yarn(headDim, theta, scaling, maxPositions);
                invFreq = y.invFreq;
                attentionFactor = y.attentionFactor;
            }
            default -> throw new IllegalStateException("unhandled rope type " + scaling.type());
        }
    }

    /** Llama 3.1: long wavelengths divided by factor, short ones kept, the band between smoothly interpolated. */
    private static float[] llama3(float[] base, RopeScaling s) {
        double factor = s.factor(), low = s.lowFreqFactor(), high = s.highFreqFactor();
        double oldContext = s.originalMaxPositions();
        double lowFreqWavelen = oldContext / low, highFreqWavelen = oldContext / high;
        float[] out = new float[base.length];
        for (int i = 0; i < base.length; i++) {
            float f = base[i];
            float wavelen = (float) (2 * Math.PI) / f;
            float scaled = wavelen > lowFreqWavelen ? (float) (f / factor) : f;
            boolean medium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
            if (medium) {
                float smooth = (float) ((oldContext / wavelen - low) / (high - low));
                scaled = (1 - smooth) * scaled / (float) factor + smooth * scaled;
            }
            out[i] = scaled;
        }
        return out;
    }

    private record Yarn(float[] invFreq, float attentionFactor) {}

    /** YaRN: blend of interpolated and extrapolated frequencies over a ramp, plus an attention (mscale) factor. */
    private static Yarn yarn(int dim, double theta, RopeScaling s, int maxPositions) {
        // transformers ≥ 4.57 / 5.x: an explicit factor wins (older releases replaced it by
        // max_position_embeddings / original_max_position_embeddings); original_max_position_embeddings only sets
        // the correction range.
        int originalMax = s.originalMaxPositions() > 0 ? s.originalMaxPositions() : maxPositions;
        double factor = Double.isNaN(s.factor()) ? (double) maxPositions / originalMax : s.factor();
        double attention;
        if (!Double.isNaN(s.attentionFactor())) {
            attention = s.attentionFactor();
        } else if (!Double.isNaN(s.mscale()) && !Double.isNaN(s.mscaleAllDim()) && s.mscale() != 0 && s.mscaleAllDim() != 0) {
            attention = mscale(factor, s.mscale()) / mscale(factor, s.mscaleAllDim());
        } else {
            attention = mscale(factor, 1);
        }
        double low = correctionDim(s.betaFast(), dim, theta, originalMax);
        double high = correctionDim(s.betaSlow(), dim, theta, originalMax);
        if (s.truncate()) {
            low = Math.floor(low);
            high = Math.ceil(high);
        }
        low = Math.max(low, 0);
        high = Math.min(high, dim - 1);
        if (low == high) high += 0.001;
        int half = dim / 2;
        float[] inv = new float[half];
        for (int i = 0; i < half; i++) {
            float posFreq = (float) Math.pow((float) theta, (float) (2 * i) / (float) dim);
            float extrapolation = 1.0f / posFreq;
            float interpolation = 1.0f / ((float) factor * posFreq);
            float ramp = Math.min(1, Math.max(0, ((float) i - (float) low) / (float) (high - low)));
            float extrapolationFactor = 1 - ramp;
            inv[i] = interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor;
        }
        return new Yarn(inv, (float) attention);
    }

    private static double mscale(double scale, double m) {
        return scale <= 1 ? 1.0 : 0.1 * m * Math.log(scale) + 1.0;
    }

    private static double correctionDim(double rotations, int dim, double base, int maxPositions) {
        return (dim * Math.log(maxPositions / (rotations * 2 * Math.PI))) / (2 * Math.log(base));
    }

    public int half() { return invFreq.length; }

    public float attentionFactor() { return attentionFactor; }

    /** Makes sure positions below {@code positions} are tabulated. */
    public synchronized void ensure(int positions) {
        if (positions <= capacity) return;
        int newCap = Math.max(positions, Math.min(Integer.MAX_VALUE / 2, capacity * 2));
        int half = half();
        float[] c = new float[Math.multiplyExact(newCap, half)], s = new float[c.length];
        System.arraycopy(cos, 0, c, 0, cos.length);
        System.arraycopy(sin, 0, s, 0, sin.length);
        for (int p = capacity; p < newCap; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * invFreq[i];          // fp32 product, as HF's fp32 matmul of [half,1]x[1,T]
                c[p * half + i] = (float) Math.cos(angle) * attentionFactor;
                s[p * half + i] = (float) Math.sin(angle) * attentionFactor;
            }
        }
        cos = c;
        sin = s;
        capacity = newCap;
    }

    /** Positions tabulated so far (rows of {@link #cos()} and {@link #sin()}). */
    public synchronized int tabulated() { return capacity; }

    public float[] cos() { return cos; }

    public float[] sin() { return sin; }

    public float[] invFreq() { return invFreq.clone(); }
}
