#!/usr/bin/env python3
"""provtrace against Hugging Face transformers on the CPU, side by side: the same weights, the same token ids, the
same work (a teacher-forced forward pass and the log-prob of every next token), interleaved round by round so both
see the same machine, and the ratio of the medians.

    python tools/bench_vs_transformers.py [--preset qwen2.5-0.5b] [--tokens 512,2048] [--rounds 5] [--runs 3]
                                          [--threads 2] [--precision fp32|bf16|fp16] [--model DIR] [--work DIR]
                                          [--load-core] [--json FILE]

* weights: `provtrace random-model --preset P --dtype f32` into WORK/model (`--dtype bf16`: WORK/model-bf16; or
  --model DIR, any HF folder);
  transformers loads the same folder (float32, attn_implementation="sdpa", torch.set_num_threads(--threads));
* ids: one sequence of T uniformly random token ids per --tokens entry (seed 0), written to WORK/ids-T.jsonl and
  given to `provtrace bench --ids` and to the model;
* provtrace's side: `provtrace bench --model WORK/model --ids WORK/ids-T.jsonl --runs R` (its median pass time after a
  warm-up pass, which excludes the JVM start and the weight load); transformers' side: `model(ids).logits`,
  `log_softmax` in float32 and the gather of the next tokens, the median of R runs after a warm-up run;
* one round = both sides once per length, provtrace first; the printed ratio is the median over rounds of
  provtrace's tokens/s over the median over rounds of transformers' (and the per-round ratios);
* --load-core keeps a busy-looping process on one core for the whole run (contention from a second process);
* --precision bf16 times provtrace's bf16 path against transformers in float32 (with --dtype bf16 its GEMMs run on
  oneDNN's bf16 matmul where oneDNN has AMX, or with JAVA_TOOL_OPTIONS=-Dprovtrace.cpu.bf16=onednn);
* the GEMM rates beside them: provtrace's OpenBLAS sgemm (bench's reference, `--sgemm-n`) and torch's own fp32
  matmul of the same size and threads, each the median over rounds, so a ratio can be read against the strongest
  GEMM on the machine and not only against our own.

transformers and torch come from a venv outside the repo (as the fixture tools do); provtrace from ./provtrace.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SGEMM_N = 2048   # the reference GEMMs' size, for provtrace's sgemm and torch's matmul alike


def provtrace(*args, capture=True):
    cmd = [str(ROOT / "provtrace"), *map(str, args)]
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=capture, text=True)
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr if capture else ''}")
    return r


def ensure_model(args, work):
    if args.model:
        return Path(args.model)
    model = work / ("model" if args.dtype == "f32" else "model-" + args.dtype)
    if not (model / "config.json").exists():
        print(f"random {args.preset} weights ({args.dtype}) into {model} ...", file=sys.stderr)
        provtrace("random-model", "--preset", args.preset, "--dtype", args.dtype, "--out", model)
    return model


def write_ids(work, lengths, vocab):
    import torch
    g = torch.Generator().manual_seed(0)
    files = {}
    for t in lengths:
        ids = torch.randint(0, vocab, (t,), generator=g).tolist()
        f = work / f"ids-{t}.jsonl"
        f.write_text(json.dumps({"input_ids": ids}) + "\n")
        files[t] = (f, ids)
    return files


def time_provtrace(model, ids_file, args, work, rnd, t):
    out = work / f"provtrace-{t}-round{rnd}.json"
    provtrace("bench", "--model", model, "--ids", ids_file, "--runs", args.runs, "--threads", args.threads,
              "--precision", args.precision, "--sgemm-n", SGEMM_N, "--json", out)
    row = json.loads(out.read_text())["shapes"][0]
    return row["median_s"], row


def torch_matmul_gflops(n, runs=3):
    import torch
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b.T
    best = 0.0
    for _ in range(runs):
        t0 = time.perf_counter()
        a @ b.T
        best = max(best, 2.0 * n ** 3 / (time.perf_counter() - t0) / 1e9)
    return best


def time_transformers(model, ids, runs):
    import torch
    x = torch.tensor([ids])
    target = x[0, 1:, None]

    def once():
        with torch.inference_mode():
            logits = model(x).logits
            return torch.log_softmax(logits[0, :-1].float(), dim=-1).gather(-1, target)

    once()   # warm-up
    secs = []
    for _ in range(runs):
        t0 = time.perf_counter()
        once()
        secs.append(time.perf_counter() - t0)
    return statistics.median(secs)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--preset", default="qwen2.5-0.5b")
    p.add_argument("--model", help="an HF folder instead of random preset weights")
    p.add_argument("--dtype", default="f32", choices=["f32", "bf16"],
                   help="the random weights' dtype (transformers widens bf16 to fp32 exactly); bf16 with --precision"
                        " bf16 is the route that runs on oneDNN's AMX kernels where the CPU has them")
    p.add_argument("--tokens", default="512,2048", help="sequence lengths, comma-separated")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--runs", type=int, default=3, help="timed passes per side per round")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--precision", default="fp32", choices=["fp32", "bf16", "fp16"], help="provtrace's precision")
    p.add_argument("--work", default=str(ROOT / "target" / "bench-vs-transformers"))
    p.add_argument("--load-core", action="store_true", help="a second process keeps one core busy throughout")
    p.add_argument("--json", help="also write the results here")
    args = p.parse_args()

    import torch
    import transformers
    torch.set_num_threads(args.threads)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    model_dir = ensure_model(args, work)
    config = json.loads((model_dir / "config.json").read_text())
    lengths = [int(t) for t in args.tokens.split(",")]
    ids = write_ids(work, lengths, config["vocab_size"])
    model = transformers.AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32, attn_implementation="sdpa")
    model.eval()

    load = None
    if args.load_core:
        load = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        pt = {t: [] for t in lengths}
        hf = {t: [] for t in lengths}
        gemm = {"provtrace_openblas_sgemm": [], "torch_matmul": []}
        for rnd in range(args.rounds):
            for t in lengths:
                s, row = time_provtrace(model_dir, ids[t][0], args, work, rnd, t)
                pt[t].append(s)
                gemm["provtrace_openblas_sgemm"].append(row["sgemm_gflops"])
                gemm["torch_matmul"].append(torch_matmul_gflops(SGEMM_N))
                hf[t].append(time_transformers(model, ids[t][1], args.runs))
                print(f"round {rnd + 1}/{args.rounds}, {t} tokens: provtrace {t / pt[t][-1]:.1f} tokens/s, "
                      f"transformers {t / hf[t][-1]:.1f} tokens/s, ratio {hf[t][-1] / pt[t][-1]:.2f}", file=sys.stderr)
    finally:
        if load is not None:
            load.kill()

    result = {"preset": args.preset if not args.model else None, "model": str(model_dir), "threads": args.threads,
              "provtrace_precision": args.precision, "transformers": transformers.__version__, "torch": torch.__version__,
              "torch_threads": torch.get_num_threads(), "rounds": args.rounds, "runs": args.runs,
              "load_core": args.load_core, "cpu": os.cpu_count(), "lengths": {}}
    print(f"\nprovtrace ({args.precision}) vs transformers {transformers.__version__} + torch {torch.__version__} (fp32, sdpa), "
          f"{args.threads} threads{', one core loaded by another process' if args.load_core else ''}; "
          f"medians over {args.rounds} interleaved rounds of {args.runs} passes:")
    for t in lengths:
        a, b = statistics.median(pt[t]), statistics.median(hf[t])
        rounds = [h / q for q, h in zip(pt[t], hf[t])]
        result["lengths"][t] = {"provtrace_tokens_per_s": t / a, "transformers_tokens_per_s": t / b, "ratio": b / a,
                                "round_ratios": rounds}
        print(f"  {t:6d} tokens: provtrace {t / a:8.1f} tokens/s, transformers {t / b:8.1f} tokens/s, "
              f"ratio {b / a:.2f}x (rounds: {' '.join(f'{r:.2f}' for r in rounds)})")
    g = {k: statistics.median(v) for k, v in gemm.items()}
    result["gemm_gflops"] = g
    result["gemm_n"] = SGEMM_N
    print(f"  fp32 GEMM {SGEMM_N}³, {args.threads} threads (median over rounds): OpenBLAS sgemm (provtrace's) "
          f"{g['provtrace_openblas_sgemm']:.1f} GFLOP/s, torch matmul {g['torch_matmul']:.1f} GFLOP/s")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
