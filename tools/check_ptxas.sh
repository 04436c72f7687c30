#!/bin/sh
# Fails when ptxas reports register spills for any kernel in a -Xptxas -v log (the hot kernels must not spill).
# Usage: tools/check_ptxas.sh build/kernels/NAME.ptxas.txt
log="$1"
spills=$(awk '/Compiling entry function/ { fn = $0 } /spill stores/ && ($5 != 0 || $9 != 0) { print fn " :: " $0 }' "$log")
if [ -n "$spills" ]; then
  echo "register spills in $log:" >&2
  echo "$spills" >&2
  exit 1
fi
