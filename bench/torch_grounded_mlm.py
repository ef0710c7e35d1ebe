"""Does FiberTiny's fused path fill in a word only the image can tell? MLM alone, continued from
a fiberc checkpoint, scored on held-out captions with one size, colour or shape word masked
(spec/training.md, "What MLM masks"):

    python3 bench/torch_grounded_mlm.py CKPT DIR/train.safetensors DIR/val.safetensors --masking grounded

--masking: `fiber` (FIBER's random 15%), `grounded` (one grounded word per caption, nothing
else), `both` (fiberc train --mlm-focus attributes: the random 15% and one grounded word);
--blind trains and scores with black images (what the text alone predicts). Prints the
accuracy per word class every --eval-every steps as JSON lines.
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_fiber_tiny_step as tiny  # noqa: E402
from torch_fiber_pretrain import MASK, caption_rows, load_params, mask_tokens, mlm_logits, one_grounded, param_groups, warmup_decay  # noqa: E402

# The synthetic vocabulary's ids of each word class (src/data/vocabulary.ts).
CLASSES = {"size": (27, 28), "colour": (29, 35), "shape": (36, 39)}


def mask_one_grounded(ids, mask, gen):
    """One grounded word per text (drawn uniformly among them) replaced by <mask>; its label."""
    chosen = one_grounded(ids, mask, gen)
    return torch.where(chosen, torch.full_like(ids, MASK), ids), torch.where(chosen, ids, torch.full_like(ids, -100))


def accuracy(p, val, ids, labels, blind):
    """Percent of the masked grounded words predicted, per word class."""
    right = {k: [0, 0] for k in CLASSES}
    with torch.no_grad():
        for s in range(0, ids.shape[0], 200):
            pixels = val["pixels"][s:s + 200] * (0.0 if blind else 1.0)
            _, text = tiny.fiber_tiny(pixels, ids[s:s + 200], val["mask"][s:s + 200], p)
            lab = labels[s:s + 200]
            chosen = lab >= 0
            guess, truth = mlm_logits(text, p)[chosen].argmax(-1), lab[chosen]
            for k, (lo, hi) in CLASSES.items():
                of = (truth >= lo) & (truth <= hi)
                right[k][0] += (guess[of] == truth[of]).sum().item()
                right[k][1] += of.sum().item()
    return {k: round(100 * r / max(1, n), 1) for k, (r, n) in right.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ckpt")
    ap.add_argument("train")
    ap.add_argument("val")
    ap.add_argument("--masking", choices=["fiber", "grounded", "both"], default="grounded")
    ap.add_argument("--blind", action="store_true", help="black images: what the text alone predicts")
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--warmup", type=float, default=0.1)
    ap.add_argument("--eval-every", type=int, default=150)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("THREADS", os.cpu_count() or 1)))
    torch.manual_seed(args.seed)
    p, _, _ = load_params(args.ckpt)
    data, val = tiny.read_safetensors(args.train), tiny.read_safetensors(args.val)
    val_ids, val_labels = mask_one_grounded(val["ids"], val["mask"], torch.Generator().manual_seed(123))
    print(json.dumps({"step": 0, **accuracy(p, val, val_ids, val_labels, args.blind)}), flush=True)
    opt = torch.optim.AdamW(param_groups(p, args.lr), betas=(0.9, 0.98), eps=1e-8)
    gen = torch.Generator().manual_seed(args.seed)
    warm, sums, t0 = max(1, round(args.warmup * args.steps)), 0.0, time.perf_counter()
    for step in range(1, args.steps + 1):
        for g in opt.param_groups:
            g["lr"] = g["base"] * warmup_decay(step, warm, args.steps)
        idx = torch.randint(0, data["pixels"].shape[0], (args.batch,), generator=gen)
        ids, mask = caption_rows(data, idx, gen)
        if args.masking == "grounded":
            masked, labels = mask_one_grounded(ids, mask, gen)
        else:
            masked, labels = mask_tokens(ids, mask, gen, focus=int(args.masking == "both"))
        _, text = tiny.fiber_tiny(data["pixels"][idx] * (0.0 if args.blind else 1.0), masked, mask, p)
        loss = F.cross_entropy(mlm_logits(text, p).flatten(0, 1), labels.flatten().long(), ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sums += loss.item()
        if step % args.eval_every == 0 or step == args.steps:
            row = {"step": step, "loss": round(sums / args.eval_every, 3), "s": round(time.perf_counter() - t0, 1)}
            print(json.dumps({**row, **accuracy(p, val, val_ids, val_labels, args.blind)}), flush=True)
            sums = 0.0


if __name__ == "__main__":
    main()
