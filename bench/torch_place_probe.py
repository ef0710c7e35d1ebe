"""Do FiberTiny's text tokens know where the objects a relation question names are? Linear
probes on a fiberc checkpoint (spec/training.md, "Where a named object is"):

    node dist/bench/peer-data.js DIR --train 10 --vqa 20000
    python3 bench/torch_place_probe.py CKPT DIR/vqa-train.safetensors DIR/vqa-val.safetensors

For relation questions ("is the red circle above the blue square ?"), after each text layer (the
first TEXT_LAYERS - FUSE read no image, the control), the token of the first object's shape word,
that of the second's, and [CLS]: a softmax-regression probe fitted on the training file's
questions predicts the first object's row and column (3 classes each) from its token, the
second's from its own, and the answer (yes/no) from [CLS] and from the two shape tokens
together; accuracies on the held-out file's questions, with the majority class's beside them.
A probe reads what is linearly there, so a fused token that holds its object's row shows it
here; one near the majority rate does not hold it in a form a linear head reads. Prints JSON lines.

With `--ground STEPS`, instead: can the fused path learn to find a named object at all? The whole
model and a linear head on a text layer's two shape tokens (`--layer`, default the last) are trained end to end to name
each object's cell (9 classes, cross-entropy), AdamW with fiberc's param groups (`--lr`, the head
and the cross-modal params at `--head-x`, as its recorded runs had them), warmup then linear decay; the held-out cell accuracy every `--eval-every` steps.
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
from torch_fiber_pretrain import GRID, add_cell_head, load_params, param_groups, warmup_decay  # noqa: E402

RELATION = 4  # src/data/questions.ts's QUESTION_TYPES.index('relation')
YES = 14  # ANSWERS.index('yes'): 7 colours, 4 shapes, 3 counts, then yes, no
# "is the C S ..." : <s> is the C S -> the first shape word is token 4; the second is the last
# word before " ?" and </s>.
FIRST_SHAPE = 4


def relation_rows(data):
    """The rows of a peer-data VQA file's relation questions."""
    return (data["type"] == RELATION).nonzero().flatten()


def text_layer_outputs(data, idx, p):
    """Every text layer's output for questions `idx` (the forward of tiny.fiber_tiny, observed)."""
    outputs = []
    plain = tiny.text_layer

    def recording(h, mask, p, name, image=None, out_norm=True):
        outputs.append(plain(h, mask, p, name, image, out_norm))
        return outputs[-1]

    tiny.text_layer = recording
    try:
        tiny.fiber_tiny(data["pixels"][data["image"][idx].long()], data["ids"][idx], data["mask"][idx], p)
    finally:
        tiny.text_layer = plain
    return outputs


def named_tokens(data, idx, out):
    """Of one layer's output for questions `idx`, the two shape-word tokens and [CLS]: [N, 3, hidden]."""
    rows = torch.arange(len(idx))
    return torch.stack([out[rows, FIRST_SHAPE], out[rows, data["mask"][idx].sum(1).long() - 3], out[:, 0]], 1)


def cell_logits(data, idx, p, layer):
    """place_head's cell logits for both objects of relation questions `idx`, read at text layer `layer`: [N, 2, 9]."""
    tokens = named_tokens(data, idx, text_layer_outputs(data, idx, p)[layer])[:, :2]
    return tokens @ p["place_head.weight"].T + p["place_head.bias"]


def cell_loss(data, idx, p, layer):
    """Cross-entropy of cell_logits against both objects' cells."""
    return F.cross_entropy(cell_logits(data, idx, p, layer).flatten(0, 1), data["places"][idx].long().flatten())


def layer_features(data, p, limit, batch=200):
    """Per text layer, the tokens [first shape, second shape, CLS] of the first `limit` relation
    questions, and their targets."""
    rel = relation_rows(data)[:limit]
    with torch.no_grad():
        chunks = [[named_tokens(data, rel[s:s + batch], o) for o in text_layer_outputs(data, rel[s:s + batch], p)] for s in range(0, len(rel), batch)]
    per_layer = [torch.cat(layer) for layer in zip(*chunks)]
    places = data["places"][rel].long()
    targets = {
        "first_row": places[:, 0] // GRID, "first_col": places[:, 0] % GRID,
        "second_row": places[:, 1] // GRID, "second_col": places[:, 1] % GRID,
        "answer": (data["answer"][rel] == YES).long(),
    }
    return per_layer, targets


