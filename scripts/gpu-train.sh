#!/usr/bin/env bash
# README's FIBER recipe on the CUDA backend, on a GPU machine where only .gpu/ was copied
# (scripts/gpu-bundle.sh; no npm there): the image tower, coarse pre-training, retrieval on the
# validation and test splits, VQA fine-tuning and its evaluation — the commands of README's
# "Where the goals stand", with --backend "$BACKEND". Each stage's wall time is printed as a JSON
# line. RUN (default runs/gpu) receives the run folders tower/, tower2/, coarse/ and vqa/; TOWER_STEPS,
# TOWER2_STEPS, COARSE_STEPS, VQA_STEPS and TEST_SIZE change the lengths (defaults: README's best lavapipe run's).
# A rehearsal without a GPU: BACKEND=cuda-sim MODEL=FiberMicro and a few steps of each (the
# simulator runs FiberMicro's step in seconds).
set -euo pipefail
cd "$(dirname "$0")/.."
NODE=.gpu/node
[ -x "$NODE" ] || { xz -dc .gpu/node.xz > "$NODE" && chmod +x "$NODE"; }
RUN="${RUN:-runs/gpu}"
TOWER_STEPS="${TOWER_STEPS:-2000}"
TOWER2_STEPS="${TOWER2_STEPS:-2000}"
COARSE_STEPS="${COARSE_STEPS:-3800}"
VQA_STEPS="${VQA_STEPS:-5500}"
TEST_SIZE="${TEST_SIZE:-1000}"
BACKEND="${BACKEND:-cuda}"
MODEL="${MODEL:-FiberTiny}"
mkdir -p "$RUN"
fiberc() { "$NODE" .gpu/fiberc/fiberc.mjs "$@"; }
# Runs a stage with its output in RUN/<name>.log (a line per step) and prints its wall time.
stage() {
  local name=$1 start
  shift
  start=$(date +%s%N)
  if "$@" > "$RUN/$name.log" 2>&1; then status=ok; else status="failed ($?)"; fi
  printf '{"stage": "%s", "ms": %d, "status": "%s"}\n' "$name" $((($(date +%s%N) - start) / 1000000)) "$status"
  tail -n 12 "$RUN/$name.log"
  [ "$status" = ok ]
}
stage tower fiberc train --backend "$BACKEND" --stage image --model "$MODEL" --steps "$TOWER_STEPS" --batch 32 --lr 0.001 \
  --warmup 0.1 --seed 0 --checkpoint-every 500 --out "$RUN/tower"
# The tower trained further on new images (another seed's): a new schedule from what it learned.
stage tower2 fiberc train --backend "$BACKEND" --stage image --model "$MODEL" --init "$RUN/tower" --steps "$TOWER2_STEPS" --batch 32 \
  --lr 0.001 --warmup 0.1 --seed 1 --checkpoint-every 500 --out "$RUN/tower2"
stage coarse fiberc train --backend "$BACKEND" --model "$MODEL" --itc queue --init "$RUN/tower2" --steps "$COARSE_STEPS" --batch 8 \
  --lr 0.0003 --warmup 0.1 --seed 0 --checkpoint-every 500 --mlm-focus attributes --mlm-probability 0 --mlm-focus-probability 0.3 --out "$RUN/coarse"
stage retrieval-val fiberc eval --backend "$BACKEND" --task retrieval --ckpt "$RUN/coarse" --test-size "$TEST_SIZE" --k 8 --itc-weight 20 --split val
stage retrieval-test fiberc eval --backend "$BACKEND" --task retrieval --ckpt "$RUN/coarse" --test-size "$TEST_SIZE" --k 8 --itc-weight 20
# The opening of relation, colour and shape questions takes the first 12/55 of the steps (1,200 of 5,500).
OPENING=$((VQA_STEPS * 12 / 55))
OPENING_FLAGS=()
[ "$OPENING" -ge 1 ] && OPENING_FLAGS=(--opening-steps "$OPENING" --opening-types relation,color,shape)
stage vqa fiberc train --backend "$BACKEND" --task vqa --init "$RUN/coarse" --model "$MODEL" --steps "$VQA_STEPS" --batch 8 \
  --lr 0.0002 --warmup 0.1 --seed 0 --checkpoint-every 500 --place-weight 4 --read-places --read-relation \
  "${OPENING_FLAGS[@]}" --out "$RUN/vqa"
stage vqa-test fiberc eval --backend "$BACKEND" --task vqa --ckpt "$RUN/vqa" --test-size "$TEST_SIZE"
