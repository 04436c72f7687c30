#!/usr/bin/env python3
"""Time Hugging Face transformers scoring the same model and token shapes as `provtrace bench`, for the side-by-side
ratio in tools/gpu-check.sh (issue 8: the engine should be >= 3x transformers on the same box, model and tokens).

What is timed is what scoring needs: a teacher-forced forward pass in bf16 with SDPA attention, then the fp32
log-softmax of the logits and the gather of each next token's log-prob, for B sequences of T random tokens, exactly
the work `provtrace bench --shape BxT` times (one warm-up pass, then the median of --runs passes, synchronised).
Writes one JSON object: per shape tokens/s, seconds per pass and the peak device memory torch saw.

Test tooling only: transformers/torch are never dependencies of the provtrace product.

Usage:
    python3 tools/gpu_transformers.py --model DIR --shape 8x512,1x4096 [--runs 3] [--device cuda] [--dtype bfloat16]
        [--json FILE]
"""

import argparse
import json
import statistics
import sys
import time

import torch
import transformers
from transformers import AutoModelForCausalLM


def score(model, ids):
    with torch.no_grad():
        logits = model(ids).logits
        logp = torch.log_softmax(logits[:, :-1].float(), dim=-1)
        return logp.gather(-1, ids[:, 1:].unsqueeze(-1)).squeeze(-1)


def sync(device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True)
    p.add_argument("--shape", required=True, help="BxT[,BxT...]")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--device", default="cuda")
    p.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float32"])
    p.add_argument("--json")
    a = p.parse_args(argv)
    dtype = getattr(torch, a.dtype)
    t0 = time.time()
    model = AutoModelForCausalLM.from_pretrained(a.model, dtype=dtype, attn_implementation="sdpa").to(a.device).eval()
    load_s = time.time() - t0
    vocab = model.config.vocab_size
    gen = torch.Generator().manual_seed(42)
    report = {"model": a.model, "device": a.device, "dtype": a.dtype, "attn_implementation": "sdpa",
              "transformers_version": transformers.__version__, "torch_version": torch.__version__,
              "load_seconds": load_s, "shapes": []}
    if a.device.startswith("cuda"):
        report["gpu"] = torch.cuda.get_device_name()
    for shape in a.shape.split(","):
        b, t = (int(x) for x in shape.lower().split("x"))
        ids = torch.randint(0, vocab, (b, t), generator=gen).to(a.device)
        row = {"shape": shape, "tokens": b * t}
        try:
            if a.device.startswith("cuda"):
                torch.cuda.reset_peak_memory_stats()
            score(model, ids)                                   # warm-up
            sync(a.device)
            secs = []
            for _ in range(a.runs):
                s = time.perf_counter()
                score(model, ids)
                sync(a.device)
                secs.append(time.perf_counter() - s)
            med = statistics.median(secs)
            row.update({"median_s": med, "best_s": min(secs), "tokens_per_s": b * t / med})
            if a.device.startswith("cuda"):
                row["peak_device_bytes"] = torch.cuda.max_memory_allocated()
        except torch.cuda.OutOfMemoryError as e:   # a shape transformers cannot hold is a result, not a crash
            row["error"] = "out of memory: " + str(e).splitlines()[0]
            torch.cuda.empty_cache()
        report["shapes"].append(row)
        print(json.dumps(row), file=sys.stderr)
    text = json.dumps(report, indent=1)
    if a.json:
        with open(a.json, "w") as f:
            f.write(text + "\n")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
