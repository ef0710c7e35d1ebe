"""PyTorch peer of fiberc's VQA fine-tuning (examples/fiber_pretrain.fib's FiberVQA): the fused
FiberTiny from a pre-training checkpoint, FIBER's classifier on [text [CLS] ; image mean] (dense,
LayerNorm, GELU, dense), binary cross-entropy against the answer times the number of answers,
AdamW with fiberc's param groups (`--head-x` on the classifier, `--cross-x` on the cross-modal
params, as fiberc's --head-lr-scale and --cross-modal-lr-scale). For trying fine-tuning recipes at a few steps a second on the
CPU before a fiberc run (spec/training.md):

    node dist/bench/peer-data.js DIR --train 10 --vqa 36000
    python3 bench/torch_fiber_vqa.py CKPT DIR/vqa-train.safetensors DIR/vqa-val.safetensors --steps 4500 --lr 1e-4 --head-x 50

CKPT is a fiberc checkpoint (RUN/step-N.safetensors) or params file; prints the losses and the
accuracy per question type on the held-out file as JSON lines. `--types relation` fine-tunes on
one kind of question alone (can the fused path learn it at all?), still scoring every type.
`--ground-weight W` adds, each step, W times torch_place_probe.py's cell objective on a batch of
relation questions (a head on text layer `--ground-layer`'s two shape tokens names both objects'
cells): grounding taught beside the answers instead of before them. `--place-weight W` adds
instead W times a cross-entropy that names both objects' cells of a batch of relation questions
from what the classifier reads (the pooled `fused_cls` features, through a linear `relplace_head`
of 2 x 9 outputs), so that those features hold the two places a relation compares; held-out
`place` is the share of the validation relation questions' objects whose cell it names.
`--read-places` (with --place-weight) lets the classifier read relplace_head's two softmax
distributions beside fused_cls, as fiberc's FiberVQAPlaceReader (`--read-places`);
`--relation-word` adds a head naming the relation a relation question asks (read too with
--read-places), and `--word-weight W` one naming the words each question holds (peer-only
experiments, spec/training.md "A classifier that reads the places").
"""
import argparse
import json
import os
import re
import time

import torch
import torch.nn.functional as F

import torch_fiber_tiny_step as tiny
from torch_fiber_pretrain import add_cell_head, add_linear_head, add_place_head, fused_cls, load_params, param_groups, place_head, warmup_decay
from torch_fiber_tiny_step import linear, ln
from torch_place_probe import cell_loss, relation_rows

# src/data/questions.ts's QUESTION_TYPES and ANSWERS' length.
TYPES = ("color", "shape", "count", "exists", "relation")
ANSWERS = 16
HEAD = "vqa_classifier"


# Whether the classifier reads relplace_head's two place distributions beside fused_cls
# (--read-places); set once by main().
READ_PLACES = False
PLACES = 2 * 9
# With --relation-word, a `relword_head` names the relation a question asks, and a
# place-reading classifier reads its softmax too. The words that tell the four relations apart
# (above, below, left, right), as src/data/vocabulary.ts's SYNTHETIC_VOCABULARY numbers them
# (test/data/peer-constants.test.ts checks them).
RELATION_WORDS = (47, 48, 24, 25)
READ_WORD = False


def head_params(width, seed):
    """The classifier's params as fiberc draws them with --param-init fan-in (in distribution)."""
    gen = torch.Generator().manual_seed(seed)
    def weight(o, i):
        return (torch.randn(o, i, generator=gen) / i ** 0.5).requires_grad_()
    width += (PLACES if READ_PLACES else 0) + (len(RELATION_WORDS) if READ_WORD else 0)
    return {
        f"{HEAD}.dense.weight": weight(width, width), f"{HEAD}.dense.bias": torch.zeros(width, requires_grad=True),
        f"{HEAD}.norm.weight": torch.ones(width, requires_grad=True), f"{HEAD}.norm.bias": torch.zeros(width, requires_grad=True),
        f"{HEAD}.out.weight": weight(ANSWERS, width), f"{HEAD}.out.bias": torch.zeros(ANSWERS, requires_grad=True),
    }


