#!/usr/bin/env bash
# The device check, run on a lent GPU box (H200, driver 580 / CUDA 13, python3 + torch; no JDK, Maven or network)
# from the root of the working tree the device tool copies there, with target/gpu-bundle.tar.xz carried
# (made here by tools/gpu-bundle.sh). Every step is logged with its time and result and the run goes on after a
# failure; $OUT/gpu-check.json sums them up and $OUT/gpu-check.log has the output. Whole run: a few minutes.
#
#   bash tools/gpu-check.sh              on the box: --device cuda
#   DEVICE=cuda-emu bash tools/gpu-check.sh --quick
#                                        here: the same steps on the emulated device (tiny sizes), to test the script
#
# Steps: environment (glibc, nvidia-smi, cuBLAS from the box's Python packages), HF parity fp32 and bf16 on the
# fixture models of the tree (tools/compare_fixture_logprobs.py; bf16 also against transformers' own bf16 run,
# expected.compute-bf16.json), test-ops, the bench (the card's own bf16 GEMM 8192³ and copy bandwidth in the same
# run; Llama-3.1-8B at 8×512, 4k, 4×4k and 32k tokens, the 32k in one pass and, last, in chunks of 8k) and
# transformers on the same 8B model and shapes (tools/gpu_transformers.py: bf16, SDPA, log-softmax of the logits) side
# by side, and --batch-invariant (bitwise the same in passes of 7 (chunked), 64 and 4096 tokens; its cost on the 8B
# at 4k).
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEVICE="${DEVICE:-cuda}"
REAL=0; [[ "$DEVICE" == cuda || "$DEVICE" == cuda:* ]] && REAL=1
QUICK=0; [[ "${1:-}" == "--quick" ]] && QUICK=1
OUT="${OUT:-$ROOT/target/gpu-check}"
mkdir -p "$OUT"
LOG="$OUT/gpu-check.log"; : > "$LOG"
WORK="$(mktemp -d)"
STEPS="$WORK/steps.jsonl"; : > "$STEPS"
PY="$(command -v python3)"

step() {   # step NAME TIMEOUT_S COMMAND...: runs it, logs it, records {name, rc, seconds}
  local name="$1" limit="$2"; shift 2
  local t0=$(date +%s%N)
  echo "=== $name: $*" >> "$LOG"
  timeout "$limit" "$@" >> "$LOG" 2>&1; local rc=$?
  local ms=$(( ($(date +%s%N) - t0) / 1000000 )); local dt="$((ms / 1000)).$(( (ms % 1000) / 100 ))"
  echo "=== $name: rc=$rc in ${dt}s" >> "$LOG"
  printf '{"step": "%s", "rc": %d, "seconds": %s}\n' "$name" "$rc" "$dt" >> "$STEPS"
  echo "$name: rc=$rc (${dt}s)"
  return $rc
}

# ---- the provtrace to run: the bundle on the box, the launcher here
if [[ -f "$ROOT/target/gpu-bundle.tar.xz" && $REAL == 1 && ! -x "$ROOT/target/gpu-bundle/run" ]]; then
  step unpack-bundle 120 tar -xJf "$ROOT/target/gpu-bundle.tar.xz" -C "$ROOT/target"
fi
if [[ -x "$ROOT/target/gpu-bundle/run" ]]; then PT="$ROOT/target/gpu-bundle/run"; else PT="$ROOT/provtrace"; fi
echo "provtrace: $PT" >> "$LOG"

# ---- environment
step glibc 10 ldd --version
if [[ $REAL == 1 ]]; then
  step nvidia-smi 30 nvidia-smi
  # cuBLAS from the box's Python environment (the nvidia-cublas wheel torch depends on)
  CUBLAS_DIR="$("$PY" -c 'import nvidia.cublas, os; print(os.path.join(list(nvidia.cublas.__path__)[0], "lib"))' 2>/dev/null || true)"
  for lib in "$CUBLAS_DIR/libcublas.so.13" "$CUBLAS_DIR/libcublas.so.12"; do
    if [[ -f "$lib" ]]; then export PROVTRACE_CUBLAS="$lib"; break; fi
  done
  echo "PROVTRACE_CUBLAS=${PROVTRACE_CUBLAS:-not found (looked in ${CUBLAS_DIR:-no nvidia.cublas package})}" | tee -a "$LOG"
