"""PyTorch peer of fiberc's whole FIBER pre-training step (examples/fiber_pretrain.fib's
FiberTinyPretraining): ITC on the dual-encoder path with a learnable temperature and a feature
queue, MLM and ITM (hard negatives drawn by ITC similarity) on the fused path, summed, one AdamW
step with fiberc's param groups. Written functionally over fiberc's param names (the backbone is
bench/torch_fiber_tiny_step.py's), so fiberc's params and checkpoints load as they are.

    python3 bench/torch_fiber_pretrain.py check PARAMS INPUTS
        prints {"loss", "itc", "mlm", "itm"} for those params and one batch of
        FiberTinyPretraining's inputs (fiberc compares them with its interpreter's)
    python3 bench/torch_fiber_pretrain.py time PARAMS --batch 8 --steps 6
        times whole pre-training steps on random data; prints one JSON object
    python3 bench/torch_fiber_pretrain.py train PARAMS TRAIN TEST [--queue current|momentum|none]
        trains on a corpus exported by fiberc (pixels, ids, mask; ids2/mask2 a second caption)
        and prints the losses and held-out dual-encoder retrieval as JSON lines: a reference for
        the learning dynamics of a recipe, at tens of steps a second instead of one. --rerank K
        adds R@1 after ITM re-ranking of each query's top K at the end; --itm-bank N draws ITM's
        hard negatives from the batch and a bank of the last N examples (spec/training.md).
        --ground-weight W adds W times a grounding objective: each image's unplaced caption
        (peer-data's gids) runs the fused path too, and a 9-way head on text layer
        --ground-layer's token of each object's shape word names the object's grid cell
        (held-out accuracy logged as ground_cell). --statement-weight W adds W times ITM on
        each image's relation statement (peer-data's sids: "the red circle is above the blue
        square", true or false) against its truth (held-out accuracy: statement_acc).
        --mlm-probability and
        --mlm-focus-probability match fiberc's options of those names.
"""
import argparse
import json
import math
import os
import re
import time

import torch
import torch.nn.functional as F

import torch_fiber_tiny_step as tiny
from torch_fiber_tiny_step import linear, ln

PAD, MASK, SPECIALS, VOCAB_USED = 1, 4, (0, 1, 2, 3, 4), 50
# The synthetic vocabulary's size, colour and shape words (src/data/vocabulary.ts): what a
# caption says that only the image can tell.
GROUNDED = torch.arange(27, 40)
M = "model"
GRID = 3  # src/data/scene.ts's grid: 3 x 3 cells, numbered row * 3 + col


def image_alone_above(x, p):
    """The dual-encoder image path above the shared layers: the blocks that fuse on the fused
    path, without cross-attention, then the final norm."""
    for name, s, r, win, shift in tiny.swin_steps(above=True):
        x = tiny.patch_merging(x, p, name, r) if shift is None else tiny.image_block(x, p, name, tiny.HEADS[s], r, win, shift)
    return ln(x, p, M + ".image.norm")


def text_alone_above(t, mask, p):
    for i in range(tiny.TEXT_LAYERS - tiny.FUSE, tiny.TEXT_LAYERS):
        t = tiny.text_layer(t, mask, p, f"{M}.text.layer.{i}")
    return t


def image_alone(pixels, p, embed=None):
    """The dual-encoder image path: every Swin block without cross-attention, then the final norm
    (`embed`: another stem, tiny.image_below_fusion's)."""
    return image_alone_above(tiny.image_below_fusion(pixels, p, embed), p)


def text_alone(ids, mask, p):
    return text_alone_above(tiny.text_below_fusion(ids, mask, p), mask, p)


def pooler(x, p, name):
    return torch.tanh(linear(x, p, name + ".dense"))


def itc_heads(image, text, p):
    fi = pooler(linear(image, p, "cross_modal_image_transform_itc").mean(1), p, "cross_modal_image_pooler_itc")
    ft = pooler(linear(text, p, "cross_modal_text_transform_itc")[:, 0], p, "cross_modal_text_pooler_itc")
    return F.normalize(fi, dim=-1, eps=1e-6), F.normalize(ft, dim=-1, eps=1e-6)


def itc_features(pixels, ids, mask, p):
    return itc_heads(image_alone(pixels, p), text_alone(ids, mask, p), p)


def mlm_logits(text, p):
    h = linear(text, p, "cross_modal_text_transform")
    h = F.layer_norm(F.gelu(linear(h, p, "mlm_score.transform.dense")), (h.shape[-1],), p["mlm_score.transform.LayerNorm.weight"], p["mlm_score.transform.LayerNorm.bias"], 1e-12)
    return linear(h, p, "mlm_score.decoder") + p["mlm_score.bias"]


