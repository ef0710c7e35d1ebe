"""What FiberTiny's encoders know of the synthetic scenes' attributes (colours, shapes, sizes):
the diagnosis behind spec/training.md's "What limits recall".

    python3 bench/torch_attribute_probe.py probe CKPT FIT.safetensors TEST.safetensors
        linear probes on frozen features of a fiberc checkpoint: for each attribute word, does
        an image (its caption) hold it? Fitted on FIT's images, scored on TEST's, for the ITC
        features, the image tower's mean-pooled and concatenated final tokens and the text
        tower's first token; prints accuracy per attribute and the prior (the majority answer)
    python3 bench/torch_attribute_probe.py supervised PARAMS TRAIN TEST [--lr 3e-4] [--steps 1200] [--batch 8]
        trains the image tower alone (a params file's `model.image.*`, e.g. peer-data's
        init.safetensors) to predict the same attributes (binary cross-entropy on its mean-pooled
        final tokens, AdamW): how many examples the architecture needs to see shapes at all;
        --save OUT writes the params file with the trained tower in place (the analog of FIBER's
        ImageNet-pretrained Swin, for the peer's `train` to start from). With `--labels cells`
        it reports, over the test images' occupied cells, how often the shape and the colour
        with the highest logit are right (chance 25% / 14%). `--stem conv|overlap|token-conv`
        puts another stem under the Swin (new params, fan-in init): a 3x3 convolution to 16
        channels and GELU before the patchify convolution, an 8x8 patchify convolution at stride
        4 (overlapping neighbours), or a residual 3x3 convolution over the patch tokens;
        `--cell-ce W` adds W x the cross-entropy of each occupied cell's shape and colour
    python3 bench/torch_attribute_probe.py positions CKPT FIT.safetensors TEST.safetensors
        does each image token where fusion starts (the input of the first fused Swin block) know
        where it is? A linear probe from a token's features to its index in the token grid,
        fitted on FIT's images, scored on TEST's; prints accuracy of the index, its row and its
        column (a text query naming a position finds a token by cross-attention only if it does)
    python3 bench/torch_attribute_probe.py tower CKPT TEST.safetensors
        a fiberc image tower (`fiberc train --stage image`) scored by its own per-cell
        classifier on TEST's images (peer-data's `cells` labels): over the occupied cells, how
        often the highest shape and colour logit are right, and the share of scenes whose 117
        labels it gets all right

Split files as written by `node dist/bench/peer-data.js DIR`; labels are read from each image's
first caption, which names every object's size, colour and shape.
"""
import argparse
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_fiber_pretrain as P  # noqa: E402
import torch_fiber_tiny_step as tiny  # noqa: E402

ATTRIBUTES = ["red", "green", "blue", "yellow", "purple", "orange", "white", "circle", "square", "triangle", "cross", "small", "large"]
# The synthetic vocabulary's ids of those words (src/data/vocabulary.ts: 5 special tokens, then its words).
VOCABULARY_IDS = {w: i for i, w in enumerate(["<s>", "<pad>", "</s>", "<unk>", "<mask>", "a", "an", "and", ",", "there", "is", "are", "the", "picture", "image", "shows", "has", "of", "size", "in", "at", "on", "top", "bottom", "left", "right", "center", "small", "large", "red", "green", "blue", "yellow", "purple", "orange", "white", "circle", "square", "triangle", "cross"])}


def labels(ids):
    """[N, attributes]: 1 where the caption names the attribute."""
    wanted = torch.tensor([VOCABULARY_IDS[a] for a in ATTRIBUTES])
    return (ids.long().unsqueeze(-1) == wanted).any(1).float()


def row(name, accuracy):
    return f"{name:12s} " + " ".join(f"{a}:{100 * x:.0f}" for a, x in zip(ATTRIBUTES, accuracy.tolist()))