fi
step version 60 "$PT" --version

# ---- every op on the device against the naive reference backend (NMSE tolerances, guard regions)
step test-ops 240 "$PT" test-ops --device "$DEVICE" --json "$OUT/test-ops.json"

# ---- HF parity: fp32 (max 1e-4) and bf16 (mean 0.02, max 0.15) against the fp32 reference of each fixture
FIXTURES=()
for d in "$ROOT"/java/src/test/resources/hf-reference/*/ "$ROOT"/java/src/test/resources/hf-extra/*/; do
  [[ -f "$d/expected.json" ]] && FIXTURES+=("${d%/}")
done
[[ $QUICK == 1 ]] && FIXTURES=("${FIXTURES[@]:0:2}")
for fx in "${FIXTURES[@]}"; do
  name="$(basename "$fx")"
  "$PY" "$ROOT/tools/compare_fixture_logprobs.py" make-input "$fx/expected.json" "$WORK/$name.in.jsonl"
  for prec in fp32 bf16; do
    out="$WORK/$name.$prec.out.jsonl"
    if step "logprobs-$name-$prec" 300 "$PT" logprobs --device "$DEVICE" --precision "$prec" --model "$fx" \
        --input "$WORK/$name.in.jsonl" --output "$out" --allow-long --quiet; then
      if [[ $prec == fp32 ]]; then lim=(--max-abs 1e-4); else lim=(--max-abs 0.15 --mean-abs 0.02); fi
      "$PY" "$ROOT/tools/compare_fixture_logprobs.py" compare "$fx/expected.json" "$out" "${lim[@]}" \
        | tee -a "$OUT/parity.jsonl" >> "$LOG"
      printf '{"step": "parity-%s-%s", "rc": %d, "seconds": 0}\n' "$name" "$prec" "${PIPESTATUS[0]}" >> "$STEPS"
      if [[ $prec == bf16 && -f "$fx/expected.compute-bf16.json" ]]; then   # transformers run in bf16 itself
        "$PY" "$ROOT/tools/compare_fixture_logprobs.py" compare "$fx/expected.compute-bf16.json" "$out" --max-abs 0.15 --mean-abs 0.03 \
          | tee -a "$OUT/parity.jsonl" >> "$LOG"
        printf '{"step": "parity-%s-bf16-vs-transformers-bf16", "rc": %d, "seconds": 0}\n' "$name" "${PIPESTATUS[0]}" >> "$STEPS"
      fi
    fi
  done
done

# ---- batch invariance: the same texts in passes of 7 (chunked prefill), 64 and 4096 tokens, bitwise equal with
# --batch-invariant
BI="${FIXTURES[0]}"; BIN="$(basename "$BI")"
"$PY" "$ROOT/tools/compare_fixture_logprobs.py" make-input "$BI/expected.json" "$WORK/bi.in.jsonl"
for bt in 7 64 4096; do
  step "batch-invariant-$BIN-$bt" 300 "$PT" logprobs --device "$DEVICE" --precision bf16 --batch-invariant --model "$BI" \
    --input "$WORK/bi.in.jsonl" --output "$WORK/bi.$bt.out.jsonl" --batch-tokens "$bt" --allow-long --quiet
done
"$PY" - "$WORK/bi.64.out.jsonl" "$WORK/bi.4096.out.jsonl" "$WORK/bi.7.out.jsonl" >> "$LOG" 2>&1 <<'PYEOF'
import json, sys
a = [json.loads(l)["token_logprobs"] for l in open(sys.argv[1])]
b = [json.loads(l)["token_logprobs"] for l in open(sys.argv[2])]
c = [json.loads(l)["token_logprobs"] for l in open(sys.argv[3])]
same = a == b == c and len(a) > 0
print(json.dumps({"batch_invariant_bitwise": same, "texts": len(a)}))
sys.exit(0 if same else 1)
PYEOF
printf '{"step": "batch-invariant-bitwise", "rc": %d, "seconds": 0}\n' "$?" >> "$STEPS"

