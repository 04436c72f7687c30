package dev.provtrace.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

/**
 * Every architecture switch of a decoder-only model, read once from a Hugging Face {@code config.json}.
 * The forward pass branches only on these fields; there is no class per architecture.
 *
 * @param modelType           llama, mistral, qwen2 or qwen3
 * @param headDim             per-head size; explicit {@code head_dim} wins over hidden/heads (Qwen3 differs)
 * @param qkvBias             q/k/v projections carry a bias (Qwen2 always; Llama/Qwen3 if attention_bias)
 * @param oBias               o_proj carries a bias (Llama/Qwen3 attention_bias; never Qwen2)
 * @param mlpBias             gate/up/down carry a bias (Llama mlp_bias)
 * @param qkNorm              per-head RMSNorm on q and k before RoPE (Qwen3)
 * @param slidingWindow       window size in tokens for the layers marked in {@code slidingLayers}; 0 = none
 * @param slidingLayers       per layer: does it attend only to the last {@code slidingWindow} tokens
 */
public record ModelConfig(String modelType, int vocabSize, int hiddenSize, int intermediateSize, int numLayers,
                          int numHeads, int numKvHeads, int headDim, double rmsNormEps, double ropeTheta,
                          RopeScaling ropeScaling, boolean tieWordEmbeddings, boolean qkvBias, boolean oBias,
                          boolean mlpBias, boolean qkNorm, int maxPositionEmbeddings, int slidingWindow,
                          boolean[] slidingLayers, String torchDtype) {

    public static final Set<String> SUPPORTED_TYPES = Set.of("llama", "mistral", "qwen2", "qwen3");
    private static final ObjectMapper JSON = new ObjectMapper();

    public static ModelConfig load(Path configJson) throws IOException {
        if (!Files.isRegularFile(configJson)) {
            throw new ConfigException(configJson + ": not found (a Hugging Face model folder has a config.json)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(configJson.toFile());
        } catch (JsonProcessingException e) {
            throw new ConfigException(configJson + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new ConfigException(configJson + ": expected a JSON object");
        return parse(root, configJson.toString());
    }

    public static ModelConfig parse(JsonNode c, String source) {
        Reader r = new Reader(c, source);
        String type = r.requiredString("model_type");
        if (!SUPPORTED_TYPES.contains(type)) {
            throw new ConfigException(source + ": model_type \"" + type + "\" is not supported (supported: "
                    + String.join(", ", SUPPORTED_TYPES.stream().sorted().toList()) + ")");
        }
        String act = r.optString("hidden_act", "silu");
        if (!act.equals("silu")) throw new ConfigException(source + ": hidden_act \"" + act + "\" is not supported (only silu)");
        double partial = r.optDouble("partial_rotary_factor", 1.0);
        if (partial != 1.0) throw new ConfigException(source + ": partial_rotary_factor " + partial + " is not supported (only 1.0)");

        int vocab = r.requiredPositiveInt("vocab_size");
        int hidden = r.requiredPositiveInt("hidden_size");
        int inter = r.requiredPositiveInt("intermediate_size");
        int layers = r.requiredPositiveInt("num_hidden_layers");
        int heads = r.requiredPositiveInt("num_attention_heads");
        int kvHeads = r.optPositiveInt("num_key_value_heads", heads);
        if (heads % kvHeads != 0) {
            throw new ConfigException(source + ": num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        // Qwen3Config defaults head_dim to 128 when the key is absent; the other families derive it.
        int derivedHeadDim = type.equals("qwen3") && !c.has("head_dim") ? 128 : hidden / heads;
        int headDim = r.optPositiveInt("head_dim", derivedHeadDim);
        if (headDim % 2 != 0) throw new ConfigException(source + ": head_dim " + headDim + " must be even for RoPE");
        if (!c.hasNonNull("head_dim") && hidden % heads != 0) {
            throw new ConfigException(source + ": hidden_size " + hidden + " is not a multiple of num_attention_heads " + heads + " and head_dim is not given");
        }

        boolean attentionBias = r.optBool("attention_bias", false);
        boolean qkvBias = type.equals("qwen2") || attentionBias;
        boolean oBias = !type.equals("qwen2") && attentionBias;
        boolean mlpBias = type.equals("llama") && r.optBool("mlp_bias", false);
        boolean qkNorm = type.equals("qwen3");

        JsonNode ropeParams = c.get("rope_parameters");          // transformers 5.x layout
        double theta = r.optDouble("rope_theta", Double.NaN);
        if (Double.isNaN(theta) && ropeParams != null && ropeParams.hasNonNull("rope_theta")) {
            theta = new Reader(ropeParams, source + ": rope_parameters").optDouble("rope_theta", Double.NaN);
        }
        if (Double.isNaN(theta)) theta = 10000.0;
        r.requireFinitePositive("rope_theta", theta);
        JsonNode scalingNode = c.hasNonNull("rope_scaling") ? c.get("rope_scaling") : ropeParams;
        RopeScaling scaling = RopeScalingParser.parse(scalingNode, source);

        int maxPos = r.optPositiveInt("max_position_embeddings", 0);
        if (maxPos == 0) throw new ConfigException(source + ": max_position_embeddings is missing");

        int window = 0;
        boolean[] sliding = new boolean[layers];
        if (c.hasNonNull("sliding_window")) {
            int w = r.requiredPositiveInt("sliding_window");
            boolean used = switch (type) {
                case "mistral" -> true;
                case "qwen2", "qwen3" -> r.optBool("use_sliding_window", false);
                default -> false;
            };
            if (used) {
                window = w;
                JsonNode lt = c.get("layer_types");
                int maxWindowLayers = r.optPositiveInt("max_window_layers", 0);
                for (int i = 0; i < layers; i++) {
                    if (lt != null && lt.isArray() && lt.size() == layers) {
                        sliding[i] = "sliding_attention".equals(lt.get(i).asText());
                    } else {
                        sliding[i] = type.equals("mistral") || i >= maxWindowLayers;
                    }
                }
            }
        }
        boolean tie = r.optBool("tie_word_embeddings", false);
        String dtype = c.hasNonNull("torch_dtype") ? c.get("torch_dtype").asText()
                : c.hasNonNull("dtype") ? c.get("dtype").asText() : "float32";
        // a zero or negative eps divides by zero (or takes the root of a negative) in every RMSNorm: NaN everywhere
        double eps = r.requireFinitePositive("rms_norm_eps", r.optDouble("rms_norm_eps", 1e-6));
        if ((long) heads * headDim > Integer.MAX_VALUE) {
            throw new ConfigException(source + ": num_attention_heads " + heads + " × head_dim " + headDim
                    + " is too large for this engine");
        }
        return new ModelConfig(type, vocab, hidden, inter, layers, heads, kvHeads, headDim,
                eps, theta, scaling, tie, qkvBias, oBias, mlpBias, qkNorm,
                maxPos, window, sliding, dtype);
    }

    public int qDim() { return numHeads * headDim; }

    public int kvDim() { return numKvHeads * headDim; }

    public boolean usesSlidingWindow(int layer) { return slidingWindow > 0 && slidingLayers[layer]; }

    /** Parameters the forward pass multiplies with (embedding counted once when tied). */
    public long parameterCount() {
        long h = hiddenSize, perLayer = 0;
        perLayer += h * qDim() + 2L * h * kvDim() + (long) qDim() * h;              // q, k, v, o
        if (qkvBias) perLayer += qDim() + 2L * kvDim();
        if (oBias) perLayer += h;
        perLayer += 3L * h * intermediateSize;                                    // gate, up, down
        if (mlpBias) perLayer += 2L * intermediateSize + h;
        perLayer += 2L * h;                                                       // two norms
        if (qkNorm) perLayer += 2L * headDim;
        long embed = (long) vocabSize * h;
        return perLayer * numLayers + embed + h + (tieWordEmbeddings ? 0 : embed);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelConfig m && toString().equals(m.toString());
    }

    @Override
    public int hashCode() { return toString().hashCode(); }

    @Override
    public String toString() {
        return "ModelConfig[" + modelType + " vocab=" + vocabSize + " hidden=" + hiddenSize + " inter=" + intermediateSize
                + " layers=" + numLayers + " heads=" + numHeads + "/" + numKvHeads + " headDim=" + headDim
                + " eps=" + rmsNormEps + " theta=" + ropeTheta + " rope=" + ropeScaling + " tied=" + tieWordEmbeddings
                + " qkvBias=" + qkvBias + " oBias=" + oBias + " mlpBias=" + mlpBias + " qkNorm=" + qkNorm
                + " maxPos=" + maxPositionEmbeddings + " window=" + slidingWindow + " sliding=" + Arrays.toString(slidingLayers)
                + " dtype=" + torchDtype + "]";
    }

    /** Typed access to config keys with errors that name the file and the key. */
    record Reader(JsonNode c, String source) {
        String requiredString(String key) {
            JsonNode n = c.get(key);
            if (n == null || n.isNull()) throw new ConfigException(source + ": required key \"" + key + "\" is missing");
            if (!n.isTextual()) throw new ConfigException(source + ": \"" + key + "\" must be a string, got " + n);
            return n.asText();
        }

        String optString(String key, String dflt) {
            JsonNode n = c.get(key);
            return n == null || n.isNull() ? dflt : n.asText();
        }

        int requiredPositiveInt(String key) {
            JsonNode n = c.get(key);
            if (n == null || n.isNull()) throw new ConfigException(source + ": required key \"" + key + "\" is missing");
            return positiveInt(key, n);
        }

        int optPositiveInt(String key, int dflt) {
            JsonNode n = c.get(key);
            return n == null || n.isNull() ? dflt : positiveInt(key, n);
        }

        private int positiveInt(String key, JsonNode n) {
            if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() <= 0) {
                throw new ConfigException(source + ": \"" + key + "\" must be a positive integer, got " + n);
            }
            return n.asInt();
        }

        double optDouble(String key, double dflt) {
            JsonNode n = c.get(key);
            if (n == null || n.isNull()) return dflt;
            if (!n.isNumber()) throw new ConfigException(source + ": \"" + key + "\" must be a number, got " + n);
            return n.asDouble();
        }

        /** {@code value} if it is finite and > 0; otherwise an error naming the key and the value. */
        double requireFinitePositive(String key, double value) {
            if (!(value > 0) || Double.isInfinite(value)) {
                throw new ConfigException(source + ": " + key + " must be " + (Double.isInfinite(value) ? "finite and " : "")
                        + "> 0, got " + value);
            }
            return value;
        }

        boolean optBool(String key, boolean dflt) {
            JsonNode n = c.get(key);
            if (n == null || n.isNull()) return dflt;
            if (!n.isBoolean()) throw new ConfigException(source + ": \"" + key + "\" must be true or false, got " + n);
            return n.asBoolean();
        }
    }
}
