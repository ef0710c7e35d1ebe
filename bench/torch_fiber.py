"""PyTorch eager reference for the fused FIBER-B layers (same shapes as fiberc's benchmarks).

FIBER-B stage-3 image fusion block (24x24 tokens, C 512, 16 heads, window 12, shift 6, 40 text
tokens of 768) and text fusion layer (40 tokens, 768, 12 heads, 576 image tokens of 512), batch
1 and 8, fp32. Times with CUDA events when a GPU is present, else wall clock on the CPU.
Prints one JSON object per case.
"""
import json
import time

import torch
import torch.nn.functional as F

dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
R, C, H, W, S, T, DT = 24, 512, 16, 12, 6, 40, 768
N, NW, D = W * W, (R // W) ** 2, C // H


def rnd(*shape, scale=0.02):
    return (torch.rand(*shape, device=dev) * 2 - 1) * scale


def image_block(x, text, tmask, p, bias, mask):
    B = x.shape[0]
    h = F.layer_norm(x, (C,), p["n1g"], p["n1b"]).view(B, R, R, C)
    g = torch.roll(h, (-S, -S), (1, 2)).view(B, R // W, W, R // W, W, C).permute(0, 1, 3, 2, 4, 5).reshape(B * NW, N, C)
    q, k, v = F.linear(g, p["qkvw"], p["qkvb"]).view(B * NW, N, 3, H, D).permute(2, 0, 3, 1, 4)
    sc = (q / D ** 0.5) @ k.transpose(-2, -1)
    sc = sc.view(B, NW, H, N, N) + bias.view(1, 1, H, N, N) + mask.view(1, NW, 1, N, N)
    o = (sc.softmax(-1).view(B * NW, H, N, N) @ v).transpose(1, 2).reshape(B * NW, N, C)
    s = F.linear(o, p["projw"], p["projb"]).view(B, R // W, R // W, W, W, C).permute(0, 1, 3, 2, 4, 5).reshape(B, R, R, C)
    s = torch.roll(s, (S, S), (1, 2)).reshape(B, R * R, C)
    qi = F.linear(F.layer_norm(s, (C,), p["nig"], p["nib"]), p["qiw"], p["qib"]).view(B, R * R, H, D).transpose(1, 2)
    ki, vi = F.linear(text, p["kvw"], p["kvb"]).view(B, T, 2, H, D).permute(2, 0, 3, 1, 4)
    tb = ((1 - tmask) * -10000.0).view(B, 1, 1, T)
    ci = (((qi / D ** 0.5) @ ki.transpose(-2, -1) + tb).softmax(-1) @ vi).transpose(1, 2).reshape(B, R * R, C)
    x1 = x + s + p["alpha"] * F.linear(ci, p["piw"], p["pib"])
    return x1 + F.linear(F.gelu(F.linear(F.layer_norm(x1, (C,), p["n2g"], p["n2b"]), p["f1w"], p["f1b"])), p["f2w"], p["f2b"])


def text_layer(h, tmask, img, p):
    B = h.shape[0]
    tb = ((1 - tmask) * -10000.0).view(B, 1, 1, T)
    heads = lambda t, n: t.view(B, n, 12, 64).transpose(1, 2)
    sa = ((heads(F.linear(h, p["qw"], p["qb"]), T) / 8) @ heads(F.linear(h, p["kw"], p["kb"]), T).transpose(-2, -1) + tb).softmax(-1)
    sa = (sa @ heads(F.linear(h, p["vw"], p["vb"]), T)).transpose(1, 2).reshape(B, T, DT)
    s = F.linear(sa, p["ow"], p["ob"])
    ca = ((heads(F.linear(s, p["cqw"], p["cqb"]), T) / 8) @ heads(F.linear(img, p["ckw"], p["ckb"]), R * R).transpose(-2, -1)).softmax(-1)
    ca = (ca @ heads(F.linear(img, p["cvw"], p["cvb"]), R * R)).transpose(1, 2).reshape(B, T, DT)
    a = F.layer_norm(h + s + p["alpha"] * F.linear(ca, p["cow"], p["cob"]), (DT,), p["lag"], p["lab"])
    return F.layer_norm(a + F.linear(F.gelu(F.linear(a, p["iw"], p["ib"])), p["o2w"], p["o2b"]), (DT,), p["log"], p["lob"])


def params(spec):
    return {k: rnd(*s, scale=1.0 if k.endswith("g") else 0.02) for k, s in spec.items()}


ip = params({"n1g": (C,), "n1b": (C,), "qkvw": (3 * C, C), "qkvb": (3 * C,), "projw": (C, C), "projb": (C,), "nig": (C,), "nib": (C,),
             "qiw": (C, C), "qib": (C,), "kvw": (2 * C, DT), "kvb": (2 * C,), "piw": (C, C), "pib": (C,), "alpha": (1,),
             "n2g": (C,), "n2b": (C,), "f1w": (4 * C, C), "f1b": (4 * C,), "f2w": (C, 4 * C), "f2b": (C,)})
tp = params({"qw": (DT, DT), "qb": (DT,), "kw": (DT, DT), "kb": (DT,), "vw": (DT, DT), "vb": (DT,), "ow": (DT, DT), "ob": (DT,),
             "cqw": (DT, DT), "cqb": (DT,), "ckw": (DT, C), "ckb": (DT,), "cvw": (DT, C), "cvb": (DT,), "cow": (DT, DT), "cob": (DT,),
             "alpha": (1,), "lag": (DT,), "lab": (DT,), "iw": (3072, DT), "ib": (3072,), "o2w": (DT, 3072), "o2b": (DT,), "log": (DT,), "lob": (DT,)})


def median_ms(fn, repeats=10):
    with torch.no_grad():
        fn()
        times = []
        for _ in range(repeats):
            if dev.type == "cuda":
                start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                start.record()
                fn()
                end.record()
                torch.cuda.synchronize()
                times.append(start.elapsed_time(end))
            else:
                t0 = time.perf_counter()
                fn()
                times.append((time.perf_counter() - t0) * 1000)
    return sorted(times)[len(times) // 2]


for B in (1, 8):
    x, text, tmask, img, h = rnd(B, R * R, C, scale=1), rnd(B, T, DT, scale=1), torch.ones(B, T, device=dev), rnd(B, R * R, C, scale=1), rnd(B, T, DT, scale=1)
    bias, mask = rnd(H, N, N, scale=1), rnd(NW, N, N, scale=1)
    print(json.dumps({"torch": "FIBER-B stage-3 image block", "device": str(dev), "batch": B, "medianMs": median_ms(lambda: image_block(x, text, tmask, ip, bias, mask))}))
    print(json.dumps({"torch": "FIBER-B text layer", "device": str(dev), "batch": B, "medianMs": median_ms(lambda: text_layer(h, tmask, img, tp))}))
