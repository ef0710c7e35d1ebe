#!/usr/bin/env bash
# The GPU check, on a machine with an NVIDIA GPU where only .gpu/ (scripts/gpu-bundle.sh) was
# copied: every example kernel on the CUDA backend against the interpreter, the fused FIBER-B
# layers timed, then PyTorch eager on the same shapes. Prints JSON lines. `--simulate`: the
# FiberTiny checks on the PTX simulator (a rehearsal where there is no GPU).
set -uo pipefail
cd "$(dirname "$0")/.."
NODE=.gpu/node
[ -x "$NODE" ] || { xz -dc .gpu/node.xz > "$NODE" && chmod +x "$NODE"; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
"$NODE" .gpu/fiberc/gpu-check.mjs "$@"
status=$?
python3 .gpu/fiberc/torch_fiber.py || echo '{"torch": "failed"}'
exit $status
