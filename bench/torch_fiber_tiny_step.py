"""PyTorch peer for fiberc's FiberTiny training step (`npm run bench -- --only train`).

The same model and loss as examples/fiber_train.fib's FiberTinyContrastive — FiberTiny (Swin
64 px, patch 4, embed 16, absolute position embedding, depths 1-1-2-2, window 2; RoBERTa 6 x 32 hidden, 2 heads; top 4 layers
fused with alpha-gated cross-attention) and the image-text contrastive loss — written
functionally over a dict of params named exactly as fiberc names them, so fiberc's weights
load as they are. fp32 on the CPU, eager, `torch.set_num_threads` = the core count.

    python3 bench/torch_fiber_tiny_step.py --check params.safetensors inputs.safetensors
        prints {"loss": ...} for those params and one batch (fiberc's bench compares it with
        its interpreter's loss before timing anything)
    python3 bench/torch_fiber_tiny_step.py --params params.safetensors --batch 8 --steps 8
        times AdamW steps (forward, loss, backward, update); prints one JSON object

The environment variable TEXT_HEADS (default 2, FiberTiny's) splits the text layers' self- and
cross-attention into that many heads instead, the params unchanged: an architecture variant for
the peer's experiments (a checkpoint trained with it must be read with it too).
"""
import argparse
import json
import os
import re
import struct
import time

import numpy as np
import torch
import torch.nn.functional as F

IMG, PATCH, EMBED, DEPTHS, HEADS, WINDOW = 64, 4, 16, [1, 1, 2, 2], [1, 2, 2, 4], 2
VOCAB, HIDDEN, TEXT_LAYERS, FUSE, PAD = 64, 32, 6, 4, 1
TEXT_HEADS = int(os.environ.get("TEXT_HEADS", "2"))
TEMPERATURE = 0.07
DTYPES = {"F32": np.float32, "I32": np.int32, "F64": np.float64, "I64": np.int64}


def read_safetensors(path):
    """The tensors of a safetensors file (8-byte header length, JSON header, raw little-endian data)."""
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        start, end = e["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(body[start:end], dtype=DTYPES[e["dtype"]]).reshape(e["shape"]).copy())
    return out


def write_safetensors(path, tensors):
    """Writes tensors (name -> float32 or int32 torch tensor) as a safetensors file."""
    names = {np.float32: "F32", np.int32: "I32", np.float64: "F64", np.int64: "I64"}
    header, body, at = {}, [], 0
    for name, t in tensors.items():
        a = t.detach().contiguous().numpy()
        raw = a.tobytes()
        header[name] = {"dtype": names[a.dtype.type], "shape": list(a.shape), "data_offsets": [at, at + len(raw)]}
        body.append(raw)
        at += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(body))


def ln(x, p, name, eps=1e-5):
    return F.layer_norm(x, (x.shape[-1],), p[name + ".weight"], p[name + ".bias"], eps)


def linear(x, p, name):
    return F.linear(x, p[name + ".weight"], p.get(name + ".bias"))


