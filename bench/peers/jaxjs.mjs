// Peer benchmark: FIBER-B's fused layers (batch $B, default 1) written in jax-js with jit, on
// the same Dawn adapter fiberc uses. Counts dispatches by wrapping dispatchWorkgroups; times
// include reading the result back. Run: npm run bench:peers  (B=8 npm run bench:peers for batch 8;
// SIZE=tiny for FiberTiny's layers, see sizes in dawn.mjs).
// Plain JS: it is glue around a third-party API, kept close to how a jax-js user writes it.
import { dispatches, sizes, awaitResult, yielding } from './dawn.mjs';
const { numpy: np, jit, init, defaultDevice, scipySpecial, nn } = await import('@jax-js/jax');
await init('webgpu');
defaultDevice('webgpu');

const { B, R, C, H, W, S, T, DT, TH, FF } = sizes;
const N = W * W, NW = (R / W) ** 2, D = C / H, TD = DT / TH;
const rnd = (shape, scale = 0.02) => np.array(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (Math.random() * 2 - 1) * scale)).reshape(shape);
const ln = (x, g, b) => {
  const mu = np.mean(x.ref, -1, { keepdims: true });
  const xc = x.sub(mu);
  const v = np.mean(xc.ref.mul(xc.ref), -1, { keepdims: true });
  return xc.div(np.sqrt(v.add(1e-5))).mul(g).add(b);
};
const gelu = (x) => x.ref.mul(0.5).mul(scipySpecial.erf(x.mul(0.7071067811865476)).add(1));
const lin = (x, w, b) => np.matmul(x, w).add(b);

// FIBER-B stage-3 image fusion block (FIBER.md 1.2), bias = rel-pos bias [H,N,N], mask = shift mask [NW,N,N].
function imageBlock(x, text, tmask, p, bias, mask) {
  const h = ln(x.ref, p.n1g, p.n1b).reshape([B, R, R, C]);
  let g = np.roll(h, [-S, -S], [1, 2]);
  g = g.reshape([B, R / W, W, R / W, W, C]).transpose([0, 1, 3, 2, 4, 5]).reshape([B * NW, N, C]);
  const qkv = lin(g, p.qkvw, p.qkvb).reshape([B * NW, N, 3, H, D]).transpose([2, 0, 3, 1, 4]);
  const q = qkv.ref.slice(0).mul(1 / Math.sqrt(D)), k = qkv.ref.slice(1), v = qkv.slice(2);
  let sc = np.matmul(q, k.transpose([0, 1, 3, 2])).reshape([B, NW, H, N, N]).add(bias.reshape([1, 1, H, N, N])).add(mask.reshape([1, NW, 1, N, N]));
  const o = np.matmul(nn.softmax(sc, -1).reshape([B * NW, H, N, N]), v).transpose([0, 2, 1, 3]).reshape([B * NW, N, C]);
  let s = lin(o, p.projw, p.projb).reshape([B, R / W, R / W, W, W, C]).transpose([0, 1, 3, 2, 4, 5]).reshape([B, R, R, C]);
  s = np.roll(s, [S, S], [1, 2]).reshape([B, R * R, C]);
  const qi = lin(ln(s.ref, p.nig, p.nib), p.qiw, p.qib).reshape([B, R * R, H, D]).transpose([0, 2, 1, 3]).mul(1 / Math.sqrt(D));
  const kv = lin(text, p.kvw, p.kvb).reshape([B, T, 2, H, D]).transpose([2, 0, 3, 1, 4]);
  const tb = tmask.mul(-1).add(1).mul(-10000).reshape([B, 1, 1, T]);
  const ci = np.matmul(nn.softmax(np.matmul(qi, kv.ref.slice(0).transpose([0, 1, 3, 2])).add(tb), -1), kv.slice(1)).transpose([0, 2, 1, 3]).reshape([B, R * R, C]);
  const c = lin(ci, p.piw, p.pib);
  const x1 = x.add(s).add(c.mul(p.alpha));
  return x1.ref.add(lin(gelu(lin(ln(x1, p.n2g, p.n2b), p.f1w, p.f1b)), p.f2w, p.f2b));
}

