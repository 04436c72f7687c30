#!/usr/bin/env python3
"""Add transformers-in-bf16 reference log-probs to provtrace's HF fixtures.

For every fixture folder under java/src/test/resources/hf-reference and hf-extra (a tiny HF checkpoint with an
expected.json made in float32), load the same checkpoint with transformers in bfloat16 -- what a user who runs the
model in bf16 gets: from_pretrained(..., dtype=torch.bfloat16, attn_implementation="sdpa"), every weight and
activation in bf16, the residual stream included -- teacher-force the same sequences as expected.json, and write
expected.compute-bf16.json beside it: per-token log-probs of log_softmax(logits.float()).

This is test tooling only: transformers/torch are never dependencies of the provtrace product.

Usage (a venv outside the repo, from the local package index; see tools/README.md):
    python3 -m venv /work/hfvenv
    /work/hfvenv/bin/pip install --index-url file:///opt/pypi/simple --extra-index-url file:///opt/pypi-more/simple \
        torch transformers safetensors
    /work/hfvenv/bin/python tools/make_bf16_compute_fixtures.py [--only NAME ...]

Deterministic: no randomness, torch.set_num_threads(1), sorted JSON keys.
"""

import argparse
import json
import os
import platform

import torch
import transformers
from transformers import AutoModelForCausalLM

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOTS = [os.path.join(REPO_ROOT, "java", "src", "test", "resources", d) for d in ("hf-reference", "hf-extra")]
OUT_NAME = "expected.compute-bf16.json"


def fixture_dirs(only):
    for root in ROOTS:
        for name in sorted(os.listdir(root)):
            folder = os.path.join(root, name)
            if not os.path.isfile(os.path.join(folder, "expected.json")):
                continue
            if only and name not in only:
                continue
            yield name, folder


def token_logprobs(model, ids):
    with torch.no_grad():
        logits = model(torch.tensor([ids], dtype=torch.long)).logits[0].float()
    logp = torch.log_softmax(logits, dim=-1)
    out = [None]
    for t in range(1, len(ids)):
        out.append(float(logp[t - 1, ids[t]]))
    return out


def make(name, folder):
    expected = json.load(open(os.path.join(folder, "expected.json")))
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.bfloat16, attn_implementation="sdpa").eval()
    seqs = []
    worst = 0.0
    for s in expected["sequences"]:
        ids = s["input_ids"]
        lp = token_logprobs(model, ids)
        for a, b in zip(lp[1:], s["token_logprobs"][1:]):
            worst = max(worst, abs(a - b))
        seqs.append({"input_ids": ids, "token_logprobs": lp})
    doc = {
        "format_version": 1,
        "architecture": expected.get("architecture"),
        "model_type": expected.get("model_type"),
        "transformers_version": transformers.__version__,
        "torch_version": torch.__version__,
        "python_version": platform.python_version(),
        "compute_dtype": "bfloat16",
        "attn_implementation": "sdpa",
        "load": "AutoModelForCausalLM.from_pretrained(folder, dtype=torch.bfloat16, attn_implementation='sdpa').eval()",
        "logprobs": "log_softmax(logits.float()) of the bf16 model's logits",
        "max_abs_diff_vs_float32_expected": worst,
        "sequences": seqs,
    }
    with open(os.path.join(folder, OUT_NAME), "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{name}: {OUT_NAME}, max |bf16 - fp32| = {worst:.4f}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", nargs="*", help="fixture names to redo (default: all)")
    args = p.parse_args()
    torch.set_num_threads(1)
    for name, folder in fixture_dirs(set(args.only or [])):
        make(name, folder)


if __name__ == "__main__":
    main()