def fused_cls(image, text, p):
    """fiber_pretrain.fib's fused_cls: [text [CLS] ; image mean], each transformed and pooled,
    the image tokens through Swin's final norm first."""
    t = pooler(linear(text, p, "cross_modal_text_transform")[:, 0], p, "cross_modal_text_pooler")
    i = pooler(linear(ln(image, p, tiny.M + ".image.norm"), p, "cross_modal_image_transform").mean(1), p, "cross_modal_image_pooler")
    return torch.cat([t, i], 1)


def add_linear_head(p, name, outputs, width, gen):
    """Adds a linear head `name` (weight [outputs, width] drawn fan-in from generator `gen`, bias 0) to params p."""
    p[name + ".weight"] = (torch.randn(outputs, width, generator=gen) / width ** 0.5).requires_grad_()
    p[name + ".bias"] = torch.zeros(outputs, requires_grad=True)


def add_place_head(p, width, gen):
    """`relplace_head`: a linear map from fused_cls's features to both compared objects' 9 cells."""
    add_linear_head(p, "relplace_head", 2 * GRID * GRID, width, gen)


def place_head(x, p):
    """relplace_head's logits [n, 2, 9]: each compared object's cell from the features x."""
    return linear(x, p, "relplace_head").view(-1, 2, GRID * GRID)


def itm_logits(image, text, p):
    return linear(fused_cls(image, text, p), p, "itm_score.fc")


def add_cell_head(p, gen):
    """Adds `place_head`, a linear map from a text token to the 9 grid cells, to params p (its
    weight drawn from generator `gen`)."""
    add_linear_head(p, "place_head", GRID * GRID, p[tiny.M + ".text.embeddings.word_embeddings.weight"].shape[1], gen)


def ground_logits(recorded, layer, p):
    """place_head's cell logits [B, T, 9] for every token of fused text layer `layer` (counted
    over all text layers, as torch_place_probe.py's --layer) among `recorded` (fused_layers' record)."""
    return recorded[layer - (tiny.TEXT_LAYERS - tiny.FUSE)] @ p["place_head.weight"].T + p["place_head.bias"]


def sample_rows(weights, u):
    """fiber_pretrain.fib's sample_rows: the inverse CDF of each row's weights at u."""
    cdf = torch.cumsum(weights / weights.sum(-1, keepdim=True), -1)
    return (cdf <= u.unsqueeze(1)).float().sum(-1).clamp(max=weights.shape[1] - 1).long()


