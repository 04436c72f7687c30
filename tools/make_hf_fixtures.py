#!/usr/bin/env python3
"""Generate extra Hugging Face reference fixtures for provtrace's forward-pass tests.

Writes java/src/test/resources/hf-extra/<name>/ with config.json, the safetensors weights and
expected.json, in the same layout and expected.json schema as /work/shared/fixtures/hf-reference
(see its README.md). Every number in expected.json comes from transformers' own model classes,
run in float32 with attn_implementation="sdpa", in eval mode, one unpadded sequence per call.

This is test tooling only: transformers/torch are never dependencies of the provtrace product.

Usage (see tools/README.md):
    /opt/hfvenv/bin/python tools/make_hf_fixtures.py [--out DIR] [--only NAME ...]

The script is deterministic: fixed seeds, torch.set_num_threads(1), sorted JSON keys. Running it
twice gives byte-identical files (checked with sha256sum, see tools/README.md).
"""

import argparse
import copy
import json
import math
import os
import platform
import shutil
import sys

import torch

import safetensors
import transformers
from safetensors import safe_open
from transformers import (
    AutoModelForCausalLM,
    LlamaConfig,
    LlamaForCausalLM,
    MistralConfig,
    MistralForCausalLM,
    Qwen2Config,
    Qwen2ForCausalLM,
)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO_ROOT, "java", "src", "test", "resources", "hf-extra")

SEQ_LENGTHS = (1, 17, 200)
PAD_ID = 0

COMMON = dict(
    vocab_size=512,
    hidden_size=64,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    max_position_embeddings=512,
    hidden_act="silu",
    rms_norm_eps=1e-6,
    initializer_range=0.15,
    bos_token_id=1,
    eos_token_id=2,
    use_cache=True,
)