def features(p, data):
    out = {"itc-image": [], "itc-text": [], "image-mean": [], "image-tokens": [], "text-first": []}
    with torch.no_grad():
        for s in range(0, data["ids"].shape[0], 100):
            image = P.image_alone(data["pixels"][s:s + 100], p)
            text = P.text_alone(data["ids"][s:s + 100], data["mask"][s:s + 100], p)
            a, b = P.itc_heads(image, text, p)
            for k, v in (("itc-image", a), ("itc-text", b), ("image-mean", image.mean(1)), ("image-tokens", image.flatten(1)), ("text-first", text[:, 0])):
                out[k].append(v)
    return {k: torch.cat(v) for k, v in out.items()}


def probe(args):
    p, _, _ = P.load_params(args.ckpt)
    fit, test = tiny.read_safetensors(args.fit), tiny.read_safetensors(args.test)
    y_fit, y_test = labels(fit["ids"]), labels(test["ids"])
    f_fit, f_test = features(p, fit), features(p, test)
    for name in f_fit:
        a, b = f_fit[name], f_test[name]
        # Standardized on the fitting split; a bias column; logistic regression by Adam.
        mu, sd = a.mean(0), a.std(0) + 1e-6
        a = torch.cat([(a - mu) / sd, torch.ones(a.shape[0], 1)], 1)
        b = torch.cat([(b - mu) / sd, torch.ones(b.shape[0], 1)], 1)
        w = torch.zeros(a.shape[1], len(ATTRIBUTES), requires_grad=True)
        opt = torch.optim.Adam([w], lr=0.05)
        for _ in range(1500):
            opt.zero_grad()
            F.binary_cross_entropy_with_logits(a @ w, y_fit).backward()
            opt.step()
        print(row(name, ((b @ w > 0).float() == y_test).float().mean(0)))
    print(row("prior", torch.maximum(y_test.mean(0), 1 - y_test.mean(0))))


# Where each kind of attribute sits among a cell's labels (ATTRIBUTES' order).
COLOURS, SHAPES = slice(0, 7), slice(7, 11)


def per_cell(logits, targets):
    """[N, cells, attributes] views, and which cells hold an object."""
    L = logits.view(logits.shape[0], -1, len(ATTRIBUTES))
    Y = targets.view_as(L)
    return L, Y, Y.sum(-1) > 0


def occupied_cell_accuracy(logits, targets):
    """Over the cells that hold an object: how often the highest shape logit, and the highest
    colour logit, name its shape and colour. The per-label accuracy is mostly empty cells."""
    L, Y, occupied = per_cell(logits, targets)
    right = lambda part: (L[..., part].argmax(-1) == Y[..., part].argmax(-1))[occupied].float().mean().item()
    return right(SHAPES), right(COLOURS)


def cell_cross_entropy(logits, targets):
    """Mean of the shape and the colour cross-entropy over the occupied cells."""
    L, Y, occupied = per_cell(logits, targets)
    ce = lambda part: F.cross_entropy(L[..., part][occupied], Y[..., part][occupied].argmax(-1))
    return (ce(SHAPES) + ce(COLOURS)) / 2