def pretrain_losses(batch, p, queues, momentum=None, detach_keys=True, choose_negatives=None, ground_layer=None, statements=False):
    """(loss, parts, image_feats, text_feats) of one batch, as FiberPretraining's forward: loss
    = itc + mlm + itm, parts those three by name.
    With `statements`, parts also holds `statement`: each image with its relation statement
    (peer-data's `sids`, `smask`) through the fused path, and the ITM head's cross-entropy
    against the statement's truth (`struth`; scenes without one, -1, left out): ITM examples
    whose false texts hold exactly the words of true ones, so only comparing the two named
    objects' places tells them apart.
    With `ground_layer`, parts also holds `ground`: the batch's unplaced captions (`gids`,
    `gmask`; peer-data's) run the fused path beside the others with their images, and place_head
    names, from text layer `ground_layer`'s token of each object's shape word, the object's grid
    cell (cross-entropy against `gcells`): FIBER's phrase grounding with the cells as boxes.
    `queues` (image, text) are scored normalized; the batch's keys are detached (FIBER) unless
    `detach_keys` is False; with `momentum` params the batch's keys and the features to queue
    come from that encoder (ALBEF), else from `p` (FIBER, fiberc)."""
    pixels, ids, mask, mlm_ids, mlm_labels, draws = (batch[k] for k in ("pixels", "ids", "mask", "mlm_ids", "mlm_labels", "draws"))
    b = pixels.shape[0]
    # Each tower below fusion once per input, shared by ITC, MLM and ITM (as fiberc's step).
    image_low, text_low = tiny.image_below_fusion(pixels, p), tiny.text_below_fusion(ids, mask, p)
    fi, ft = itc_heads(image_alone_above(image_low, p), text_alone_above(text_low, mask, p), p)
    temp = p["temp"].clamp(0.001, 1.0)
    if momentum is None:
        ki, kt = (fi.detach(), ft.detach()) if detach_keys else (fi, ft)
    elif "model.text.embeddings.word_embeddings.weight" not in momentum:
        with torch.no_grad():
            ki, kt = itc_heads(image, text, momentum)
    else:
        with torch.no_grad():
            ki, kt = itc_features(pixels, ids, mask, momentum)
    qi, qt = queues
    sim_i2t = fi @ torch.cat([kt, F.normalize(qt, dim=-1, eps=1e-6)]).T
    sim_t2i = ft @ torch.cat([ki, F.normalize(qi, dim=-1, eps=1e-6)]).T
    labels = torch.arange(b)
    itc = 0.5 * (F.cross_entropy(sim_i2t / temp, labels) + F.cross_entropy(sim_t2i / temp, labels))
    if choose_negatives is None:
        others = 1.0 - torch.eye(b)
        with torch.no_grad():
            neg_text = sample_rows((fi @ ft.T / temp).softmax(-1) * others, draws[0])
            neg_image = sample_rows((ft @ fi.T / temp).softmax(-1) * others, draws[1])
        neg_image_low, neg_text_low, neg_mask = image_low[neg_image], text_low[neg_text], mask[neg_text]
    else:
        # Negatives from outside the batch (a bank of past examples): their lower layers run too.
        neg_pixels, neg_ids, neg_mask = choose_negatives(fi.detach(), ft.detach(), temp.detach(), draws)
        neg_image_low, neg_text_low = tiny.image_below_fusion(neg_pixels, p), tiny.text_below_fusion(neg_ids, neg_mask, p)
    images = [image_low, image_low, image_low, neg_image_low]
    texts = [tiny.text_below_fusion(mlm_ids, mask, p), text_low, neg_text_low, text_low]
    masks = [mask, mask, neg_mask, mask]
    extra = [("ground", "gids", "gmask")] if ground_layer is not None else []
    extra += [("statement", "sids", "smask")] if statements else []
    for _, ids_key, mask_key in extra:
        images.append(image_low)
        texts.append(tiny.text_below_fusion(batch[ids_key], batch[mask_key], p))
        masks.append(batch[mask_key])
    rows = {name: slice((4 + i) * b, (5 + i) * b) for i, (name, _, _) in enumerate(extra)}
    recorded = []
    image4, text4 = tiny.fused_layers(torch.cat(images), torch.cat(texts), torch.cat(masks), p, recorded)
    mlm = F.cross_entropy(mlm_logits(text4[:b], p).reshape(-1, tiny.VOCAB), mlm_labels.reshape(-1).long(), ignore_index=-100)
    itm_labels = torch.cat([torch.ones(b), torch.zeros(2 * b)]).long()
    itm = F.cross_entropy(itm_logits(image4[b:4 * b], text4[b:4 * b], p), itm_labels)
    parts = {"itc": itc, "mlm": mlm, "itm": itm}
    if ground_layer is not None:
        logits = ground_logits(recorded, ground_layer, p)[rows["ground"]]
        parts["ground"] = F.cross_entropy(logits.reshape(-1, GRID * GRID), batch["gcells"].reshape(-1).long(), ignore_index=-1)
    if statements:
        at = rows["statement"]
        parts["statement"] = F.cross_entropy(itm_logits(image4[at], text4[at], p), batch["struth"].long(), ignore_index=-1)
        if "relplace_head.weight" in p:
            # Both compared objects' cells named from what VQA's classifier will read.
            logits = place_head(fused_cls(image4[at], text4[at], p), p)
            parts["statement_place"] = F.cross_entropy(logits.flatten(0, 1), batch["splaces"].long().flatten(), ignore_index=-1)
    return itc + mlm + itm, parts, ki.detach(), kt.detach()


def ema_update(momentum, p, decay):
    """ALBEF's momentum update, as fiberc's MovingAverage: m = decay m + (1 - decay) p."""
    with torch.no_grad():
        for k, v in momentum.items():
            v.mul_(decay).add_(p[k].detach(), alpha=1 - decay)


def one_grounded(ids, mask, gen):
    """One grounded word (GROUNDED) of each text, drawn uniformly among its real ones, as a
    boolean [B, T] (a row without one all false)."""
    grounded = torch.isin(ids, GROUNDED) & (mask > 0)
    pick = (torch.rand(ids.shape, generator=gen) * grounded).argmax(1)
    rows = torch.arange(ids.shape[0])
    out = torch.zeros_like(grounded)
    out[rows, pick] = grounded[rows, pick]
    return out


