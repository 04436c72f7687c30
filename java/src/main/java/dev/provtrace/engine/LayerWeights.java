package dev.provtrace.engine;

import dev.provtrace.engine.Backend.Weight;

/** One decoder layer's weights; optional ones (biases, q/k norms) are null when the config has none. */
public record LayerWeights(Weight inputNorm, Weight q, Weight qBias, Weight k, Weight kBias, Weight v, Weight vBias,
                    Weight o, Weight oBias, Weight qNorm, Weight kNorm, Weight postNorm,
                    Weight gate, Weight gateBias, Weight up, Weight upBias, Weight down, Weight downBias) {}
