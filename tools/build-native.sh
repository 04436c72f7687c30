#!/bin/sh
# Builds the GPU backend's native parts into the jar's resources (called by Maven in generate-resources):
# the emulated CUDA device library (g++; needs the CUDA toolkit's headers) and, where nvcc is present, the kernels'
# fatbins. A machine without g++, cmake or the CUDA headers still builds the jar (the CPU backend needs none of it)
# and is told what is left out, unless PROVTRACE_REQUIRE_NATIVE=1 or CI=true, where a missing part fails the build.
# Usage: tools/build-native.sh BUILD_DIR RESOURCES_DIR JAVA_HOME
set -eu
build="$1"; resources="$2"; java_home="$3"
root="$(cd "$(dirname "$0")/.." && pwd)"
require="${PROVTRACE_REQUIRE_NATIVE:-}"
[ "${CI:-}" = "true" ] && require=1
missing=""
command -v cmake >/dev/null 2>&1 || missing="$missing cmake"
command -v g++ >/dev/null 2>&1 || missing="$missing g++"
if [ ! -f /usr/local/cuda/include/cuda_bf16.h ] && [ ! -f /usr/local/cuda/targets/x86_64-linux/include/cuda_bf16.h ]; then
  missing="$missing CUDA-headers(cuda_bf16.h)"
fi
if [ -n "$missing" ]; then
  if [ -n "$require" ]; then
    echo "provtrace native build: missing$missing" >&2
    exit 1
  fi
  echo "provtrace native build: skipped (missing$missing); --device cuda-emu will not be available" >&2
  exit 0
fi
# JDK 9+: java.home is the JDK itself; JDK 8-style layouts have the headers one folder up.
[ -f "$java_home/include/jni.h" ] || java_home="$(dirname "$java_home")"
mkdir -p "$build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DJAVA_HOME="$java_home" -DPROVTRACE_RESOURCES="$resources" >"$build/configure.log" 2>&1 \
  || { cat "$build/configure.log" >&2; exit 1; }
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" >"$build/build.log" 2>&1 || { cat "$build/build.log" >&2; exit 1; }