# Each spec: HF classes, model_seed, config kwargs (in the classic rope_theta/rope_scaling form,
# which transformers 5 converts to rope_parameters), save options and sensitivity variants.
SPECS = {
    "llama-linear": dict(
        config_cls=LlamaConfig,
        model_cls=LlamaForCausalLM,
        model_seed=2001,
        config=dict(
            COMMON,
            intermediate_size=128,
            head_dim=16,
            attention_bias=False,
            mlp_bias=False,
            tie_word_embeddings=False,
            rope_theta=10000.0,
            rope_scaling={"rope_type": "linear", "factor": 4.0},
        ),
        variants={
            "linear_rope_scaling_ignored": dict(rope_scaling=None),
            "linear_factor_2_instead_of_4": dict(rope_scaling={"rope_type": "linear", "factor": 2.0}),
            "rope_theta_doubled": dict(rope_theta=20000.0),
        },
    ),
    "qwen2-yarn": dict(
        config_cls=Qwen2Config,
        model_cls=Qwen2ForCausalLM,
        model_seed=2002,
        config=dict(
            COMMON,
            intermediate_size=176,
            tie_word_embeddings=False,
            use_sliding_window=False,
            sliding_window=None,
            max_window_layers=28,
            rope_theta=1000000.0,
            rope_scaling={"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 64},
        ),
        variants={
            "yarn_ignored": dict(rope_scaling=None),
            "yarn_attention_factor_ignored": dict(
                rope_scaling={
                    "rope_type": "yarn",
                    "factor": 4.0,
                    "original_max_position_embeddings": 64,
                    "attention_factor": 1.0,
                }
            ),
            # transformers < PR #40320 (Aug 2025) replaced factor by max_position_embeddings /
            # original_max_position_embeddings whenever the latter was present: 512 / 64 = 8.
            "yarn_factor_taken_as_max_pos_ratio_8": dict(
                rope_scaling={"rope_type": "yarn", "factor": 8.0, "original_max_position_embeddings": 64}
            ),
            "yarn_truncate_false": dict(
                rope_scaling={
                    "rope_type": "yarn",
                    "factor": 4.0,
                    "original_max_position_embeddings": 64,
                    "truncate": False,
                }
            ),
            "linear_factor_4_instead_of_yarn": dict(rope_scaling={"rope_type": "linear", "factor": 4.0}),
        },
    ),
    "mistral-sliding": dict(
        config_cls=MistralConfig,
        model_cls=MistralForCausalLM,
        model_seed=2003,
        config=dict(
            COMMON,
            intermediate_size=128,
            head_dim=None,
            tie_word_embeddings=False,
            sliding_window=8,
            rope_theta=10000.0,
            rope_scaling=None,
        ),
        variants={
            "sliding_window_ignored": dict(sliding_window=None),
            # window 9 == the rule i - 8 <= j <= i (off by one, one key too many)
            "sliding_window_off_by_one_9": dict(sliding_window=9),
            "sliding_window_off_by_one_7": dict(sliding_window=7),
        },
    ),
    "llama-sharded": dict(
        config_cls=LlamaConfig,
        model_cls=LlamaForCausalLM,
        model_seed=2004,
        config=dict(
            COMMON,
            intermediate_size=128,
            head_dim=16,
            attention_bias=True,
            mlp_bias=True,
            tie_word_embeddings=False,
            rope_theta=10000.0,
            rope_scaling=None,
        ),
        max_shard_size="200KB",
        zero_variants={
            "qkv_biases_dropped": ("q_proj.bias", "k_proj.bias", "v_proj.bias"),
            "o_proj_bias_dropped": ("o_proj.bias",),
            "mlp_biases_dropped": ("gate_proj.bias", "up_proj.bias", "down_proj.bias"),
        },
    ),
    "qwen2-bf16": dict(
        config_cls=Qwen2Config,
        model_cls=Qwen2ForCausalLM,
        model_seed=2005,
        config=dict(
            COMMON,
            intermediate_size=176,
            tie_word_embeddings=True,
            use_sliding_window=False,
            sliding_window=None,
            max_window_layers=28,
            rope_theta=1000000.0,
            rope_scaling=None,
        ),
        bf16=True,
        variants={},
    ),
}

COMMON_NOTES = (
    "Values computed with Hugging Face transformers {tv} ({arch}) on torch {torch_v}, float32, "
    "attn_implementation=sdpa, eval mode, torch.set_num_threads(1). token_logprobs[0] is null; "
    "token_logprobs[t] (t>=1) = log_softmax(logits[t-1])[input_ids[t]], i.e. teacher-forced log-prob of "
    "token t given tokens <t, from a single unpadded forward pass of the whole sequence (no attention mask, "
    "position ids 0..n-1). top5[k] lists the 5 most likely next tokens [id, logprob] of the distribution at "
    "position top5_positions[k] (predicting position+1). logits[k] is the raw float32 logits row at "
    "logits_positions[k]. Model: HF's own init (torch.manual_seed(model_seed), then construction: every "
    "Linear/Embedding weight ~ N(0, initializer_range=0.15)), then, with torch.Generator().manual_seed("
    "model_seed + 1000000) walking model.named_parameters() in order, every *norm.weight := 1+0.1*N(0,1) and "
    "every bias := 0.2*N(0,1); saved with save_pretrained (safetensors), generation_config.json dropped. "
    "config.json was rewritten after save into the classic layout: transformers 5 writes a 'rope_parameters' "
    "object, which was replaced by top-level 'rope_theta' and 'rope_scaling' (null when there is no scaling); "
    "a fresh AutoModelForCausalLM.from_pretrained of the rewritten folder reproduced every number bit-exactly "
    "(checks.reload_from_saved_files_max_abs_diff). Compare with abs tolerance ~1e-4."
)

MODEL_NOTES = {
    "llama-linear": (
        " Linear rope scaling (transformers 5.18 modeling_rope_utils._compute_linear_scaling_rope_parameters): "
        "inv_freq = 1.0 / (rope_theta ** (torch.arange(0, dim, 2, dtype=torch.int64).to(torch.float) / dim)); "
        "inv_freq /= factor (factor 4.0, float32). Positions stay 0..n-1; attention_scaling is 1.0. Equivalent to "
        "using position p/4 with the unscaled frequencies."
    ),
    "qwen2-yarn": (
        " YaRN rope scaling (transformers 5.18 modeling_rope_utils._compute_yarn_parameters), with "
        "dim = head_dim = 16, base = rope_theta = 1e6, factor = 4.0 (the EXPLICIT factor; transformers 5.18 uses "
        "it even though max_position_embeddings / original_max_position_embeddings = 512/64 = 8 and only warns; "
        "transformers before PR #40320 (Aug 2025) replaced factor by that ratio whenever "
        "original_max_position_embeddings was present - see sensitivity yarn_factor_taken_as_max_pos_ratio_8), "
        "original_max_position_embeddings = 64, beta_fast = 32, beta_slow = 1, truncate = True. "
        "attention_factor = 0.1*ln(factor) + 1 = 0.1*ln(4) + 1 = 1.1386294361119891 (no mscale/mscale_all_dim, "
        "no explicit attention_factor). pos_freqs = base ** (arange(0, dim, 2).float() / dim) (float32); "
        "inv_freq_extrapolation = 1/pos_freqs; inv_freq_interpolation = 1/(factor*pos_freqs); "
        "find_correction_dim(r) = dim*ln(orig_max_pos/(r*2*pi)) / (2*ln(base)); "
        "low = max(floor(find_correction_dim(beta_fast)), 0) = 0; "
        "high = min(ceil(find_correction_dim(beta_slow)), dim-1) = 2; "
        "ramp[i] = clamp((i - low)/(high - low), 0, 1) for i in 0..dim/2-1 (float32; if low == high, high += 0.001); "
        "extrapolation_factor = 1 - ramp = [1, 0.5, 0, 0, 0, 0, 0, 0]; "
        "inv_freq = inv_freq_interpolation*(1 - extrapolation_factor) + inv_freq_extrapolation*extrapolation_factor. "
        "The rotary forward then computes freqs = inv_freq x position (float32), emb = cat(freqs, freqs), "
        "cos = cos(emb) * attention_factor, sin = sin(emb) * attention_factor (float32), i.e. BOTH q and k are "
        "scaled by attention_factor after rotation, so every attention logit q.k/sqrt(head_dim) is multiplied by "
        "attention_factor^2 ~= 1.2964770."
    ),
    "mistral-sliding": (
        " Sliding window (transformers 5.18 masking_utils): MistralModel uses create_sliding_window_causal_mask "
        "because config.sliding_window = 8 is not None; the mask function is "
        "and_masks(sliding_window_overlay(8), causal_mask_function), i.e. query position i may attend key position "
        "j iff  j <= i  and  j > i - sliding_window  (i - 8 < j <= i: the token itself plus the 7 previous ones, "
        "8 keys in all). All layers slide (no layer_types). For sdpa, no mask is materialised when the sequence "
        "is shorter than the window (kv_length < sliding_window: plain is_causal); the 17- and 200-token "
        "sequences get the window mask."
    ),
    "llama-sharded": (
        " Sharded checkpoint: save_pretrained(..., max_shard_size='200KB') split the weights into several "
        "model-0000k-of-0000N.safetensors files listed in model.safetensors.index.json (metadata.total_size and "
        "weight_map tensor name -> shard file). attention_bias = true (q_proj, k_proj, v_proj AND o_proj have "
        "biases) and mlp_bias = true (gate_proj, up_proj, down_proj have biases). No rope scaling (rope_scaling "
        "null), rope_theta 10000."
    ),
    "qwen2-bf16": (
        " bf16 checkpoint: model.safetensors stores every tensor as BF16 (config.json dtype 'bfloat16'); "
        "the float32 weights after init + perturbation were rounded to bfloat16 with torch's round-to-nearest-even "
        ".to(torch.bfloat16) and saved with save_pretrained. The expected values come from a float32 model whose "
        "weights are the bf16 values upcast exactly to float32 (load with from_pretrained(..., dtype=torch.float32); "
        "transformers 5 defaults to dtype='auto' which would compute in bf16). Tied embeddings: there is no "
        "lm_head.weight, the LM head reuses model.embed_tokens.weight."
    ),
}


def f(x):
    """float32 tensor element -> Python float (exact; json prints the shortest round-trip repr)."""
    return float(x)


def make_input_ids(model_seed, vocab):
    g = torch.Generator().manual_seed(model_seed + 500000)
    return [torch.randint(0, vocab, (n,), generator=g).tolist() for n in SEQ_LENGTHS]


def build_config(spec, overrides=None):
    kw = copy.deepcopy(spec["config"])
    if overrides:
        kw.update(copy.deepcopy(overrides))
    kw["attn_implementation"] = "sdpa"
    return spec["config_cls"](**kw)


def perturb(model, model_seed):
    g = torch.Generator().manual_seed(model_seed + 1000000)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g, dtype=torch.float32))
            elif name.endswith(".bias"):
                p.copy_(0.2 * torch.randn(p.shape, generator=g, dtype=torch.float32))


