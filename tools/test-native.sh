#!/bin/sh
# Runs the native op tests (the emulated device's semantics and every kernel against its double reference) with
# ctest, after tools/build-native.sh; called by Maven in the test phase. Nothing to run when the native build was
# skipped on a machine without its tools (it said so then).
# Usage: tools/test-native.sh BUILD_DIR
set -eu
build="$1"
if [ ! -f "$build/CTestTestfile.cmake" ]; then
  echo "provtrace native tests: not built, skipped" >&2
  exit 0
fi
ctest --test-dir "$build" --output-on-failure
