package dev.provtrace.model;

/**
 * RoPE frequency scaling as read from config.json ({@code rope_scaling}, or {@code rope_parameters} of
 * transformers 5.x). Only the fields its type uses are meaningful; see {@link RopeFrequencies}.
 *
 * @param type                 NONE, LINEAR, LLAMA3 or YARN
 * @param factor               scaling factor (all types but NONE)
 * @param lowFreqFactor        llama3
 * @param highFreqFactor       llama3
 * @param originalMaxPositions llama3, yarn ({@code original_max_position_embeddings}); 0 when absent
 * @param betaFast             yarn (default 32)
 * @param betaSlow             yarn (default 1)
 * @param attentionFactor      yarn: explicit {@code attention_factor}, or NaN when absent
 * @param mscale               yarn: {@code mscale}, or NaN
 * @param mscaleAllDim         yarn: {@code mscale_all_dim}, or NaN
 * @param truncate             yarn: {@code truncate} (default true)
 */
public record RopeScaling(Type type, double factor, double lowFreqFactor, double highFreqFactor,
                          int originalMaxPositions, double betaFast, double betaSlow, double attentionFactor,
                          double mscale, double mscaleAllDim, boolean truncate) {

    public enum Type { NONE, LINEAR, LLAMA3, YARN }

    public static final RopeScaling NONE =
            new RopeScaling(Type.NONE, 1, 0, 0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, true);
}
