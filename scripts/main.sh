#!/usr/bin/env bash
# The main job: pre-train FiberTiny on the built-in synthetic corpus (ITC + MLM + ITM in one
# compiled step on WebGPU), evaluate retrieval on held-out images, fine-tune for VQA from the
# pre-trained checkpoint and evaluate it; print the metrics and the picture's path.
# Sizes fit a few minutes of training on a 2-core machine without a GPU (lavapipe); set
# PRETRAIN_STEPS, VQA_STEPS, BATCH, TEST_SIZE or RUN to change them, or run the four commands
# below yourself (README.md, "FIBER pre-training, retrieval and VQA").
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/xdg-runtime}"
mkdir -p "$XDG_RUNTIME_DIR"
RUN="${RUN:-runs/main}"
PRETRAIN_STEPS="${PRETRAIN_STEPS:-60}"
VQA_STEPS="${VQA_STEPS:-40}"
BATCH="${BATCH:-8}"
TEST_SIZE="${TEST_SIZE:-200}"
fiberc() { node dist/src/cli/main.js "$@"; }

fiberc train --model FiberTiny --steps "$PRETRAIN_STEPS" --batch "$BATCH" --lr 0.0003 --warmup 0.25 --seed 0 --out "$RUN/pretrain"
fiberc eval --task retrieval --ckpt "$RUN/pretrain" --test-size "$TEST_SIZE" --batch "$BATCH"
# README's VQA recipe: the place objective with the classifier reading both heads, and an
# opening of relation, colour and shape questions over the first 12/55 of the steps.
OPENING=$((VQA_STEPS * 12 / 55))
OPENING_FLAGS=()
[ "$OPENING" -ge 1 ] && OPENING_FLAGS=(--opening-steps "$OPENING" --opening-types relation,color,shape)
fiberc train --task vqa --init "$RUN/pretrain" --model FiberTiny --steps "$VQA_STEPS" --batch "$BATCH" --lr 0.0002 --seed 0 \
  --place-weight 4 --read-places --read-relation "${OPENING_FLAGS[@]}" --out "$RUN/vqa"
fiberc eval --task vqa --ckpt "$RUN/vqa" --test-size "$TEST_SIZE" --batch "$BATCH"