def stem(kind, p):
    """Another stem under the Swin (None: FiberTiny's patchify convolution), its params added to
    `p` under model.image.stem.* so they train with the tower."""
    if kind == "patch":
        return None
    dim = p["model.image.patch_embed.proj.weight"].shape[0]
    fan_in = lambda *shape: (torch.randn(*shape) / (shape[1] * shape[2] * shape[3]) ** 0.5).requires_grad_()
    zeros = lambda n: torch.zeros(n).requires_grad_()
    if kind == "overlap":
        p["model.image.stem.weight"], p["model.image.stem.bias"] = fan_in(dim, 3, 2 * tiny.PATCH, 2 * tiny.PATCH), zeros(dim)
        return lambda x: F.conv2d(x, p["model.image.stem.weight"], p["model.image.stem.bias"], stride=tiny.PATCH, padding=tiny.PATCH // 2)
    patchify = lambda x: F.conv2d(x, p["model.image.patch_embed.proj.weight"], p["model.image.patch_embed.proj.bias"], stride=tiny.PATCH)
    if kind == "conv":
        p["model.image.stem.weight"], p["model.image.stem.bias"] = fan_in(dim, 3, 3, 3), zeros(dim)
        p["model.image.patch_embed.proj.weight"] = fan_in(dim, dim, tiny.PATCH, tiny.PATCH)
        return lambda x: patchify(F.gelu(F.conv2d(x, p["model.image.stem.weight"], p["model.image.stem.bias"], padding=1)))
    # token-conv: starts near the identity, so the Swin begins from its usual input.
    p["model.image.stem.weight"], p["model.image.stem.bias"] = (0.02 * torch.randn(dim, dim, 3, 3)).requires_grad_(), zeros(dim)
    return lambda x: (lambda t: t + F.conv2d(t, p["model.image.stem.weight"], p["model.image.stem.bias"], padding=1))(patchify(x))


def supervised(args):
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    p, _, _ = P.load_params(args.params)
    train, test = tiny.read_safetensors(args.train), tiny.read_safetensors(args.test)
    # Which attributes the scene holds, or per grid cell which its object has (where, too).
    y_train, y_test = (labels(train["ids"]), labels(test["ids"])) if args.labels == "scene" else (train["cells"], test["cells"])
    if args.save and args.stem != "patch":
        sys.exit("--save writes FiberTiny's tower, which has no --stem " + args.stem)
    embed = stem(args.stem, p)
    tower = [v for k, v in p.items() if k.startswith("model.image.")]
    head = torch.nn.Linear(p["model.image.norm.weight"].shape[0], y_train.shape[1])
    features = lambda pixels: P.image_alone(pixels, p, embed).mean(1)
    if args.tower == "cnn":
        # A small CNN in the Swin's place, for comparison: how many images does a network with
        # convolutions' locality need to tell these shapes apart?
        cnn = torch.nn.Sequential(
            torch.nn.Conv2d(3, 16, 4, 4), torch.nn.GELU(), torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.GELU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.GELU(), torch.nn.MaxPool2d(2), torch.nn.Conv2d(64, 128, 3, padding=1), torch.nn.GELU(),
            torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())
        tower, features, head = list(cnn.parameters()), cnn, torch.nn.Linear(128, len(ATTRIBUTES))
    opt = torch.optim.AdamW(tower + list(head.parameters()), lr=args.lr, betas=(0.9, 0.98))
    gen = torch.Generator().manual_seed(args.seed)
    for step in range(1, args.steps + 1):
        idx = torch.randint(0, train["pixels"].shape[0], (args.batch,), generator=gen)
        logits = head(features(train["pixels"][idx]))
        loss = F.binary_cross_entropy_with_logits(logits, y_train[idx])
        if args.cell_ce > 0:
            loss = loss + args.cell_ce * cell_cross_entropy(logits, y_train[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % args.report_every == 0:
            with torch.no_grad():
                logits = torch.cat([head(features(test["pixels"][s:s + 100])) for s in range(0, test["pixels"].shape[0], 100)])
            hit = (logits > 0).float() == y_test
            # Per-cell labels: each attribute's accuracy over the cells, and whole scenes named exactly.
            summary = row("", hit.float().mean(0).view(-1, len(ATTRIBUTES)).mean(0))
            if args.labels == "cells":
                shape, colour = occupied_cell_accuracy(logits, y_test)
                summary += f" scenes exact:{100 * hit.all(1).float().mean():.0f} occupied cells: shape {100 * shape:.1f} colour {100 * colour:.1f}"
            print(json.dumps({"step": step, "loss": round(loss.item(), 3)}), summary, flush=True)
    if args.save and args.tower == "swin":
        tiny.write_safetensors(args.save, {**tiny.read_safetensors(args.params), **{k: v.detach() for k, v in p.items() if k.startswith("model.image.")}})


def positions(args):
    p, _, _ = P.load_params(args.ckpt)

    def tokens(path):
        pixels = tiny.read_safetensors(path)["pixels"]
        with torch.no_grad():
            x = torch.cat([tiny.image_below_fusion(pixels[s:s + 100], p) for s in range(0, pixels.shape[0], 100)])
        return x.reshape(-1, x.shape[-1]), torch.arange(x.shape[1]).repeat(x.shape[0]), x.shape[1]

    fx, fy, n = tokens(args.fit)
    tx, ty, _ = tokens(args.test)
    mu, sd = fx.mean(0), fx.std(0) + 1e-6
    fx, tx = (fx - mu) / sd, (tx - mu) / sd
    torch.manual_seed(args.seed)
    w = torch.zeros(fx.shape[1], n, requires_grad=True)
    b = torch.zeros(n, requires_grad=True)
    opt = torch.optim.Adam([w, b], lr=0.05)
    for _ in range(args.steps):
        loss = F.cross_entropy(fx @ w + b, fy)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        guess = (tx @ w + b).argmax(1)
    side = round(n ** 0.5)
    pct = lambda right: round(100 * right.float().mean().item(), 1)
    print(json.dumps({"tokens": n, "index": pct(guess == ty), "row": pct(guess // side == ty // side), "column": pct(guess % side == ty % side), "chance": round(100 / n, 1)}))


def tower(args):
    """A fiberc image tower (`fiberc train --stage image`) scored by its own classifier on held-out
    images: over the occupied cells, how often the highest shape and colour logit are right, and
    how many scenes it names exactly (every label of every cell on the right side of 0)."""
    ck = tiny.read_safetensors(args.ckpt)
    p = {k: v.float() for k, v in ck.items() if not k.startswith(("optimizer", "momentum.")) and v.dtype.is_floating_point}
    test = tiny.read_safetensors(args.test)
    with torch.no_grad():
        pool = lambda s: P.image_alone(test["pixels"][s:s + 100], p).mean(1)
        logits = torch.cat([pool(s) @ p["image_classifier.weight"].T + p["image_classifier.bias"] for s in range(0, test["pixels"].shape[0], 100)])
    shape, colour = occupied_cell_accuracy(logits, test["cells"])
    exact = ((logits > 0).float() == test["cells"]).all(1).float().mean().item()
    print(json.dumps({"images": logits.shape[0], "shape": round(100 * shape, 1), "colour": round(100 * colour, 1), "scenes exact": round(100 * exact, 1)}))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("probe")
    c.add_argument("ckpt")
    c.add_argument("fit")
    c.add_argument("test")
    s = sub.add_parser("supervised")
    s.add_argument("params")
    s.add_argument("train")
    s.add_argument("test")
    s.add_argument("--lr", type=float, default=3e-4)
    s.add_argument("--steps", type=int, default=1200)
    s.add_argument("--batch", type=int, default=8)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--report-every", type=int, default=300)
    s.add_argument("--tower", choices=["swin", "cnn"], default="swin", help="train FiberTiny's Swin (from PARAMS) or a small CNN in its place")
    s.add_argument("--labels", choices=["scene", "cells"], default="scene", help="what the scene holds, or per grid cell what its object is (peer-data's `cells`)")
    s.add_argument("--save", default=None, help="write PARAMS with the trained image tower to this file")
    s.add_argument("--stem", choices=["patch", "conv", "overlap", "token-conv"], default="patch", help="what sits under the Swin (see above)")
    s.add_argument("--cell-ce", type=float, default=0.0, help="with --labels cells: add this times the occupied cells' shape and colour cross-entropy")
    q = sub.add_parser("positions")
    q.add_argument("ckpt")
    q.add_argument("fit")
    q.add_argument("test")
    q.add_argument("--steps", type=int, default=300)
    q.add_argument("--seed", type=int, default=0)
    t = sub.add_parser("tower")
    t.add_argument("ckpt")
    t.add_argument("test")
    args = ap.parse_args()
    {"probe": probe, "supervised": supervised, "positions": positions, "tower": tower}[args.cmd](args)


if __name__ == "__main__":
    main()
