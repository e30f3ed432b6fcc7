#!/usr/bin/env bash
# Fetches TensorFlow Lite 2.9's C library (with its XNNPACK delegate), the speed peer of the benchmarks, from
# the npm package tfjs-tflite-node@0.0.2 into artifacts/tflite/. Benchmarks only: src/ and tests never use it.
set -euo pipefail
cd "$(dirname "$0")/.."
target=artifacts/tflite
[ -f "$target/libtensorflowlite_c.so" ] && { echo "$target/libtensorflowlite_c.so is there"; exit 0; }
work=$(mktemp -d)
(cd "$work" && npm pack --silent tfjs-tflite-node@0.0.2 >/dev/null && tar xzf tfjs-tflite-node-0.0.2.tgz)
mkdir -p "$target"
cp "$work/package/cc_deps/linux_amd64/libtensorflowlite_c.so" "$target/"
rm -rf "$work"
echo "wrote $target/libtensorflowlite_c.so"