def split_heads(x, heads):
    b, n, c = x.shape
    return x.view(b, n, heads, c // heads).transpose(1, 2)


def merge_heads(x):
    b, h, n, d = x.shape
    return x.transpose(1, 2).reshape(b, n, h * d)


def attention(q, k, v, bias):
    scores = (q * (1.0 / q.shape[-1] ** 0.5)) @ k.transpose(-2, -1)
    return (scores + bias).softmax(-1) @ v


def padding_bias(mask):
    return ((1.0 - mask) * -10000.0).view(mask.shape[0], 1, 1, mask.shape[1])


def window_partition(x, w):
    b, h, wd, c = x.shape
    return x.view(b, h // w, w, wd // w, w, c).permute(0, 1, 3, 2, 4, 5).reshape(-1, w * w, c)


def window_reverse(x, w, h, wd):
    b = x.shape[0] // ((h // w) * (wd // w))
    return x.view(b, h // w, wd // w, w, w, -1).permute(0, 1, 3, 2, 4, 5).reshape(b, h, wd, -1)


def relative_position_index(w):
    i = torch.arange(w * w).view(-1, 1)
    j = torch.arange(w * w).view(1, -1)
    return (i // w - j // w + (w - 1)) * (2 * w - 1) + (i % w - j % w + (w - 1))


def shift_mask(r, w, s):
    h = torch.arange(r).view(-1, 1).expand(r, r)
    v = torch.arange(r).view(1, -1).expand(r, r)
    label = ((h >= r - w).int() + (h >= r - s).int()) * 3 + (v >= r - w).int() + (v >= r - s).int()
    windows = window_partition(label.float().view(1, r, r, 1), w).view(-1, w * w)
    return torch.where(windows.unsqueeze(2) != windows.unsqueeze(1), -100.0, 0.0)


def window_attention(x, p, name, heads, r, w, shift):
    b, _, c = x.shape
    n, nw = w * w, (r // w) ** 2
    grid = x.view(b, r, r, c)
    if shift:
        grid = torch.roll(grid, (-shift, -shift), (1, 2))
    t = linear(window_partition(grid, w), p, name + ".qkv").view(-1, n, 3, heads, c // heads).permute(2, 0, 3, 1, 4)
    bias = p[name + ".relative_position_bias_table"][relative_position_index(w)].permute(2, 0, 1)
    if shift:
        scores = ((t[0] * (1.0 / (c // heads) ** 0.5)) @ t[1].transpose(-2, -1)).view(b, nw, heads, n, n)
        scores = scores + bias.view(1, 1, heads, n, n) + shift_mask(r, w, shift).view(1, nw, 1, n, n)
        out = scores.softmax(-1).view(-1, heads, n, n) @ t[2]
    else:
        out = attention(t[0], t[1], t[2], bias)
    grid = window_reverse(linear(merge_heads(out), p, name + ".proj"), w, r, r)
    if shift:
        grid = torch.roll(grid, (shift, shift), (1, 2))
    return grid.reshape(b, r * r, c)


def mlp(x, p, name):
    return linear(F.gelu(linear(x, p, name + ".fc1")), p, name + ".fc2")


def image_block(x, p, name, heads, r, w, shift, text=None, mask=None):
    s = window_attention(ln(x, p, name + ".norm1"), p, name + ".attn", heads, r, w, shift)
    h = x + s
    if text is not None:
        c = x.shape[-1]
        q = split_heads(linear(ln(s, p, name + ".i2t.norm"), p, name + ".i2t.query"), heads)
        kv = linear(text, p, name + ".i2t.kv_text").view(text.shape[0], text.shape[1], 2, heads, c // heads).permute(2, 0, 3, 1, 4)
        h = h + p[name + ".alpha"] * linear(merge_heads(attention(q, kv[0], kv[1], padding_bias(mask))), p, name + ".i2t.proj")
    return h + mlp(ln(h, p, name + ".norm2"), p, name + ".mlp")


def patch_merging(x, p, name, r):
    b, _, c = x.shape
    h = r // 2
    t = x.view(b, h, 2, h, 2, c).permute(0, 1, 3, 4, 2, 5).reshape(b, h * h, 4 * c)
    return linear(ln(t, p, name + ".norm"), p, name + ".reduction")


def text_layer(h, mask, p, name, image=None, out_norm=True):
    heads = TEXT_HEADS
    q, k, v = (split_heads(linear(h, p, f"{name}.attention.self.{x}"), heads) for x in ("query", "key", "value"))
    s = linear(merge_heads(attention(q, k, v, padding_bias(mask))), p, name + ".attention.output.dense")
    a = h + s
    if image is not None:
        cq = split_heads(linear(s, p, name + ".crossattention.query"), heads)
        ck, cv = (split_heads(linear(image, p, f"{name}.crossattention.{x}"), heads) for x in ("key", "value"))
        a = a + p[name + ".alpha"] * linear(merge_heads(attention(cq, ck, cv, 0.0)), p, name + ".crossattention.output")
    a = ln(a, p, name + ".attention.output.LayerNorm")
    o = a + linear(F.gelu(linear(a, p, name + ".intermediate.dense")), p, name + ".output.dense")
    return ln(o, p, name + ".output.LayerNorm") if out_norm else o


M = "model"
FIRST_FUSED = sum(DEPTHS) - FUSE


def swin_steps(above):
    """The Swin blocks and downsamplings below the first fused block (above=False) or from it on
    (above=True), in order, each as (name, stage, resolution, window, shift), a downsampling's
    shift None: the walks of examples/fiber.fib's image_below_fusion and fused_layers."""
    g = 0
    for s, depth in enumerate(DEPTHS):
        r = IMG // PATCH // 2 ** s
        win = min(r, WINDOW)
        for blk in range(depth):
            if (g >= FIRST_FUSED) == above:
                yield f"{M}.image.layers.{s}.blocks.{blk}", s, r, win, WINDOW // 2 if blk % 2 == 1 and r > WINDOW else 0
            g += 1
        if s < len(DEPTHS) - 1 and (g > FIRST_FUSED) == above:
            yield f"{M}.image.layers.{s}.downsample", s, r, win, None


def image_below_fusion(pixels, p, embed=None):
    """The patch embedding and every Swin block before the first fused one, with the
    downsampling of each stage that ends there (examples/fiber.fib's image_below_fusion).
    `embed` (pixels -> [B, C, H/PATCH, W/PATCH]) replaces the patchify convolution, for
    experiments on the stem (bench/torch_attribute_probe.py --stem)."""
    x = embed(pixels) if embed else F.conv2d(pixels, p[M + ".image.patch_embed.proj.weight"], p[M + ".image.patch_embed.proj.bias"], stride=PATCH)
    x = x.flatten(2).transpose(1, 2)
    x = ln(x, p, M + ".image.patch_embed.norm")
    if M + ".image.absolute_pos_embed" in p:  # Swin's ape (FiberTiny's; a params file without it: ape off)
        x = x + p[M + ".image.absolute_pos_embed"]
    for name, s, r, win, shift in swin_steps(above=False):
        x = patch_merging(x, p, name, r) if shift is None else image_block(x, p, name, HEADS[s], r, win, shift)
    return x


def text_below_fusion(ids, mask, p):
    """The embeddings and the text layers before the first fused one."""
    e = M + ".text.embeddings"
    real = (ids != PAD).float()
    positions = (torch.cumsum(real, 1) * real).long() + PAD
    t = p[e + ".word_embeddings.weight"][ids.long()] + p[e + ".position_embeddings.weight"][positions] + p[e + ".token_type_embeddings.weight"][0]
    t = ln(t, p, e + ".LayerNorm")
    for i in range(TEXT_LAYERS - FUSE):
        t = text_layer(t, mask, p, f"{M}.text.layer.{i}")
    return t


def fused_layers(x, t, mask, p, record=None):
    """The fused pairs of layers from both towers' outputs below fusion: (image, text tokens).
    `record`, a list, receives each fused text layer's output in turn."""
    k = 0
    for name, s, r, win, shift in swin_steps(above=True):
        if shift is None:
            x = patch_merging(x, p, name, r)
            continue
        x_next = image_block(x, p, name, HEADS[s], r, win, shift, t, mask)
        t = text_layer(t, mask, p, f"{M}.text.layer.{TEXT_LAYERS - FUSE + k}", x, k < FUSE - 1)
        if record is not None:
            record.append(t)
        x, k = x_next, k + 1
    return x, t


def fiber_tiny(pixels, ids, mask, p, record=None):
    """FiberTiny's forward as examples/fiber.fib's Fiber: (image tokens, text tokens); `record`
    as fused_layers'."""
    return fused_layers(image_below_fusion(pixels, p), text_below_fusion(ids, mask, p), mask, p, record)


def contrastive_loss(pixels, ids, mask, p):
    image, text = fiber_tiny(pixels, ids, mask, p)
    sim = linear(image.mean(1), p, "image_proj") @ linear(text[:, 0], p, "text_proj").T
    labels = torch.arange(sim.shape[0])
    return 0.5 * (F.cross_entropy(sim / TEMPERATURE, labels) + F.cross_entropy(sim.T / TEMPERATURE, labels))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", nargs=2, metavar=("PARAMS", "INPUTS"))
    ap.add_argument("--params")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--steps", type=int, default=8)
    args = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    if args.check:
        p = {k: v.double() for k, v in read_safetensors(args.check[0]).items()}
        inp = read_safetensors(args.check[1])
        loss = contrastive_loss(inp["pixels"].double(), inp["ids"], inp["mask"].double(), p)
        print(json.dumps({"loss": loss.item()}))
        return
    p = {k: v.requires_grad_() for k, v in read_safetensors(args.params).items()}
    # fiberc's fiberParamGroups (src/train/optimizer.ts): 5x lr on cross-modal params and
    # heads, no weight decay on biases, norms, gates and relative-position tables.
    cross = re.compile(r"(\.i2t\.|\.t2i\.|\.crossattention\.|(^|\.)alpha$|cross_modal|(^|\.)(itm|mlm|vqa|itc)[._]|_head\.|_score\.|_classifier\.)")
    flat = re.compile(r"(\.bias$|norm\d*\.weight$|LayerNorm\.weight$|(^|\.)alpha$|relative_position_bias_table$)")
    groups = [{"params": [v for k, v in p.items() if bool(cross.search(k)) == c and bool(flat.search(k)) == f], "lr": 1e-4 * (5 if c else 1), "weight_decay": 0.0 if f else 0.01}
              for c in (False, True) for f in (False, True)]
    opt = torch.optim.AdamW([g for g in groups if g["params"]], betas=(0.9, 0.999), eps=1e-8)
    b = args.batch
    gen = torch.Generator().manual_seed(0)

    def step(t):
        pixels = torch.randn(b, 3, IMG, IMG, generator=gen)
        ids = (torch.arange(b * 16).view(b, 16) * 7 + t) % VOCAB
        loss = contrastive_loss(pixels, ids, torch.ones(b, 16), p)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    t0 = time.perf_counter()
    step(1)
    first_ms = (time.perf_counter() - t0) * 1000
    times = []
    for t in range(2, 2 + args.steps):
        s = time.perf_counter()
        step(t)
        times.append((time.perf_counter() - s) * 1000)
    median = sorted(times)[len(times) // 2]
    print(json.dumps({"peer": f"PyTorch {torch.__version__} eager, CPU, {torch.get_num_threads()} threads", "batch": b, "firstStepMs": first_ms, "medianMs": median}))


if __name__ == "__main__":
    main()
