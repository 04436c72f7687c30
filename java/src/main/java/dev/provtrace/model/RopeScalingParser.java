package dev.provtrace.model;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads {@code rope_scaling} / {@code rope_parameters}; a type we do not implement is an error, never ignored. */
final class RopeScalingParser {
    private RopeScalingParser() {}

    static RopeScaling parse(JsonNode n, String source) {
        if (n == null || n.isNull()) return RopeScaling.NONE;
        if (!n.isObject()) throw new ConfigException(source + ": rope_scaling must be an object or null, got " + n);
        String type = n.hasNonNull("rope_type") ? n.get("rope_type").asText()
                : n.hasNonNull("type") ? n.get("type").asText() : "default";
        String where = source + ": rope_scaling (" + type + ")";
        switch (type) {
            case "default":
                return RopeScaling.NONE;
            case "linear":
                return new RopeScaling(RopeScaling.Type.LINEAR, factor(n, where), 0, 0, 0, 0, 0,
                        Double.NaN, Double.NaN, Double.NaN, true);
            case "llama3": {
                double low = req(n, "low_freq_factor", where), high = req(n, "high_freq_factor", where);
                int orig = (int) req(n, "original_max_position_embeddings", where);
                if (!(high > low)) throw new ConfigException(where + ": high_freq_factor must exceed low_freq_factor");
                return new RopeScaling(RopeScaling.Type.LLAMA3, factor(n, where), low, high, orig, 0, 0,
                        Double.NaN, Double.NaN, Double.NaN, true);
            }
            case "yarn":
                if (!n.hasNonNull("factor") && !n.hasNonNull("original_max_position_embeddings")) {
                    throw new ConfigException(where + ": needs \"factor\" or \"original_max_position_embeddings\"");
                }
                // factor absent: transformers takes max_position_embeddings / original_max_position_embeddings (NaN here)
                return new RopeScaling(RopeScaling.Type.YARN, n.hasNonNull("factor") ? factor(n, where) : Double.NaN, 0, 0,
                        (int) opt(n, "original_max_position_embeddings", 0),
                        opt(n, "beta_fast", 32), opt(n, "beta_slow", 1), opt(n, "attention_factor", Double.NaN),
                        opt(n, "mscale", Double.NaN), opt(n, "mscale_all_dim", Double.NaN),
                        !n.has("truncate") || n.get("truncate").asBoolean(true));
            default:
                throw new ConfigException(where + ": rope scaling type \"" + type
                        + "\" is not supported (supported: default, linear, llama3, yarn)");
        }
    }

    private static double factor(JsonNode n, String where) {
        double f = req(n, "factor", where);
        if (!(f >= 1.0)) throw new ConfigException(where + ": factor must be >= 1, got " + f);
        return f;
    }

    private static double req(JsonNode n, String key, String where) {
        if (!n.hasNonNull(key) || !n.get(key).isNumber()) {
            throw new ConfigException(where + ": \"" + key + "\" is required and must be a number");
        }
        return n.get(key).asDouble();
    }

    private static double opt(JsonNode n, String key, double dflt) {
        return n.hasNonNull(key) && n.get(key).isNumber() ? n.get(key).asDouble() : dflt;
    }
}
