#!/usr/bin/env python3
"""Recompute per-token log-probs with Hugging Face transformers and compare them with provtrace's output.

    /opt/hfvenv/bin/python tools/compare_logprobs.py MODEL_DIR LOGPROBS.jsonl [--tolerance 1e-4]

MODEL_DIR is a Hugging Face checkpoint folder (config.json plus model.safetensors, or sharded
model-*.safetensors with model.safetensors.index.json). LOGPROBS.jsonl is provtrace `logprobs` output:
one JSON object per line, {"id": ..., "input_ids": [int, ...], "token_logprobs": [null, lp1, ...]}.

For every line the model is run once on the unpadded input_ids (float32, attn_implementation="sdpa",
eval mode, no attention mask, position ids 0..n-1), token_logprobs[t] = log_softmax(logits[t-1])[input_ids[t]]
is recomputed, and max |delta| is printed per line and overall. Weights stored as bf16/fp16 are upcast
exactly to float32 (dtype=torch.float32 is forced; transformers 5 would otherwise default to the
checkpoint's dtype).

Exit status: 0 if every |delta| <= tolerance, 1 if some |delta| > tolerance (or a value is missing,
NaN or non-finite where the reference is finite), 2 on malformed input or a model that cannot be loaded.

Test tooling only: transformers is never a dependency of the provtrace product.
"""

import argparse
import json
import math
import os
import sys


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir", help="Hugging Face checkpoint folder")
    ap.add_argument("jsonl", help="provtrace logprobs output (JSONL); '-' reads stdin")
    ap.add_argument("--tolerance", type=float, default=1e-4, help="max allowed |delta| (default: %(default)s)")
    ap.add_argument(
        "--attn-implementation",
        default="sdpa",
        choices=["sdpa", "eager"],
        help="transformers attention implementation (default: %(default)s)",
    )
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0 = torch default)")
    ap.add_argument("--quiet", action="store_true", help="print only failing lines and the summary")
    return ap.parse_args(argv)


def read_lines(path):
    fh = sys.stdin if path == "-" else open(path, encoding="utf-8")
    try:
        for lineno, raw in enumerate(fh, 1):
            raw = raw.strip()
            if not raw:
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as e:
                raise ValueError(f"line {lineno}: not JSON: {e}") from None
            if not isinstance(obj, dict):
                raise ValueError(f"line {lineno}: expected a JSON object")
            ids = obj.get("input_ids")
            lps = obj.get("token_logprobs")
            if not isinstance(ids, list) or not ids or not all(isinstance(i, int) for i in ids):
                raise ValueError(f"line {lineno}: input_ids must be a non-empty list of ints")
            if not isinstance(lps, list) or len(lps) != len(ids):
                raise ValueError(
                    f"line {lineno}: token_logprobs must be a list as long as input_ids ({len(ids)})"
                )
            if lps[0] is not None:
                raise ValueError(f"line {lineno}: token_logprobs[0] must be null")
            for t, v in enumerate(lps[1:], 1):
                if v is not None and not isinstance(v, (int, float)):
                    raise ValueError(f"line {lineno}: token_logprobs[{t}] is not a number")
            yield lineno, obj.get("id", lineno), ids, lps
    finally:
        if fh is not sys.stdin:
            fh.close()


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not os.path.isfile(os.path.join(args.model_dir, "config.json")):
        print(f"error: {args.model_dir} is not a checkpoint folder (no config.json)", file=sys.stderr)
        return 2
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # local folders only, never the Hub

    import torch
    import transformers
    from transformers import AutoModelForCausalLM

    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    if args.threads > 0:
        torch.set_num_threads(args.threads)

    try:
        model = AutoModelForCausalLM.from_pretrained(
            args.model_dir, dtype=torch.float32, attn_implementation=args.attn_implementation
        ).eval()
    except Exception as e:  # noqa: BLE001 - report any load failure as a usage error
        print(f"error: cannot load model from {args.model_dir}: {e}", file=sys.stderr)
        return 2
    vocab = model.config.get_text_config().vocab_size

    overall = 0.0
    failed = []
    n_lines = 0
    n_tokens = 0
    try:
        for lineno, line_id, ids, lps in read_lines(args.jsonl):
            if any(i < 0 or i >= vocab for i in ids):
                raise ValueError(f"line {lineno}: input_ids out of range for vocab_size {vocab}")
            with torch.no_grad():
                logits = model(input_ids=torch.tensor([ids], dtype=torch.long)).logits[0].float()
            ref = torch.log_softmax(logits, dim=-1)
            worst = 0.0
            worst_pos = None
            bad = False
            for t in range(1, len(ids)):
                r = float(ref[t - 1, ids[t]])
                v = lps[t]
                if v is None or not math.isfinite(float(v)):
                    d = math.inf
                else:
                    d = abs(float(v) - r)
                if worst_pos is None or d > worst:
                    worst, worst_pos = d, t
                if not d <= args.tolerance:
                    bad = True
            n_lines += 1
            n_tokens += len(ids) - 1
            overall = max(overall, worst)
            status = "FAIL" if bad else "ok"
            if bad:
                failed.append(line_id)
            if bad or not args.quiet:
                where = f" at t={worst_pos}" if worst > 0 else ""
                print(f"{status} id={json.dumps(line_id)} n={len(ids)} max_abs_diff={worst:.3e}{where}")
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    if n_lines == 0:
        print("error: no lines to compare", file=sys.stderr)
        return 2
    print(
        f"overall: {n_lines} lines, {n_tokens} tokens, max_abs_diff={overall:.3e}, "
        f"tolerance={args.tolerance:g}, {'FAIL' if failed else 'PASS'}"
        + (f" ({len(failed)} failing lines)" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