@torch.no_grad()
def forward_logits(model, ids):
    x = torch.tensor([ids], dtype=torch.long)
    return model(input_ids=x).logits[0].float()


@torch.no_grad()
def all_logits(model, seqs):
    return [forward_logits(model, ids) for ids in seqs]


def token_logprobs_from_logits(logits, ids):
    lp = torch.log_softmax(logits, dim=-1)
    tgt = torch.tensor(ids[1:], dtype=torch.long)
    return lp[:-1].gather(1, tgt[:, None])[:, 0] if len(ids) > 1 else torch.zeros(0)


def max_abs(a, b):
    if a.numel() == 0:
        return 0.0
    return float((a.double() - b.double()).abs().max())


def max_abs_tokens(logits_a, logits_b, seqs):
    m = 0.0
    for la, lb, ids in zip(logits_a, logits_b, seqs):
        m = max(m, max_abs(token_logprobs_from_logits(la, ids), token_logprobs_from_logits(lb, ids)))
    return m


def max_abs_all(logits_a, logits_b):
    m_logits = max(max_abs(a, b) for a, b in zip(logits_a, logits_b))
    m_lp = max(
        max_abs(torch.log_softmax(a, -1), torch.log_softmax(b, -1)) for a, b in zip(logits_a, logits_b)
    )
    return m_logits, m_lp


