#!/usr/bin/env bash
# Builds .gpu/ (ignored by git), what a GPU machine without npm needs to run the GPU check:
#   .gpu/node.xz                    this machine's Node binary, xz-compressed (~24 MB)
#   .gpu/fiberc/gpu-check.mjs       the CUDA path of fiberc bundled by esbuild (koffi external)
#   .gpu/fiberc/fiberc.mjs          the whole CLI bundled the same way, for `train/eval --backend
#                                   cuda` (Dawn and sharp left out: both are loaded on first use,
#                                   which a CUDA run on the synthetic corpus never reaches)
#   .gpu/fiberc/node_modules/koffi  koffi's loader and its linux-x64 binary only
#   .gpu/fiberc/{std,examples}      the .fib sources the check compiles
#   .gpu/fiberc/torch_fiber.py      the PyTorch eager reference
# Then: device run with carry [".gpu"] and command `bash scripts/gpu-check.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf .gpu/fiberc
mkdir -p .gpu/fiberc/node_modules/koffi/build/koffi
[ -f .gpu/node.xz ] || xz -T2 -c "$(command -v node)" > .gpu/node.xz
for entry in gpu-check main; do
  out=$([ "$entry" = main ] && echo fiberc || echo "$entry")
  npx esbuild "src/cli/$entry.ts" --bundle --platform=node --format=esm --target=node20 --main-fields=module,main \
    --external:koffi --external:webgpu --external:sharp --outfile=".gpu/fiberc/$out.mjs" --log-level=warning \
    --banner:js="import { createRequire as __fibercRequire } from 'node:module'; const require = __fibercRequire(import.meta.url);"
done
cp node_modules/koffi/index.js node_modules/koffi/package.json .gpu/fiberc/node_modules/koffi/
cp -r node_modules/koffi/build/koffi/linux_x64 .gpu/fiberc/node_modules/koffi/build/koffi/
cp -r std examples .gpu/fiberc/
mkdir -p .gpu/fiberc/kernels && cp -r kernels/wgsl .gpu/fiberc/kernels/
cp bench/torch_fiber.py .gpu/fiberc/
du -sh .gpu
