#!/usr/bin/env bash
# Packs what a GPU box needs to run provtrace without a JDK, Maven or network, beside the working tree that the
# device tool copies there (tree + bundle must stay under 64 MiB):
#   runtime/        a jlinked Java runtime (only the modules the jar uses: jdeps decides, the Vector API added)
#   provtrace.jar   the shaded jar without what a linux-x86_64 GPU box never loads: the tokenizer's natives for
#                   other systems, the two OpenBLAS JNI builds the CPU backend does not use (it binds openblas_nolapack)
#                   and JCuda's natives other than libJCudaDriver (PTX compiler, NVRTC, runtime API: never called);
#                   oneDNN and OpenCL natives too (90 MB unpacked: the CPU backend then tiles its GEMMs on OpenBLAS,
#                   and says so, which is all a GPU box's CPU comparisons need)
#   run             provtrace's launcher for the bundle (the same JVM flags as ./provtrace)
# Output: target/gpu-bundle/ and target/gpu-bundle.tar.xz; prints their sizes. Check it with
#   target/gpu-bundle/run demo --out /tmp/x      (here, before sending)
# Usage: tools/gpu-bundle.sh            (builds the jar first when needed, through ./provtrace)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/target/gpu-bundle"
JDK="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"

"$ROOT/provtrace" --version >/dev/null   # builds target/provtrace.jar when sources changed
JAR="$ROOT/target/provtrace.jar"
rm -rf "$OUT" "$OUT.tar.xz"
mkdir -p "$OUT"

cp "$JAR" "$OUT/provtrace.jar"
zip -q -d "$OUT/provtrace.jar" \
  'native/lib/linux-aarch64/*' 'native/lib/osx-aarch64/*' 'native/lib/win-x86_64/*' \
  'org/bytedeco/openblas/linux-x86_64/libjniopenblas.so' 'org/bytedeco/openblas/linux-x86_64/libjniopenblas_full.so' \
  'lib/libJNvPTXCompiler-*' 'lib/libJNvrtc-*' 'lib/libJCudaRuntime-*' \
  'org/bytedeco/dnnl/linux-x86_64/*' 'org/bytedeco/opencl/linux-x86_64/*' \
  >/dev/null

# Re-stored without compression: xz then compresses the whole bundle far better than the jar's deflate did.
repack="$(mktemp -d)"
(cd "$repack" && unzip -q "$OUT/provtrace.jar" && rm "$OUT/provtrace.jar" && zip -q -0 -r -X "$OUT/provtrace.jar" META-INF/MANIFEST.MF . )
rm -rf "$repack"

# java.base, the Vector API, jdk.unsupported (JavaCPP, DJL) and java.desktop (the figures: JFreeChart, ImageIO)
# are what the CLI uses; jdeps would also list java.sql and java.compiler for classes of the dependencies that are
# never loaded.
"$JDK/bin/jlink" --add-modules java.base,jdk.incubator.vector,jdk.unsupported,java.desktop --strip-debug --no-man-pages \
  --no-header-files --output "$OUT/runtime" 2>/dev/null

cat > "$OUT/run" <<'RUN'
#!/usr/bin/env bash
# provtrace from the GPU bundle: the jlinked runtime beside this script, the same flags as ./provtrace.
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export OPENBLAS_THREAD_TIMEOUT="${OPENBLAS_THREAD_TIMEOUT:-4}"
exec "$HERE/runtime/bin/java" --add-modules jdk.incubator.vector -XX:+UseParallelGC -XX:MaxRAMPercentage=50 \
  -Dorg.bytedeco.javacpp.maxBytes=0 -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 ${PROVTRACE_JAVA_OPTS:-} \
  -jar "$HERE/provtrace.jar" "$@" 2> >(grep -v '^WARNING: Using incubator modules' >&2)
RUN
chmod +x "$OUT/run"

XZ_OPT=-9 tar -C "$ROOT/target" -cJf "$OUT.tar.xz" gpu-bundle
tree_bytes=$(cd "$ROOT" && git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
bundle_bytes=$(stat -c %s "$OUT.tar.xz")
printf 'gpu bundle: %s (%s MiB unpacked: runtime %s MiB, jar %s MiB), %s (%s MiB)\n' "$OUT" \
  "$(( $(du -sb "$OUT" | cut -f1) / 1048576 ))" "$(( $(du -sb "$OUT/runtime" | cut -f1) / 1048576 ))" \
  "$(( $(stat -c %s "$OUT/provtrace.jar") / 1048576 ))" "$OUT.tar.xz" "$(( bundle_bytes / 1048576 ))"
printf 'working tree %s MiB + bundle %s MiB = %s MiB of the 64 MiB a device run may carry\n' \
  "$(( tree_bytes / 1048576 ))" "$(( bundle_bytes / 1048576 ))" "$(( (tree_bytes + bundle_bytes) / 1048576 ))"