def probe(train_x, train_y, test_x, test_y, steps=300):
    """Held-out accuracy (percent) of a softmax regression fitted by L-BFGS on standardized features."""
    mean, std = train_x.mean(0), train_x.std(0) + 1e-6
    a, b = (train_x - mean) / std, (test_x - mean) / std
    classes = int(max(train_y.max(), test_y.max())) + 1
    w = torch.zeros(a.shape[1], classes, requires_grad=True)
    c = torch.zeros(classes, requires_grad=True)
    opt = torch.optim.LBFGS([w, c], max_iter=steps, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(a @ w + c, train_y) + 1e-3 * (w ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        return round(100 * ((b @ w + c).argmax(1) == test_y).float().mean().item(), 1)


def majority(train_y, test_y):
    return round(100 * (test_y == train_y.mode().values).float().mean().item(), 1)


def ground(p, train, test, args):
    """Train the model and a cell head end to end to name both objects' cells; print held-out accuracy."""
    gen = torch.Generator().manual_seed(args.seed)  # the head, then the batches
    add_cell_head(p, gen)
    opt = torch.optim.AdamW(param_groups(p, args.lr, args.head_x), betas=(0.9, 0.98), eps=1e-8)
    rel, held = relation_rows(train), relation_rows(test)
    warm, sums, t0 = max(1, round(0.1 * args.ground)), 0.0, time.perf_counter()

    for step in range(1, args.ground + 1):
        for g in opt.param_groups:
            g["lr"] = g["base"] * warmup_decay(step, warm, args.ground)
        idx = rel[torch.randint(0, len(rel), (args.batch,), generator=gen)]
        loss = cell_loss(train, idx, p, args.layer)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sums += loss.item()
        if step % args.eval_every == 0 or step == args.ground:
            with torch.no_grad():
                guess = torch.cat([cell_logits(test, held[s:s + 200], p, args.layer).argmax(-1) for s in range(0, len(held), 200)])
            truth = test["places"][held].long()
            row = {"step": step, "loss": round(sums / args.eval_every, 3), "s": round(time.perf_counter() - t0, 1),
                   "cell": round(100 * (guess == truth).float().mean().item(), 1),
                   "row": round(100 * (guess // GRID == truth // GRID).float().mean().item(), 1),
                   "col": round(100 * (guess % GRID == truth % GRID).float().mean().item(), 1)}
            print(json.dumps(row), flush=True)
            sums = 0.0
    if args.save:  # the trained model without the cell head, for torch_fiber_vqa.py
        tiny.write_safetensors(args.save, {k: v for k, v in p.items() if not k.startswith("place_head.")})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ckpt")
    ap.add_argument("train")
    ap.add_argument("test")
    ap.add_argument("--n", type=int, default=6000, help="relation questions of the training file to fit on")
    ap.add_argument("--ground", type=int, default=0, metavar="STEPS", help="train end to end to name the cells instead (see above)")
    ap.add_argument("--layer", type=int, default=-1, help="with --ground, the text layer whose shape tokens the head reads (default the last)")
    ap.add_argument("--save", default=None, help="with --ground, write the trained params (without the cell head) here")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--head-x", type=float, default=50.0)
    ap.add_argument("--eval-every", type=int, default=250)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("THREADS", os.cpu_count() or 1)))
    torch.manual_seed(0)
    p, _, _ = load_params(args.ckpt)
    train, test = tiny.read_safetensors(args.train), tiny.read_safetensors(args.test)
    if "places" not in train:
        sys.exit(f"{args.train} has no 'places': write it again with bench/peer-data.ts")
    if args.ground:
        return ground(p, train, test, args)
    p = {k: v.detach() for k, v in p.items()}
    fx, fy = layer_features(train, p, args.n)
    tx, ty = layer_features(test, p, 10 ** 9)
    print(json.dumps({"fit": len(fy["answer"]), "held_out": len(ty["answer"]), "majority": {k: majority(fy[k], ty[k]) for k in fy}}), flush=True)
    for layer, (a, b) in enumerate(zip(fx, tx)):
        row = {"layer": layer, "fused": layer >= tiny.TEXT_LAYERS - tiny.FUSE}
        for token, which in ((0, "first"), (1, "second")):
            for axis in ("row", "col"):
                row[f"{which}_{axis}"] = probe(a[:, token], fy[f"{which}_{axis}"], b[:, token], ty[f"{which}_{axis}"])
        row["answer_from_cls"] = probe(a[:, 2], fy["answer"], b[:, 2], ty["answer"])
        row["answer_from_both_shapes"] = probe(a[:, :2].flatten(1), fy["answer"], b[:, :2].flatten(1), ty["answer"])
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
