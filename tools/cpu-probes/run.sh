#!/usr/bin/env bash
# Builds and runs the CPU probes (needs gcc with -march=sapphirerapids and a CPU with AVX512-BF16 and AVX512-FP16).
# Usage: tools/cpu-probes/run.sh   (prints per-core peak rates, then the fp16 GEMM probe on the pass's shapes)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for flag in avx512_bf16 avx512_fp16; do
  grep -qw "$flag" /proc/cpuinfo || { echo "this CPU has no $flag: the probes cannot run here" >&2; exit 2; }
done
gcc -O2 -march=sapphirerapids "$here/peak_rates.c" -o "$out/peak_rates"
gcc -O3 -march=sapphirerapids "$here/fp16_gemm_probe.c" -o "$out/fp16_gemm_probe" -lm
"$out/peak_rates"
for shape in "512 4864 896" "512 896 4864" "512 8192 896"; do "$out/fp16_gemm_probe" $shape; done
