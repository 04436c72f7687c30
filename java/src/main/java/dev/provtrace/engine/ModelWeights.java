package dev.provtrace.engine;

import dev.provtrace.engine.Backend.Weight;
import dev.provtrace.io.Checkpoint;
import dev.provtrace.model.ModelConfig;

/** All weights of a model bound to a backend, by Hugging Face tensor name. */
record ModelWeights(Weight embed, LayerWeights[] layers, Weight finalNorm, Weight lmHead) {

    static ModelWeights bind(ModelConfig c, Checkpoint ckpt, Backend backend) {
        LayerWeights[] layers = new LayerWeights[c.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            Binder b = new Binder(ckpt, backend, p);
            layers[i] = new LayerWeights(
                    b.get("input_layernorm.weight"),
                    b.get("self_attn.q_proj.weight"), b.opt(c.qkvBias(), "self_attn.q_proj.bias"),
                    b.get("self_attn.k_proj.weight"), b.opt(c.qkvBias(), "self_attn.k_proj.bias"),
                    b.get("self_attn.v_proj.weight"), b.opt(c.qkvBias(), "self_attn.v_proj.bias"),
                    b.get("self_attn.o_proj.weight"), b.opt(c.oBias(), "self_attn.o_proj.bias"),
                    b.opt(c.qkNorm(), "self_attn.q_norm.weight"), b.opt(c.qkNorm(), "self_attn.k_norm.weight"),
                    b.get("post_attention_layernorm.weight"),
                    b.get("mlp.gate_proj.weight"), b.opt(c.mlpBias(), "mlp.gate_proj.bias"),
                    b.get("mlp.up_proj.weight"), b.opt(c.mlpBias(), "mlp.up_proj.bias"),
                    b.get("mlp.down_proj.weight"), b.opt(c.mlpBias(), "mlp.down_proj.bias"));
        }
        Binder top = new Binder(ckpt, backend, "");
        Weight embed = top.get("model.embed_tokens.weight");
        Weight lmHead = c.tieWordEmbeddings() ? embed : top.get("lm_head.weight");
        return new ModelWeights(embed, layers, top.get("model.norm.weight"), lmHead);
    }

    private record Binder(Checkpoint ckpt, Backend backend, String prefix) {
        Weight get(String name) {
            return backend.weight(ckpt.tensor(prefix + name));
        }

        Weight opt(boolean present, String name) {
            return present ? get(name) : null;
        }
    }
}