def warmup_decay(step, warm, steps):
    """The learning rate's factor at `step` (1-based): linear warmup over `warm` steps, then linear decay to 0."""
    return min(step / warm, max(0.0, (steps - step) / max(1, steps - warm)))


def mask_tokens(ids, mask, gen, focus=0, probability=0.15, focus_probability=0.0):
    """Hugging Face's MLM corruption, as src/data/masking.ts: `probability` (15%) of real
    non-special tokens; 80% <mask>, 10% a random ordinary token, 10% kept; labels -100
    elsewhere. With focus, each text also has one of its grounded words (GROUNDED) chosen, if it
    has one; with focus_probability as well, each grounded word is chosen with that chance and
    the one drawn only where none was (fiberc's --mlm-focus-probability)."""
    special = torch.zeros_like(ids, dtype=torch.bool)
    for s in SPECIALS:
        special |= ids == s
    chosen = (torch.rand(ids.shape, generator=gen) < probability) & (mask > 0) & ~special
    if focus and focus_probability > 0:
        each = torch.isin(ids, GROUNDED) & (mask > 0) & (torch.rand(ids.shape, generator=gen) < focus_probability)
        one = one_grounded(ids, mask, gen)
        chosen |= each | (one & ~each.any(1, keepdim=True))
    elif focus:
        chosen |= one_grounded(ids, mask, gen)
    action = torch.rand(ids.shape, generator=gen)
    random_ids = torch.randint(len(SPECIALS), VOCAB_USED, ids.shape, generator=gen, dtype=ids.dtype)
    out = torch.where(chosen & (action < 0.8), torch.full_like(ids, MASK), ids)
    out = torch.where(chosen & (action >= 0.8) & (action < 0.9), random_ids, out)
    return out, torch.where(chosen, ids, torch.full_like(ids, -100))


def param_groups(p, lr, head_x=5.0, decay=0.01, lr_x=(), cross_x=None):
    """fiberc's fiberParamGroups (src/train/optimizer.ts): head_x lr on the task heads (names
    `<word>_score.`, `_classifier.`, `_head.`), cross_x (default head_x, as fiberc's
    --cross-modal-lr-scale absent) on the cross-modal params (i2t, crossattention, the gates,
    cross_modal transforms and poolers); no weight decay on biases, norms, gates and
    relative-position tables. lr_x: (regex, factor) pairs; a param whose name matches one also
    has its lr multiplied by its factor (the first match wins)."""
    head = re.compile(r"(^|\.)[a-z0-9]+_(score|classifier|head)\.")
    cross = re.compile(r"(\.i2t\.|\.t2i\.|\.crossattention\.|(^|\.)alpha$|cross_modal)")
    flat = re.compile(r"(\.bias$|norm\d*\.weight$|LayerNorm\.weight$|(^|\.)alpha$|relative_position_bias_table$)")
    cross_x = head_x if cross_x is None else cross_x
    def scale(k):
        return head_x if head.search(k) else cross_x if cross.search(k) else 1.0
    def extra(k):
        return next((x for r, x in lr_x if re.search(r, k)), 1.0)
    keyed = {}
    for k, v in p.items():
        if v.requires_grad:
            keyed.setdefault((scale(k), bool(flat.search(k)), extra(k)), []).append(v)
    groups = []
    for (c, f, x), ps in keyed.items():
        base = lr * c * x
        groups.append({"params": ps, "lr": base, "base": base, "weight_decay": 0.0 if f else decay})
    return groups


def load_params(path, dtype=torch.float32):
    """(params, queues, momentum encoder) of a fiberc params file or checkpoint; the momentum
    encoder is its `momentum.*` params under their sources' names (None when it has none), the
    queues None for a file without them (a VQA checkpoint)."""
    ck = tiny.read_safetensors(path)
    p = {k: v.to(dtype).clone().requires_grad_() for k, v in ck.items() if not k.startswith(("optimizer", "momentum.")) and not k.endswith("_queue") and v.dtype.is_floating_point}
    momentum = {k[len("momentum."):]: v.to(dtype).clone() for k, v in ck.items() if k.startswith("momentum.")} or None
    queues = (ck["image_queue"].to(dtype), ck["text_queue"].to(dtype)) if "image_queue" in ck else None
    return p, queues, momentum


def random_batch(b, t, gen):
    ids = torch.randint(len(SPECIALS), VOCAB_USED, (b, t), generator=gen, dtype=torch.int32)
    mask = torch.ones(b, t)
    mlm_ids, mlm_labels = mask_tokens(ids, mask, gen)
    return {"pixels": torch.randn(b, 3, tiny.IMG, tiny.IMG, generator=gen), "ids": ids, "mask": mask, "mlm_ids": mlm_ids, "mlm_labels": mlm_labels, "draws": torch.rand(2, b, generator=gen)}