@torch.no_grad()
def batched_diff(model, seqs, base_logits, side):
    n = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), n), PAD_ID, dtype=torch.long)
    mask = torch.zeros((len(seqs), n), dtype=torch.long)
    for b, s in enumerate(seqs):
        if side == "right":
            ids[b, : len(s)] = torch.tensor(s)
            mask[b, : len(s)] = 1
        else:
            ids[b, n - len(s):] = torch.tensor(s)
            mask[b, n - len(s):] = 1
    kwargs = dict(input_ids=ids, attention_mask=mask)
    if side == "left":
        pos = mask.cumsum(-1) - 1
        pos.masked_fill_(mask == 0, 1)
        kwargs["position_ids"] = pos
    out = model(**kwargs).logits.float()
    m = 0.0
    for b, s in enumerate(seqs):
        rows = out[b, : len(s)] if side == "right" else out[b, n - len(s):]
        m = max(m, max_abs(token_logprobs_from_logits(rows, s), token_logprobs_from_logits(base_logits[b], s)))
    return m


def sequence_entry(logits, ids):
    n = len(ids)
    lp = torch.log_softmax(logits, dim=-1)
    tok = token_logprobs_from_logits(logits, ids)
    token_logprobs = [None] + [f(v) for v in tok]
    sum_lp = sum(v for v in token_logprobs if v is not None) if n > 1 else 0.0
    top5_positions = sorted(set([0, 5, n - 1]) & set(range(n))) if n > 1 else [0]
    top5 = []
    for p in top5_positions:
        vals, idx = torch.topk(lp[p], 5)
        top5.append([[int(i), f(v)] for v, i in zip(vals, idx)])
    logits_positions = sorted(set([0, n - 1]))
    return {
        "input_ids": list(ids),
        "token_logprobs": token_logprobs,
        "sum_logprob": float(sum_lp),
        "top5_positions": top5_positions,
        "top5": top5,
        "logits_positions": logits_positions,
        "logits": [[f(v) for v in logits[p]] for p in logits_positions],
    }