def classifier(x, p):
    """FIBER's VQA classifier on fused_cls's features (and, with --read-places, the place head's distributions)."""
    if READ_PLACES:
        read = [x, place_head(x, p).softmax(-1).flatten(1)]
        if READ_WORD:
            read.append(linear(x, p, "relword_head").softmax(-1))
        x = torch.cat(read, 1)
    return linear(F.gelu(ln(linear(x, p, f"{HEAD}.dense"), p, f"{HEAD}.norm")), p, f"{HEAD}.out")


def vqa_logits(pixels, ids, mask, p):
    image, text = tiny.fiber_tiny(pixels, ids, mask, p)
    return classifier(fused_cls(image, text, p), p)


def vqa_loss(logits, answer, kind):
    if kind == "ce":
        return F.cross_entropy(logits, answer)
    return F.binary_cross_entropy_with_logits(logits, F.one_hot(answer, ANSWERS).float()) * ANSWERS


def accuracy(p, data):
    """Percent right overall and per question type."""
    with torch.no_grad():
        n = data["ids"].shape[0]
        guess = torch.cat([vqa_logits(data["pixels"][data["image"][s:s + 100].long()], data["ids"][s:s + 100], data["mask"][s:s + 100], p).argmax(1) for s in range(0, n, 100)])
        right = (guess == data["answer"].long()).float()
        out = {"acc": round(100 * right.mean().item(), 1)}
        for t, name in enumerate(TYPES):
            of = data["type"] == t
            if of.any():
                out[name] = round(100 * right[of].mean().item(), 1)
        return out


def features(data, idx, p):
    """fused_cls's features [n, 2 x hidden] for questions `idx`: what the classifier reads."""
    image, text = tiny.fiber_tiny(data["pixels"][data["image"][idx].long()], data["ids"][idx], data["mask"][idx], p)
    return fused_cls(image, text, p)


def place_loss(x, places, p):
    """Cross-entropy of place_head on features x against both objects' cells [n, 2]."""
    return F.cross_entropy(place_head(x, p).flatten(0, 1), places.long().flatten())


def relation_asked(ids):
    """The relation each relation question (its token ids [n, T]) asks: an index of RELATION_WORDS [n]."""
    return torch.stack([(ids.long() == w).any(1) for w in RELATION_WORDS], 1).float().argmax(1)


def relation_word_loss(x, ids, p):
    """Cross-entropy of relword_head on features x against the relation their questions `ids` ask, weighing as one object's place (half of place_loss's two)."""
    return F.cross_entropy(linear(x, p, "relword_head"), relation_asked(ids)) / 2


def place_logits(data, idx, p):
    """relplace_head's logits [n, 2, 9] for questions `idx`."""
    return place_head(features(data, idx, p), p)