def grouped_rows(data, b, g, gen, by_layout):
    """A batch of b rows in groups of g images that share a layout (objects' cells and sizes):
    negatives that differ only in what the objects are (peer-data's `layout`)."""
    rows = []
    while len(rows) < b:
        first = torch.randint(0, data["pixels"].shape[0], (1,), generator=gen).item()
        same = by_layout[data["layout"][first].item()]
        pick = torch.randperm(len(same), generator=gen)[:g].tolist()
        rows += [same[i] for i in pick][: b - len(rows)]
    return torch.tensor(rows)


def caption_rows(data, idx, gen):
    """(ids, mask) of one of each example's two captions, drawn."""
    second = (torch.rand(len(idx), generator=gen) < 0.5).view(-1, 1)
    return torch.where(second, data["ids2"][idx], data["ids"][idx]), torch.where(second, data["mask2"][idx], data["mask"][idx])


def corpus_batch(data, idx, gen, focus=0, probability=0.15, focus_probability=0.0, ground=False, statements=False):
    """One batch of examples `idx`: a caption of each drawn, its MLM corruption and ITM's draws;
    with `ground`, also their unplaced captions and cells (peer-data's gids, gmask, gcells);
    with `statements`, their relation statements and truths (sids, smask, struth)."""
    ids, mask = caption_rows(data, idx, gen)
    mlm_ids, mlm_labels = mask_tokens(ids, mask, gen, focus, probability, focus_probability)
    batch = {"pixels": data["pixels"][idx], "ids": ids, "mask": mask, "mlm_ids": mlm_ids, "mlm_labels": mlm_labels, "draws": torch.rand(2, len(idx), generator=gen)}
    if ground:
        batch.update(gids=data["gids"][idx], gmask=data["gmask"][idx], gcells=data["gcells"][idx])
    if statements:
        batch.update(sids=data["sids"][idx], smask=data["smask"][idx], struth=data["struth"][idx])
        if "splaces" in data:
            batch["splaces"] = data["splaces"][idx]
    return batch


def held_out_accuracy(p, test, n, ids_key, mask_key, target_key, logits_of):
    """The percent of targets (test[target_key], -1 where there is none) that logits_of(image,
    text, recorded) names by its argmax, over the first n test images with their texts
    test[ids_key], test[mask_key] through FiberTiny (recorded: fused_layers' record)."""
    hits = total = 0
    with torch.no_grad():
        for s in range(0, n, 100):
            recorded = []
            image, text = tiny.fiber_tiny(test["pixels"][s:s + 100], test[ids_key][s:s + 100], test[mask_key][s:s + 100], p, recorded)
            target = test[target_key][s:s + 100].long()
            posed = target >= 0
            hits += (logits_of(image, text, recorded).argmax(-1)[posed] == target[posed]).sum().item()
            total += posed.sum().item()
    return round(100.0 * hits / max(1, total), 1)


def statement_accuracy(p, test, n):
    """Of the first n test images' relation statements, the percent the ITM head judges right
    (true when its positive logit is the larger)."""
    return held_out_accuracy(p, test, n, "sids", "smask", "struth", lambda image, text, _: itm_logits(image, text, p))


def statement_place_accuracy(p, test, n):
    """Of the first n test images' relation statements, the percent of compared objects whose
    cell relplace_head names from fused_cls."""
    return held_out_accuracy(p, test, n, "sids", "smask", "splaces", lambda image, text, _: place_head(fused_cls(image, text, p), p))


def grounding_accuracy(p, test, n, layer):
    """Of the first n test images' unplaced captions, the percent of objects whose cell
    place_head names from their shape word's token at text layer `layer`."""
    return held_out_accuracy(p, test, n, "gids", "gmask", "gcells", lambda _, __, recorded: ground_logits(recorded, layer, p))


def itm_rerank_r1(p, test, sim, k, image_rows):
    """R@1 (percent) after re-scoring each query's top k by the ITM head's positive logit (FIBER):
    image queries over their top-k texts when image_rows, else text queries over images."""
    n = sim.shape[0]
    top = sim.topk(k, dim=1).indices
    hits = 0
    with torch.no_grad():
        for s in range(0, n, 16):
            q = torch.arange(s, min(n, s + 16)).repeat_interleave(k)
            c = top[s:s + 16].reshape(-1)
            img, txt = (q, c) if image_rows else (c, q)
            image, text = tiny.fiber_tiny(test["pixels"][img], test["ids"][txt], test["mask"][txt], p)
            score = itm_logits(image, text, p)[:, 1].view(-1, k)
            best = top[s:s + 16].gather(1, score.argmax(1, keepdim=True)).view(-1)
            hits += (best == torch.arange(s, min(n, s + 16))).sum().item()
    return round(100.0 * hits / n, 1)