def classic_config_json(path, config):
    """Rewrite config.json written by transformers 5 (rope_parameters) into the classic layout."""
    with open(path) as fh:
        d = json.load(fh)
    rp = d.pop("rope_parameters", None)
    if rp is None:
        rp = copy.deepcopy(config.rope_parameters)
    rp = dict(rp)
    d["rope_theta"] = float(rp.pop("rope_theta"))
    rope_type = rp.get("rope_type", "default")
    if rope_type == "default":
        extra = set(rp) - {"rope_type"}
        if extra:
            raise SystemExit(f"unexpected rope parameters for default rope: {sorted(extra)}")
        d["rope_scaling"] = None
    else:
        d["rope_scaling"] = rp
    with open(path, "w") as fh:
        fh.write(json.dumps(d, indent=2, sort_keys=True) + "\n")
    return d


def safetensors_summary(folder):
    files = sorted(fn for fn in os.listdir(folder) if fn.endswith(".safetensors"))
    out = {}
    for fn in files:
        with safe_open(os.path.join(folder, fn), framework="pt") as sf:
            keys = list(sf.keys())
            dtypes = sorted({str(sf.get_slice(k).get_dtype()) for k in keys})
            out[fn] = {"tensors": len(keys), "dtypes": dtypes, "metadata": sf.metadata()}
    return out


def stats_block(entries, vocab):
    vals = [v for e in entries for v in e["token_logprobs"] if v is not None]
    return {
        "token_logprob_min": min(vals),
        "token_logprob_max": max(vals),
        "token_logprob_mean": sum(vals) / len(vals),
        "uniform_logprob": -math.log(vocab),
    }


def variant_logits(spec, state_dict, seqs, overrides=None, zero_suffixes=None):
    cfg = build_config(spec, overrides)
    m = spec["model_cls"](cfg).eval()
    sd = {k: v.clone() for k, v in state_dict.items()}
    if zero_suffixes:
        for k in sd:
            if k.endswith(zero_suffixes):
                sd[k].zero_()
    m.load_state_dict(sd, strict=True)
    return all_logits(m, seqs)


def check_sliding_mask_rule(window, n=20):
    """Verify the sdpa mask transformers builds equals the rule i - window < j <= i."""
    from transformers.masking_utils import sdpa_mask, sliding_window_causal_mask_function

    m = sdpa_mask(
        batch_size=1,
        q_length=n,
        kv_length=n,
        mask_function=sliding_window_causal_mask_function(window),
        allow_is_causal_skip=False,
    )[0, 0]
    rule = torch.tensor([[(i - window < j <= i) for j in range(n)] for i in range(n)])
    return bool(torch.equal(m, rule))