def place_accuracy(p, data):
    """Percent of the relation questions' objects whose cell relplace_head names."""
    rel = relation_rows(data)
    with torch.no_grad():
        guess = torch.cat([place_logits(data, rel[s:s + 100], p).argmax(-1) for s in range(0, len(rel), 100)])
    return round(100 * (guess == data["places"][rel].long()).float().mean().item(), 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ckpt")
    ap.add_argument("train")
    ap.add_argument("test")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--steps", type=int, default=2500)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--warmup", type=float, default=0.1)
    ap.add_argument("--head-x", type=float, default=5.0, help="lr multiple of the classifier (fiberc's --head-lr-scale; FIBER's VQA: 50)")
    ap.add_argument("--cross-x", type=float, default=5.0, help="lr multiple of the cross-modal params (fiberc's --cross-modal-lr-scale; before 2026-12-05 the peer used --head-x for them too)")
    ap.add_argument("--loss", choices=["bce", "ce"], default="bce", help="FIBER's binary cross-entropy times the answers, or softmax cross-entropy")
    ap.add_argument("--train-only", default=None, help="a regex: train only the params it matches (the rest frozen)")
    ap.add_argument("--alpha", type=float, default=None, help="set every fusion gate to this value first")
    ap.add_argument("--types", default=None, help="train on these question types only, comma-separated (e.g. relation); the held-out file is scored whole")
    ap.add_argument("--ground-weight", type=float, default=0.0)
    ap.add_argument("--ground-layer", type=int, default=3)
    ap.add_argument("--place-weight", type=float, default=0.0, help="W x cross-entropy naming both objects' cells of relation questions from fused_cls")
    ap.add_argument("--place-rows", choices=["extra", "batch"], default="extra", help="--place-weight's questions: a batch of relation questions of their own each step (a second forward), or the batch's own relation questions (its loss weighted by their share of the batch)")
    ap.add_argument("--relation-share", type=float, default=None, help="draw this share of each batch's rows (rounded) from the relation questions and the rest from the other types, instead of uniformly over all questions (about 0.18 of them are relation questions)")
    ap.add_argument("--word-weight", type=float, default=0.0, help="W x binary cross-entropy (times the vocabulary) of a linear `words_head` on fused_cls naming which vocabulary ids the question holds (the features keep the question's words)")
    ap.add_argument("--relation-word", action="store_true", help="with --place-weight: a linear relword_head also names the relation a relation question asks (4 classes), in the same objective; with --read-places the classifier reads its softmax too")
    ap.add_argument("--read-places", action="store_true", help="the classifier reads relplace_head's softmax over each compared object's cell beside fused_cls (needs --place-weight)")
    ap.add_argument("--keep-heads", action="store_true", help="continue a file --save wrote: keep its classifier (and place head) instead of drawing them")
    ap.add_argument("--save", default=None, help="write the fine-tuned params (classifier and any auxiliary head included) to this safetensors file at the end")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--log-every", type=int, default=100)
    ap.add_argument("--eval-every", type=int, default=500)
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("THREADS", os.cpu_count() or 1)))
    torch.manual_seed(args.seed)
    global READ_PLACES, READ_WORD
    READ_PLACES = args.read_places
    READ_WORD = args.read_places and args.relation_word
    if args.read_places and not args.place_weight:
        ap.error("--read-places reads relplace_head, which --place-weight trains")
    p, _, _ = load_params(args.ckpt)
    if not (args.keep_heads and f"{HEAD}.out.weight" in p):
        p = {k: v for k, v in p.items() if not k.startswith(HEAD)}
        p.update(head_params(2 * p["cross_modal_text_pooler.dense.weight"].shape[0], args.seed))
    if args.alpha is not None:
        with torch.no_grad():
            for k in p:
                if re.search(r"(^|\.)alpha$", k):
                    p[k].fill_(args.alpha)
    if args.ground_weight:
        add_cell_head(p, torch.Generator().manual_seed(args.seed))
    if args.place_weight and "relplace_head.weight" not in p:
        add_place_head(p, 2 * p["cross_modal_text_pooler.dense.weight"].shape[0], torch.Generator().manual_seed(args.seed + 2))
    width = 2 * p["cross_modal_text_pooler.dense.weight"].shape[0]
    if args.word_weight:
        add_linear_head(p, "words_head", p["model.text.embeddings.word_embeddings.weight"].shape[0], width, torch.Generator().manual_seed(args.seed + 3))
    if args.relation_word:
        add_linear_head(p, "relword_head", len(RELATION_WORDS), width, torch.Generator().manual_seed(args.seed + 4))
    if args.train_only:
        for k, v in p.items():
            v.requires_grad_(bool(re.search(args.train_only, k)))
    data, test = tiny.read_safetensors(args.train), tiny.read_safetensors(args.test)
    if (args.ground_weight or args.place_weight) and "places" not in data:
        ap.error(f"--ground-weight, --place-weight: {args.train} has no 'places' (write it again with bench/peer-data.ts)")
    place_extra = bool(args.place_weight) and args.place_rows == "extra"
    place_in_batch = bool(args.place_weight) and args.place_rows == "batch"
    grounding = data if args.ground_weight or args.place_weight else None
    relations = relation_rows(data) if grounding is not None else None
    if args.types:
        keep = torch.zeros_like(data["type"], dtype=torch.bool)
        for name in args.types.split(","):
            if name not in TYPES:
                ap.error(f"--types: {name!r} is not one of {', '.join(TYPES)}")
            keep |= data["type"] == TYPES.index(name)
        data = {k: v[keep] if k in ("image", "ids", "mask", "answer", "type") else v for k, v in data.items()}
    opt = torch.optim.AdamW(param_groups(p, args.lr, args.head_x, cross_x=args.cross_x), betas=(0.9, 0.98), eps=1e-8)
    gen = torch.Generator().manual_seed(args.seed)
    ground_gen = torch.Generator().manual_seed(args.seed + 1)  # the answers' batches stay those of a run without grounding
    n, warm = data["ids"].shape[0], max(1, round(args.warmup * args.steps))
    if args.relation_share is not None:
        if not 0 <= args.relation_share <= 1:
            ap.error(f"--relation-share is a share of the batch, in [0, 1], got {args.relation_share}")
        in_batch = round(args.relation_share * args.batch)
        is_relation = data["type"] == TYPES.index("relation")
        pools = (is_relation.nonzero().flatten(), (~is_relation).nonzero().flatten())
    sums, t0 = 0.0, time.perf_counter()
    for step in range(1, args.steps + 1):
        for g in opt.param_groups:
            g["lr"] = g["base"] * warmup_decay(step, warm, args.steps)
        if args.relation_share is None:
            idx = torch.randint(0, n, (args.batch,), generator=gen)
        else:
            idx = torch.cat([pool[torch.randint(0, len(pool), (k,), generator=gen)] for pool, k in zip(pools, (in_batch, args.batch - in_batch))])
        x = features(data, idx, p)
        loss = vqa_loss(classifier(x, p), data["answer"][idx].long(), args.loss)
        if place_in_batch:
            # The place objective on the batch's own relation questions, from the same features,
            # weighted by their share of the batch.
            rel = data["type"][idx] == TYPES.index("relation")
            if rel.any():
                loss = loss + args.place_weight * place_loss(x[rel], data["places"][idx][rel], p) * rel.float().mean()
                if args.relation_word:
                    loss = loss + args.place_weight * relation_word_loss(x[rel], data["ids"][idx][rel], p) * rel.float().mean()
        if args.word_weight:
            bag = F.one_hot(data["ids"][idx].long(), p["words_head.bias"].shape[0]).float().amax(1)
            loss = loss + args.word_weight * F.binary_cross_entropy_with_logits(linear(x, p, "words_head"), bag) * bag.shape[1]
        if args.ground_weight or place_extra:
            # A batch of relation questions of their own, drawn by ground_gen.
            rel = relations[torch.randint(0, len(relations), (args.batch,), generator=ground_gen)]
            if args.ground_weight:
                loss = loss + args.ground_weight * cell_loss(grounding, rel, p, args.ground_layer)
            if place_extra:
                extra = features(grounding, rel, p)
                loss = loss + args.place_weight * place_loss(extra, grounding["places"][rel], p)
                if args.relation_word:
                    loss = loss + args.place_weight * relation_word_loss(extra, grounding["ids"][rel], p)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sums += loss.item()
        if step % args.log_every == 0 or step == args.steps:
            row = {"step": step, "loss": round(sums / args.log_every, 3), "s": round(time.perf_counter() - t0, 1)}
            if step % args.eval_every == 0 or step == args.steps:
                row.update(accuracy(p, test))
                if args.place_weight:
                    row["place"] = place_accuracy(p, test)
            print(json.dumps(row), flush=True)
            sums = 0.0
    if args.save:
        tiny.write_safetensors(args.save, p)


if __name__ == "__main__":
    main()