def retrieval(p, test, n, rerank=0):
    """Dual-encoder R@1/5/10 (percent) both ways over the first n test pairs; with rerank k, also
    R@1 after the ITM head re-scores each query's top k."""
    with torch.no_grad():
        parts = [itc_features(test["pixels"][s:s + 100], test["ids"][s:s + 100], test["mask"][s:s + 100], p) for s in range(0, n, 100)]
        sim = torch.cat([a for a, _ in parts]) @ torch.cat([b for _, b in parts]).T
        truth = torch.arange(n).view(-1, 1)
        out = {}
        for name, s in (("i2t", sim), ("t2i", sim.T)):
            rank = (s > s.gather(1, truth)).sum(1)
            for k in (1, 5, 10):
                out[f"{name}_r{k}"] = round(100.0 * (rank < k).float().mean().item(), 1)
            if rerank:
                out[f"{name}_itm_r1"] = itm_rerank_r1(p, test, s, rerank, name == "i2t")
        out["feature_cos"] = round((torch.cat([a for a, _ in parts])[:100] @ torch.cat([a for a, _ in parts])[:100].T).mean().item(), 4)
        return out


def train(args):
    torch.manual_seed(args.seed)
    p, queues, _ = load_params(args.params)
    ground, statements = args.ground_weight > 0, args.statement_weight > 0 or args.statement_place_weight > 0
    if ground and "place_head.weight" not in p:
        add_cell_head(p, torch.Generator().manual_seed(args.seed + 1))
    if args.statement_place_weight > 0 and "relplace_head.weight" not in p:
        add_place_head(p, 2 * p["cross_modal_text_pooler.dense.weight"].shape[0], torch.Generator().manual_seed(args.seed + 2))
    if args.fixed_temp:
        p["temp"].requires_grad_(False)
    if args.alpha_init is not None:
        # The fusion gates' start (FIBER: 0). A gate at 0 passes no gradient to its cross-attention.
        with torch.no_grad():
            for k in p:
                if re.search(r"(^|\.)alpha$", k):
                    p[k].fill_(args.alpha_init)
    data, test = tiny.read_safetensors(args.train), tiny.read_safetensors(args.test)
    for name, split in ((args.train, data), (args.test, test)):
        if ground and "gids" not in split:
            raise SystemExit(f"{name} has no unplaced captions (gids): write it again with bench/peer-data.ts")
        if statements and "sids" not in split:
            raise SystemExit(f"{name} has no relation statements (sids): write it again with bench/peer-data.ts")
        if args.statement_place_weight > 0 and "splaces" not in split:
            raise SystemExit(f"{name} has no relation statements' places (splaces): write it again with bench/peer-data.ts")
    opt = torch.optim.AdamW(param_groups(p, args.lr, args.head_x, lr_x=[(r, float(x)) for r, x in (a.rsplit("=", 1) for a in args.lr_x)]), betas=(0.9, 0.98), eps=1e-8)
    momentum = {k: v.detach().clone() for k, v in p.items() if args.queue == "momentum" or "_itc" in k} if args.queue.startswith("momentum") else None
    gen = torch.Generator().manual_seed(args.seed)
    n, warm = data["pixels"].shape[0], max(1, round(args.warmup * args.steps))
    if args.queue_size is not None:
        # ALBEF starts its queues as normalized random features; fiberc's params file holds them.
        queues = tuple(F.normalize(torch.randn(args.queue_size, q.shape[1], generator=torch.Generator().manual_seed(args.seed)), dim=-1) for q in queues)
    qi, qt = queues
    if args.queue == "none":
        qi, qt = qi[:0], qt[:0]
    # ITM negatives from a bank of past examples' momentum ITC features (--itm-bank N): each
    # image's negative text is drawn from the batch and the bank by softmax(similarity / temp),
    # its own example excluded, and fetched from the corpus (FIBER keeps past raw images).
    bank = {"image": torch.zeros(0, qi.shape[1]), "text": torch.zeros(0, qt.shape[1]), "index": torch.zeros(0, dtype=torch.long)}
    current = {}

    def choose_negatives(fi, ft, temp, draws):
        idx = current["index"]
        pool_image, pool_text = torch.cat([fi, bank["image"]]), torch.cat([ft, bank["text"]])
        pool_index = torch.cat([idx, bank["index"]])
        allowed = (pool_index.view(1, -1) != idx.view(-1, 1)).float()
        neg_text = pool_index[sample_rows((fi @ pool_text.T / temp).softmax(-1) * allowed, draws[0])]
        neg_image = pool_index[sample_rows((ft @ pool_image.T / temp).softmax(-1) * allowed, draws[1])]
        return data["pixels"][neg_image], data["ids"][neg_text], data["mask"][neg_text]

    by_layout = {}
    if args.layout_groups > 1:
        for i, l in enumerate(data["layout"].tolist()):
            by_layout.setdefault(l, []).append(i)
    sums, t0 = {}, time.perf_counter()
    for step in range(1, args.steps + 1):
        for g in opt.param_groups:
            g["lr"] = g["base"] * warmup_decay(step, warm, args.steps)
        current["index"] = grouped_rows(data, args.batch, args.layout_groups, gen, by_layout) if args.layout_groups > 1 else torch.randint(0, n, (args.batch,), generator=gen)
        batch = corpus_batch(data, current["index"], gen, args.mlm_focus, args.mlm_probability, args.mlm_focus_probability, ground, statements)
        loss, parts, ki, kt = pretrain_losses(batch, p, (qi, qt), momentum, not args.attached_keys, choose_negatives if args.itm_bank else None, args.ground_layer if ground else None, statements)
        if args.itm_bank:
            bank = {"image": torch.cat([ki, bank["image"]])[:args.itm_bank], "text": torch.cat([kt, bank["text"]])[:args.itm_bank], "index": torch.cat([current["index"], bank["index"]])[:args.itm_bank]}
        weights = {"itc": args.itc_weight, "mlm": args.mlm_weight, "itm": args.itm_weight, "ground": args.ground_weight, "statement": args.statement_weight, "statement_place": args.statement_place_weight}
        total = sum(weights[k] * v for k, v in parts.items())
        opt.zero_grad(set_to_none=True)
        total.backward()
        opt.step()
        with torch.no_grad():
            if momentum is not None:
                ema_update(momentum, p, args.ema)
            if args.queue != "none":
                qi, qt = torch.cat([ki, qi])[:queues[0].shape[0]], torch.cat([kt, qt])[:queues[1].shape[0]]
        for k, v in parts.items():
            sums[k] = sums.get(k, 0.0) + v.item()
        if step % args.log_every == 0 or step == args.steps:
            since = (step - 1) % args.log_every + 1  # the steps summed (fewer in a last row off the interval)
            row = {"step": step, **{k: round(v / since, 3) for k, v in sums.items()}, "temp": round(p["temp"].item(), 4), "s": round(time.perf_counter() - t0, 1)}
            if step % args.eval_every == 0 or step == args.steps:
                row.update(retrieval(p, test, args.test_size, args.rerank if step == args.steps else 0))
                if ground:
                    row["ground_cell"] = grounding_accuracy(p, test, args.test_size, args.ground_layer)
                if statements:
                    row["statement_acc"] = statement_accuracy(p, test, args.test_size)
                if args.statement_place_weight > 0:
                    row["statement_place_acc"] = statement_place_accuracy(p, test, args.test_size)
            print(json.dumps(row), flush=True)
            sums = {}
    if args.save:
        # The trained params and queues, readable by load_params (and the attribute probe).
        tiny.write_safetensors(args.save, {**{k: v.detach().float() for k, v in p.items()}, "image_queue": qi.float(), "text_queue": qt.float()})


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("params")
    c.add_argument("inputs")
    c.add_argument("--grads", nargs="*", default=[], help="also print the first 4 gradient entries of these params")
    t = sub.add_parser("time")
    t.add_argument("params")
    t.add_argument("--batch", type=int, default=8)
    t.add_argument("--steps", type=int, default=6)
    t.add_argument("--text", type=int, default=38)
    r = sub.add_parser("train")
    r.add_argument("params")
    r.add_argument("train")
    r.add_argument("test")
    r.add_argument("--queue", choices=["current", "momentum", "momentum-heads", "none"], default="current",
                   help="where the keys and the queue come from: the online encoder, a momentum copy of it, a momentum copy of the _itc heads only (on the online backbone), or no queue")
    r.add_argument("--ema", type=float, default=0.995)
    r.add_argument("--queue-size", type=int, default=None, help="queue length (default: the params file's queues)")
    r.add_argument("--fixed-temp", action="store_true", help="keep the temperature at its initial value")
    r.add_argument("--alpha-init", type=float, default=None, help="start every fusion gate (alpha) at this value instead of the params file's")
    r.add_argument("--attached-keys", action="store_true", help="let gradients through the batch's keys (fiberc before FIBER's detach)")
    r.add_argument("--batch", type=int, default=8)
    r.add_argument("--steps", type=int, default=400)
    r.add_argument("--lr", type=float, default=3e-4)
    r.add_argument("--warmup", type=float, default=0.25)
    r.add_argument("--head-x", type=float, default=5.0)
    r.add_argument("--lr-x", action="append", default=[], metavar="REGEX=FACTOR", help="also multiply the lr of params whose names match REGEX by FACTOR (repeatable; the first match wins), e.g. '^model\\.image\\.=3' or '^temp$=0.1'")
    r.add_argument("--itc-weight", type=float, default=1.0)
    r.add_argument("--mlm-weight", type=float, default=1.0)
    r.add_argument("--itm-weight", type=float, default=1.0)
    r.add_argument("--mlm-focus", type=int, choices=[0, 1], default=0, help="1: MLM also chooses one grounded (size, colour, shape) word of every caption")
    r.add_argument("--mlm-probability", type=float, default=0.15, help="the chance of each real token being masked at random (fiberc's --mlm-probability)")
    r.add_argument("--mlm-focus-probability", type=float, default=0.0, help="with --mlm-focus 1, mask each grounded word with this chance (one drawn where none was) instead of exactly one")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--log-every", type=int, default=25)
    r.add_argument("--eval-every", type=int, default=100)
    r.add_argument("--test-size", type=int, default=1000)
    r.add_argument("--layout-groups", type=int, default=1, help="batches of groups of this many images sharing a layout (peer-data's `layout`)")
    r.add_argument("--itm-bank", type=int, default=0, help="draw ITM's hard negatives from the batch and a bank of this many past examples (0: the batch only)")
    r.add_argument("--ground-weight", type=float, default=0.0, help="add this times the grounding objective (pretrain_losses' ground; needs peer-data's unplaced captions)")
    r.add_argument("--ground-layer", type=int, default=3, help="the text layer whose shape-word tokens name their objects' cells (counted over all text layers; 3: the last fused with stage 2's 16 tokens)")
    r.add_argument("--statement-place-weight", type=float, default=0.0, help="add this times a cross-entropy naming, from the fused_cls features of each image with its relation statement, both compared objects' grid cells (relplace_head, as VQA's --place-weight; needs peer-data's splaces)")
    r.add_argument("--statement-weight", type=float, default=0.0, help="add this times the relation-statement objective (pretrain_losses' statement; needs peer-data's relation statements)")
    r.add_argument("--save", default=None, help="write the trained params and queues to this file at the end")
    r.add_argument("--rerank", type=int, default=0, help="at the end, also R@1 after the ITM head re-scores each query's top k")
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("THREADS", os.cpu_count() or 1)))
    if args.cmd == "check":
        p, queues, momentum = load_params(args.params, torch.float64)
        batch = {k: (v.double() if v.dtype.is_floating_point else v) for k, v in tiny.read_safetensors(args.inputs).items()}
        loss, parts, _, _ = pretrain_losses(batch, p, queues, momentum)
        out = {"loss": loss.item(), **{k: v.item() for k, v in parts.items()}}
        if args.grads:
            loss.backward()
            out["grads"] = {k: p[k].grad.flatten()[:4].tolist() for k in args.grads}
        print(json.dumps(out))
    elif args.cmd == "time":
        p, queues, momentum = load_params(args.params)
        opt = torch.optim.AdamW(param_groups(p, 1e-4), betas=(0.9, 0.98), eps=1e-8)
        gen = torch.Generator().manual_seed(0)
        times = []
        for _ in range(args.steps + 1):
            batch = random_batch(args.batch, args.text, gen)
            s = time.perf_counter()
            loss = pretrain_losses(batch, p, queues, momentum)[0]
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if momentum is not None:
                ema_update(momentum, p, 0.995)
            times.append((time.perf_counter() - s) * 1000)
        median = sorted(times[1:])[len(times[1:]) // 2]
        print(json.dumps({"peer": f"PyTorch {torch.__version__} eager, CPU, {torch.get_num_threads()} threads", "batch": args.batch, "firstStepMs": times[0], "medianMs": median, "examplesPerSecond": args.batch * 1000 / median}))
    else:
        train(args)


if __name__ == "__main__":
    main()