# ---- bench (random weights made on the box; nothing is downloaded), and transformers on the same model and shapes
have_torch() { "$PY" -c 'import torch, transformers' >/dev/null 2>&1; }
side_by_side() {   # side_by_side NAME: provtrace's and transformers' tokens/s per shape -> $OUT/side-by-side.jsonl
  "$PY" - "$OUT/bench-$1.json" "$OUT/transformers-$1.json" "$1" >> "$OUT/side-by-side.jsonl" <<'PYEOF'
import json, sys
ours, theirs, name = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
by_shape = {r["shape"]: r for r in theirs["shapes"]}
for r in ours["shapes"]:
    t = by_shape.get(r["shape"], {})
    row = {"model": name, "shape": r["shape"], "provtrace_tokens_per_s": r["tokens_per_s"],
           "transformers_tokens_per_s": t.get("tokens_per_s"), "transformers_error": t.get("error"),
           "ratio": r["tokens_per_s"] / t["tokens_per_s"] if t.get("tokens_per_s") else None,
           "ratio_to_device_gemm": r.get("ratio_to_device_gemm"), "peak_device_bytes": r.get("peak_device_bytes")}
    print(json.dumps(row))
PYEOF
}
skipped=()
if [[ $QUICK == 0 ]]; then
  # (the 8B alone: the speed goals are stated on it, and three loads of it already take most of the 8 minutes)
  M8="$WORK/llama-3.1-8b"
  if step random-8b 300 "$PT" random-model --preset llama-3.1-8b --dtype bf16 --out "$M8"; then
    step bench-8b 420 "$PT" bench --device "$DEVICE" --model "$M8" --shape 8x512,1x4096,4x4096 --runs 3 \
      --json "$OUT/bench-8b.json"
    step transformers-8b 420 "$PY" "$ROOT/tools/gpu_transformers.py" --model "$M8" --shape 8x512,1x4096,4x4096 --runs 3 \
      --device cuda --json "$OUT/transformers-8b.json" && side_by_side 8b
    step bench-8b-invariant 300 "$PT" bench --device "$DEVICE" --model "$M8" --shape 1x4096 --runs 2 --batch-invariant \
      --json "$OUT/bench-8b-invariant.json"
    step bench-8b-32k 300 "$PT" bench --device "$DEVICE" --model "$M8" --shape 1x32768 --runs 1 --json "$OUT/bench-8b-32k.json"
    step bench-8b-32k-chunked 240 "$PT" bench --device "$DEVICE" --model "$M8" --shape 1x32768 --runs 1 --batch-tokens 8192 \
      --json "$OUT/bench-8b-32k-chunked.json"
  fi
else
  step bench-tiny 300 "$PT" bench --device "$DEVICE" --model "${FIXTURES[0]}" --precision bf16 --shape 2x64 --runs 1 \
    --json "$OUT/bench-tiny.json"
  if have_torch; then   # here on the CPU: the script and the side-by-side step themselves
    step transformers-tiny 300 "$PY" "$ROOT/tools/gpu_transformers.py" --model "${FIXTURES[0]}" --shape 2x64 --runs 1 \
      --device cpu --json "$OUT/transformers-tiny.json" && side_by_side tiny
  else
    skipped+=("transformers-tiny: no torch/transformers in $PY")
    echo "transformers-tiny: skipped (no torch/transformers in $PY)"
  fi
fi
printf '%s\n' "${skipped[@]}" > "$WORK/skipped.txt"

# ---- summary
"$PY" - "$STEPS" "$OUT/gpu-check.json" "$DEVICE" "$WORK/skipped.txt" "$OUT/side-by-side.jsonl" <<'PYEOF'
import json, os, sys
steps = [json.loads(l) for l in open(sys.argv[1])]
skipped = [l.strip() for l in open(sys.argv[4]) if l.strip()]
side = [json.loads(l) for l in open(sys.argv[5])] if os.path.exists(sys.argv[5]) else []
summary = {"device": sys.argv[3], "steps": steps, "failed": [s["step"] for s in steps if s["rc"] != 0],
           "skipped": skipped, "side_by_side": side, "not_yet_in_the_check": []}
json.dump(summary, open(sys.argv[2], "w"), indent=1)
print(f"{len(steps)} steps, {len(summary['failed'])} failed: {summary['failed']}; skipped: {skipped}")
for r in side:
    print(f"  {r['model']} {r['shape']}: provtrace {r['provtrace_tokens_per_s']:.0f} tokens/s, transformers "
          f"{r['transformers_tokens_per_s'] or 0:.0f}: ratio {r['ratio'] or float('nan'):.2f}")
PYEOF
rm -rf "$WORK"
