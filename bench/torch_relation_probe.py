"""What does a relation answer need that VQA's classifier does not get? Probes on what the
classifier reads (`fused_cls`) for the relation questions of a fine-tuned fiberc checkpoint that
has relplace_head (`fiberc train --task vqa --place-weight W`; spec/training.md, "A classifier
that reads the places"):

    python3 bench/torch_relation_probe.py CKPT DIR/vqa-train.safetensors DIR/vqa-val.safetensors

A relation answer ("is the red circle above the blue square ?") is a function of three things:
the two objects' cells and the relation asked (above, below, left of, right of). The probe
measures, on the held-out file's relation questions:

- `place`: the share of the compared objects' cells relplace_head names;
- `word`: how well the relation asked (4 classes) can be read from fused_cls, by a linear probe
  and by an MLP, both fitted on the training file's relation questions (majority ~25%);
- `curve`: a fresh classifier of VQAHead's shape (dense, LayerNorm, GELU, dense; yes/no)
  trained at `--batch` with AdamW at `--lr`, on frozen inputs, held-out accuracy every 1,000
  steps (examples seen = steps x batch) — from the place head's two softmax distributions and
  the relation as a one-hot (`places+relation`), from fused_cls and those distributions
  (`fused_cls+places`, what a place-reading classifier gets), and from fused_cls alone.

Prints JSON lines.
"""
import argparse
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_fiber_tiny_step as tiny  # noqa: E402
from torch_fiber_pretrain import load_params  # noqa: E402
from torch_fiber_vqa import RELATION_WORDS, features, place_logits, relation_asked  # noqa: E402
from torch_place_probe import YES, relation_rows  # noqa: E402


def relation_inputs(p, data, limit):
    """For up to `limit` relation questions: fused_cls, the place softmaxes [n, 18], the relation asked [n] and the answer (1 = yes) [n]."""
    rel = relation_rows(data)[:limit]
    with torch.no_grad():
        x = torch.cat([features(data, rel[s:s + 200], p) for s in range(0, len(rel), 200)])
        places = torch.cat([place_logits(data, rel[s:s + 200], p) for s in range(0, len(rel), 200)])
    return x, places.softmax(-1).flatten(1), relation_asked(data["ids"][rel]), (data["answer"][rel].long() == YES).long(), (places.argmax(-1) == data["places"][rel].long()).float().mean().item()


def fitted_accuracy(train, held, classes, hidden, steps=4000, batch=64, lr=3e-3):
    """Held-out accuracy of a probe (linear, or one GELU hidden layer) fitted on standardized inputs."""
    (xt, yt), (xv, yv) = train, held
    mu, sd = xt.mean(0), xt.std(0) + 1e-6
    xt, xv = (xt - mu) / sd, (xv - mu) / sd
    width = xt.shape[1]
    probe = torch.nn.Sequential(torch.nn.Linear(width, width), torch.nn.GELU(), torch.nn.Linear(width, classes)) if hidden else torch.nn.Linear(width, classes)
    opt = torch.optim.Adam(probe.parameters(), lr=lr)
    for _ in range(steps):
        i = torch.randint(0, len(xt), (batch,))
        loss = F.cross_entropy(probe(xt[i]), yt[i])
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return round(100 * (probe(xv).argmax(1) == yv).float().mean().item(), 1)


def learning_curve(train, held, steps, batch, lr):
    """Held-out yes/no accuracy of a VQAHead-shaped classifier every 1,000 steps, as [examples seen, percent]."""
    (xt, yt), (xv, yv) = train, held
    width = xt.shape[1]
    head = torch.nn.Sequential(torch.nn.Linear(width, width), torch.nn.LayerNorm(width), torch.nn.GELU(), torch.nn.Linear(width, 2))
    opt = torch.optim.AdamW(head.parameters(), lr=lr)
    points = []
    for step in range(1, steps + 1):
        i = torch.randint(0, len(xt), (batch,))
        loss = F.cross_entropy(head(xt[i]), yt[i])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 1000 == 0:
            with torch.no_grad():
                points.append([step * batch, round(100 * (head(xv).argmax(1) == yv).float().mean().item(), 1)])
    return points


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ckpt", help="a fiberc VQA checkpoint with relplace_head (--place-weight)")
    ap.add_argument("train")
    ap.add_argument("test")
    ap.add_argument("--train-rows", type=int, default=12000, help="relation questions of the training file to fit on")
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("THREADS", os.cpu_count() or 1)))
    p, _, _ = load_params(args.ckpt)
    if "relplace_head.weight" not in p:
        ap.error(f"{args.ckpt} has no relplace_head: probe a run fine-tuned with --place-weight")
    xt, st, wt, yt, _ = relation_inputs(p, tiny.read_safetensors(args.train), args.train_rows)
    xv, sv, wv, yv, place = relation_inputs(p, tiny.read_safetensors(args.test), 10 ** 9)
    print(json.dumps({"relation_questions": {"train": len(yt), "held_out": len(yv)}, "place": round(100 * place, 1)}), flush=True)
    torch.manual_seed(args.seed)
    majority = round(100 * torch.bincount(wv).max().item() / len(wv), 1)
    print(json.dumps({"word": {"linear": fitted_accuracy((xt, wt), (xv, wv), len(RELATION_WORDS), False), "mlp": fitted_accuracy((xt, wt), (xv, wv), len(RELATION_WORDS), True), "majority": majority}}), flush=True)
    asked_t, asked_v = F.one_hot(wt, len(RELATION_WORDS)).float(), F.one_hot(wv, len(RELATION_WORDS)).float()
    for name, train, held in (
        ("places+relation", torch.cat([st, asked_t], 1), torch.cat([sv, asked_v], 1)),
        ("fused_cls+places", torch.cat([xt, st], 1), torch.cat([xv, sv], 1)),
        ("fused_cls", xt, xv),
    ):
        torch.manual_seed(args.seed)
        print(json.dumps({"curve": name, "batch": args.batch, "lr": args.lr, "held_out": learning_curve((train, yt), (held, yv), args.steps, args.batch, args.lr)}), flush=True)


if __name__ == "__main__":
    main()
