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

RELATION = 4  # src/data/questions.ts's QUESTION_TYPES.index('relation')
GRID = 3
YES = 14  # ANSWERS.index('yes'): 7 colours, 4 shapes, 3 counts, then yes, no
# "is the C S ..." : <s> is the C S -> the first shape word is token 4; the second is the last
# word before " ?" and </s>.
FIRST_SHAPE = 4


def layer_features(data, p, limit, batch=200):
    """Per text layer, the tokens [first shape, second shape, CLS] of the first `limit` relation
    questions, and their targets."""
    rel = (data["type"] == RELATION).nonzero().flatten()[:limit]
    outputs = []
    plain = tiny.text_layer

    def recording(h, mask, p, name, image=None, out_norm=True):
        out = plain(h, mask, p, name, image, out_norm)
        outputs.append(out)
        return out

    tiny.text_layer = recording
    per_layer = None
    try:
        with torch.no_grad():
            for s in range(0, len(rel), batch):
                idx = rel[s:s + batch]
                ids, mask = data["ids"][idx], data["mask"][idx]
                outputs.clear()
                tiny.fiber_tiny(data["pixels"][data["image"][idx].long()], ids, mask, p)
                rows = torch.arange(len(idx))
                second = mask.sum(1).long() - 3
                picked = [torch.stack([o[rows, FIRST_SHAPE], o[rows, second], o[:, 0]], 1) for o in outputs]
                per_layer = picked if per_layer is None else [torch.cat([a, b]) for a, b in zip(per_layer, picked)]
    finally:
        tiny.text_layer = plain
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ckpt")
    ap.add_argument("train")
    ap.add_argument("test")
    ap.add_argument("--n", type=int, default=6000, help="relation questions of the training file to fit on")
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("THREADS", os.cpu_count() or 1)))
    torch.manual_seed(0)
    p, _, _ = load_params(args.ckpt)
    p = {k: v.detach() for k, v in p.items()}
    train, test = tiny.read_safetensors(args.train), tiny.read_safetensors(args.test)
    if "places" not in train:
        sys.exit(f"{args.train} has no 'places': write it again with bench/peer-data.ts")
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