function textLayer(h, tmask, img, p) {
  const tb = tmask.mul(-1).add(1).mul(-10000).reshape([B, 1, 1, T]);
  const heads = (x, len) => x.reshape([B, len, TH, TD]).transpose([0, 2, 1, 3]);
  const q = heads(lin(h.ref, p.qw, p.qb), T).mul(1 / Math.sqrt(TD)), k = heads(lin(h.ref, p.kw, p.kb), T), v = heads(lin(h.ref, p.vw, p.vb), T);
  const sa = np.matmul(nn.softmax(np.matmul(q, k.transpose([0, 1, 3, 2])).add(tb), -1), v).transpose([0, 2, 1, 3]).reshape([B, T, DT]);
  const s = lin(sa, p.ow, p.ob);
  const q2 = heads(lin(s.ref, p.cqw, p.cqb), T).mul(1 / Math.sqrt(TD)), k2 = heads(lin(img.ref, p.ckw, p.ckb), R * R), v2 = heads(lin(img, p.cvw, p.cvb), R * R);
  const ca = np.matmul(nn.softmax(np.matmul(q2, k2.transpose([0, 1, 3, 2])), -1), v2).transpose([0, 2, 1, 3]).reshape([B, T, DT]);
  const c = lin(ca, p.cow, p.cob);
  const a = ln(h.add(s).add(c.mul(p.alpha)), p.lag, p.lab);
  return ln(a.ref.add(lin(gelu(lin(a, p.iw, p.ib)), p.o2w, p.o2b)), p.log, p.lob);
}

const ip = { n1g: rnd([C], 1), n1b: rnd([C]), qkvw: rnd([C, 3 * C]), qkvb: rnd([3 * C]), projw: rnd([C, C]), projb: rnd([C]), nig: rnd([C], 1), nib: rnd([C]), qiw: rnd([C, C]), qib: rnd([C]), kvw: rnd([DT, 2 * C]), kvb: rnd([2 * C]), piw: rnd([C, C]), pib: rnd([C]), alpha: rnd([1], 0.5), n2g: rnd([C], 1), n2b: rnd([C]), f1w: rnd([C, 4 * C]), f1b: rnd([4 * C]), f2w: rnd([4 * C, C]), f2b: rnd([C]) };
const tp = {}; for (const [k, s] of Object.entries({ qw: [DT, DT], qb: [DT], kw: [DT, DT], kb: [DT], vw: [DT, DT], vb: [DT], ow: [DT, DT], ob: [DT], cqw: [DT, DT], cqb: [DT], ckw: [C, DT], ckb: [DT], cvw: [C, DT], cvb: [DT], cow: [DT, DT], cob: [DT], alpha: [1], lag: [DT], lab: [DT], iw: [DT, FF], ib: [FF], o2w: [FF, DT], o2b: [DT], log: [DT], lob: [DT] })) tp[k] = rnd(s, 0.02);
const x = rnd([B, R * R, C], 1), text = rnd([B, T, DT], 1), tmask = np.ones([B, T]), bias = rnd([H, N, N], 1), mask = rnd([NW, N, N], 1), img = rnd([B, R * R, C], 1), h = rnd([B, T, DT], 1);
const fImg = jit(imageBlock), fTxt = jit(textLayer);
const time = async (name, run) => {
  let t0 = performance.now(); let out = run(); await out.data(); const first = performance.now() - t0;
  const times = []; let d = 0;
  for (let i = 0; i < 5; i++) { const d0 = dispatches(); t0 = performance.now(); out = run(); await awaitResult(() => out.data()); times.push(performance.now() - t0); d = dispatches() - d0; }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ peer: 'jax-js', case: name, batch: B, firstMs: Math.round(first), medianMs: Number(times[2].toFixed(1)), dispatches: d, yielding }));
};
const ref = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.ref]));
await time(`${sizes.label} ${sizes.image}`, () => fImg(x.ref, text.ref, tmask.ref, ref(ip), bias.ref, mask.ref));
await time(`${sizes.label} text layer`, () => fTxt(h.ref, tmask.ref, img.ref, ref(tp)));
process.exit(0);
