"""What FiberTiny's fused path passes to its heads, for a fiberc checkpoint (spec/training.md,
"What the heads read"):

    python3 bench/torch_fused_probe.py CKPT DIR/vqa-val.safetensors [--n 200]

on the first N questions of a peer-data VQA file (`node dist/bench/peer-data.js DIR --vqa N`):
- the image pooler's pre-activations (cross_modal_image_pooler.dense before its tanh), with the
  fused image tokens as FIBER's coarse code passes them (no norm) and through Swin's final norm
  (fiber_pretrain.fib's fused_cls): the mean of |x| and the share with |x| > 2, where tanh is
  flat (gradient below 0.07) and the pooled feature a sign;
- the text pooler's the same way;
- for each fused text layer, how much of its residual sum the gated cross-attention is: the mean
  norm of alpha * CrossAttn(s, image) per real token against that of h + s, the attention's mean
  largest probability, and alpha.
Prints one JSON object.
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_fiber_tiny_step as tiny  # noqa: E402
from torch_fiber_pretrain import load_params  # noqa: E402
from torch_fiber_tiny_step import linear, ln, merge_heads, split_heads  # noqa: E402


def pre_activation_stats(x):
    return {"mean_abs": round(x.abs().mean().item(), 2), "share_beyond_2": round((x.abs() > 2).float().mean().item(), 3)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ckpt")
    ap.add_argument("questions")
    ap.add_argument("--n", type=int, default=200)
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("THREADS", os.cpu_count() or 1)))
    p, _, _ = load_params(args.ckpt)
    d = tiny.read_safetensors(args.questions)
    n = min(args.n, d["ids"].shape[0])
    pixels, ids, mask = d["pixels"][d["image"][:n].long()], d["ids"][:n], d["mask"][:n]

    layers = []
    plain_text_layer = tiny.text_layer

    def observed_text_layer(h, mask, p, name, image=None, out_norm=True):
        if image is not None:
            q, k, v = (split_heads(linear(h, p, f"{name}.attention.self.{x}"), tiny.TEXT_HEADS) for x in ("query", "key", "value"))
            s = linear(merge_heads(tiny.attention(q, k, v, tiny.padding_bias(mask))), p, name + ".attention.output.dense")
            cq = split_heads(linear(s, p, name + ".crossattention.query"), tiny.TEXT_HEADS)
            ck, cv = (split_heads(linear(image, p, f"{name}.crossattention.{x}"), tiny.TEXT_HEADS) for x in ("key", "value"))
            probs = (cq @ ck.transpose(-1, -2) / cq.shape[-1] ** 0.5).softmax(-1)
            gated = p[name + ".alpha"] * linear(merge_heads(probs @ cv), p, name + ".crossattention.output")
            real = mask.bool()
            layers.append({
                "layer": name, "image_tokens": image.shape[1], "alpha": round(p[name + ".alpha"].item(), 3),
                "gated_cross_attention_norm": round(gated.norm(dim=-1)[real].mean().item(), 2),
                "residual_norm": round((h + s).norm(dim=-1)[real].mean().item(), 2),
                "mean_largest_probability": round(probs.max(-1).values.transpose(1, 2)[real].mean().item(), 2),
            })
        return plain_text_layer(h, mask, p, name, image, out_norm)

    tiny.text_layer = observed_text_layer
    with torch.no_grad():
        image, text = tiny.fiber_tiny(pixels, ids, mask, p)
        pooled = lambda tokens: linear(linear(tokens, p, "cross_modal_image_transform").mean(1), p, "cross_modal_image_pooler.dense")
        out = {
            "fused_image_tokens": {"mean_abs": round(image.abs().mean().item(), 2), "std": round(image.std().item(), 2)},
            "image_pooler_without_norm": pre_activation_stats(pooled(image)),
            "image_pooler_with_norm": pre_activation_stats(pooled(ln(image, p, tiny.M + ".image.norm"))),
            "text_pooler": pre_activation_stats(linear(linear(text, p, "cross_modal_text_transform")[:, 0], p, "cross_modal_text_pooler.dense")),
            "text_cross_attention": layers,
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
