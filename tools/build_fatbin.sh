#!/bin/sh
# Compiles one kernels/*.cu into a fatbin for every GPU generation we support (sm_80 A100, sm_86 RTX 30xx/A10,
# sm_89 L4/RTX 40xx, sm_90 H100/H200) plus compute_90 PTX that newer drivers JIT for later GPUs, and keeps ptxas'
# per-kernel report (registers, shared memory, spills) beside it. Fails when a kernel spills registers.
# Usage: tools/build_fatbin.sh NVCC SRC.cu OUT.fatbin
set -eu
nvcc="$1"; src="$2"; out="$3"
log="${out%.fatbin}.ptxas.txt"
mkdir -p "$(dirname "$out")"
if ! "$nvcc" -O3 -std=c++17 -fatbin \
    -gencode arch=compute_80,code=sm_80 -gencode arch=compute_86,code=sm_86 \
    -gencode arch=compute_89,code=sm_89 -gencode arch=compute_90,code=sm_90 \
    -gencode arch=compute_90,code=compute_90 \
    -Xptxas -v -I"$(dirname "$src")" "$src" -o "$out" 2> "$log"; then
  cat "$log" >&2
  exit 1
fi
sh "$(dirname "$0")/check_ptxas.sh" "$log"