def make_fixture(name, spec, out_root):
    torch.manual_seed(spec["model_seed"])
    config = build_config(spec)
    model = spec["model_cls"](config)
    model.eval()
    perturb(model, spec["model_seed"])

    if spec.get("bf16"):
        f32_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(p.to(torch.bfloat16).to(torch.float32))

    seqs = make_input_ids(spec["model_seed"], config.vocab_size)
    base = all_logits(model, seqs)
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}

    folder = os.path.join(out_root, name)
    if os.path.exists(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    save_kwargs = {}
    if "max_shard_size" in spec:
        save_kwargs["max_shard_size"] = spec["max_shard_size"]
    if spec.get("bf16"):
        to_save = copy.deepcopy(model).to(torch.bfloat16)
        to_save.save_pretrained(folder, **save_kwargs)
        del to_save
    else:
        model.save_pretrained(folder, **save_kwargs)
    gen_cfg = os.path.join(folder, "generation_config.json")
    if os.path.exists(gen_cfg):
        os.remove(gen_cfg)
    cfg_json = classic_config_json(os.path.join(folder, "config.json"), config)
    assert "rope_parameters" not in cfg_json and "rope_theta" in cfg_json and "rope_scaling" in cfg_json

    checks = {}
    checks["config_json_classic_rope_layout"] = True

    # Reload from the saved (rewritten) folder; must be bit-identical.
    reloaded = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, attn_implementation="sdpa").eval()
    want_rp = {k: v for k, v in config.rope_parameters.items()}
    got_rp = {k: v for k, v in reloaded.config.rope_parameters.items()}
    if want_rp != got_rp:
        raise SystemExit(f"{name}: reloaded rope_parameters {got_rp} != {want_rp}")
    checks["reloaded_rope_parameters_equal"] = True
    if not torch.equal(reloaded.model.rotary_emb.inv_freq, model.model.rotary_emb.inv_freq) or (
        reloaded.model.rotary_emb.attention_scaling != model.model.rotary_emb.attention_scaling
    ):
        raise SystemExit(f"{name}: reloaded rotary embedding differs")
    re_logits = all_logits(reloaded, seqs)
    d_logits, d_lp = max_abs_all(base, re_logits)
    checks["reload_from_saved_files_max_abs_diff"] = max(d_logits, d_lp)
    if checks["reload_from_saved_files_max_abs_diff"] != 0.0:
        raise SystemExit(f"{name}: reload is not bit-identical ({d_logits}, {d_lp})")
    re_state = reloaded.state_dict()
    for k, v in state.items():
        if not torch.equal(re_state[k], v):
            raise SystemExit(f"{name}: reloaded tensor {k} differs")

    checks["batched_left_padding_max_abs_diff"] = batched_diff(model, seqs, base, "left")
    checks["batched_right_padding_max_abs_diff"] = batched_diff(model, seqs, base, "right")

    eager = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, attn_implementation="eager").eval()
    eager_logits = all_logits(eager, seqs)
    checks["eager_attention_vs_sdpa_max_abs_diff"] = max_abs_tokens(eager_logits, base, seqs)
    m64 = copy.deepcopy(model).to(torch.float64)
    l64 = all_logits(m64, seqs)
    checks["float64_vs_float32_max_abs_diff"] = max_abs_tokens([x.double() for x in l64], base, seqs)

    if "max_shard_size" in spec:
        with open(os.path.join(folder, "model.safetensors.index.json")) as fh:
            index = json.load(fh)
        shards = sorted(set(index["weight_map"].values()))
        if len(shards) < 2:
            raise SystemExit(f"{name}: expected >= 2 shards, got {shards}")
        checks["max_shard_size"] = spec["max_shard_size"]
        checks["shard_files"] = shards
        checks["index_tensor_count"] = len(index["weight_map"])
    st = safetensors_summary(folder)
    checks["safetensors_files"] = st

    if name == "mistral-sliding":
        checks["sliding_window_mask_rule_i_minus_w_lt_j_le_i_verified"] = check_sliding_mask_rule(
            config.sliding_window
        )
        if not checks["sliding_window_mask_rule_i_minus_w_lt_j_le_i_verified"]:
            raise SystemExit("sliding window rule check failed")

    if name == "qwen2-yarn":
        re = model.model.rotary_emb
        checks["yarn_attention_scaling"] = float(re.attention_scaling)
        checks["yarn_inv_freq_float32"] = [f(v) for v in re.inv_freq]
    if name == "llama-linear":
        checks["linear_inv_freq_float32"] = [f(v) for v in model.model.rotary_emb.inv_freq]

    if spec.get("bf16"):
        cfg32 = build_config(spec)
        m32 = spec["model_cls"](cfg32).eval()
        m32.load_state_dict(f32_state, strict=True)
        l32 = all_logits(m32, seqs)
        checks["bf16_rounded_vs_float32_weights_max_abs_diff"] = max_abs_tokens(l32, base, seqs)
        auto = AutoModelForCausalLM.from_pretrained(folder).eval()
        checks["from_pretrained_default_dtype"] = str(auto.dtype).replace("torch.", "")
        with safe_open(os.path.join(folder, "model.safetensors"), framework="pt") as sf:
            for k in sf.keys():
                t = sf.get_tensor(k)
                if t.dtype != torch.bfloat16 or not torch.equal(t.float(), state[k]):
                    raise SystemExit(f"{name}: saved bf16 tensor {k} does not upcast to the compute weights")
        checks["saved_bf16_upcast_equals_compute_weights"] = True

    sensitivity = {}
    sd_for_variants = state
    ones = {k: (torch.ones_like(v) if k.endswith("norm.weight") else v) for k, v in state.items()}
    sensitivity["all_rmsnorm_weights_set_to_one"] = max_abs_tokens(
        variant_logits(spec, ones, seqs), base, seqs
    )
    for vname, overrides in spec.get("variants", {}).items():
        sensitivity[vname] = max_abs_tokens(variant_logits(spec, sd_for_variants, seqs, overrides), base, seqs)
    for vname, suffixes in spec.get("zero_variants", {}).items():
        sensitivity[vname] = max_abs_tokens(
            variant_logits(spec, sd_for_variants, seqs, zero_suffixes=suffixes), base, seqs
        )
    sensitivity["rms_norm_eps_1e-2"] = max_abs_tokens(
        variant_logits(spec, sd_for_variants, seqs, dict(rms_norm_eps=1e-2)), base, seqs
    )

    entries = [sequence_entry(lg, ids) for lg, ids in zip(base, seqs)]
    weights_file = "model.safetensors.index.json" if "max_shard_size" in spec else "model.safetensors"
    arch = type(model).__name__
    expected = {
        "format_version": 1,
        "architecture": arch,
        "model_type": config.model_type,
        "transformers_version": transformers.__version__,
        "torch_version": torch.__version__,
        "safetensors_version": safetensors.__version__,
        "python_version": platform.python_version(),
        "compute_dtype": "float32",
        "weights_file": weights_file,
        "attn_implementation": "sdpa",
        "model_seed": spec["model_seed"],
        "sequences": entries,
        "checks": checks,
        "cross_checks": [
            {
                "transformers_version": transformers.__version__,
                "torch_version": torch.__version__,
                "attn_implementation": "eager",
                "load": "from_pretrained",
                "max_abs_diff_logprobs": checks["eager_attention_vs_sdpa_max_abs_diff"],
                "max_abs_diff_logits": max(max_abs(a, b) for a, b in zip(eager_logits, base)),
                "top5_ids_equal": all(
                    [t[0] for t in e1] == [t[0] for t in e2]
                    for e1_, e2_ in zip(
                        [sequence_entry(lg, ids)["top5"] for lg, ids in zip(eager_logits, seqs)],
                        [e["top5"] for e in entries],
                    )
                    for e1, e2 in zip(e1_, e2_)
                ),
            }
        ],
        "sensitivity_max_abs_change": sensitivity,
        "stats": stats_block(entries, config.vocab_size),
        "notes": COMMON_NOTES.format(tv=transformers.__version__, arch=arch, torch_v=torch.__version__)
        + MODEL_NOTES[name],
    }
    if "max_shard_size" in spec:
        expected["weights_files"] = checks["shard_files"]
    if spec.get("bf16"):
        expected["weights_dtype"] = "bfloat16"
    with open(os.path.join(folder, "expected.json"), "w") as fh:
        fh.write(json.dumps(expected, indent=1) + "\n")
    return expected


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=DEFAULT_OUT, help="output root (default: %(default)s)")
    ap.add_argument("--only", nargs="*", choices=sorted(SPECS), help="generate only these fixtures")
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    os.makedirs(args.out, exist_ok=True)
    for name in args.only or list(SPECS):
        exp = make_fixture(name, SPECS[name], args.out)
        c = exp["checks"]
        print(
            f"{name}: reload diff {c['reload_from_saved_files_max_abs_diff']}, "
            f"right-pad {c['batched_right_padding_max_abs_diff']:.3g}, left-pad {c['batched_left_padding_max_abs_diff']:.3g}, "
            f"eager {c['eager_attention_vs_sdpa_max_abs_diff']:.3g}, f64 {c['float64_vs_float32_max_abs_diff']:.3g}; "
            f"sensitivity {json.dumps({k: round(v, 3) for k, v in exp['sensitivity_max_abs_change'].items()})}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
