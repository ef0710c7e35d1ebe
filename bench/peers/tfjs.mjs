// Peer benchmark: FIBER-B's fused layers (batch $B, default 1) in TensorFlow.js's WebGPU backend,
// on the same Dawn adapter fiberc uses. Counts dispatches by wrapping dispatchWorkgroups; times
// include reading the result back. Run: npm run bench:peers.
import { dispatches, sizes, awaitResult, yielding } from './dawn.mjs';
const tf = await import('@tensorflow/tfjs-core');
// The Node bundle has no chained ops (x.add(y)); add the few used here.
for (const op of ['add', 'sub', 'mul', 'div', 'reshape', 'transpose', 'sqrt']) tf.Tensor.prototype[op] = function (...a) { return tf[op](this, ...a); };
await import('@tensorflow/tfjs-backend-webgpu');
await tf.setBackend('webgpu');
await tf.ready();

const { B, R, C, H, W, S, T, DT, TH, FF } = sizes;
const N = W * W, NW = (R / W) ** 2, D = C / H, TD = DT / TH;
const rnd = (shape, scale = 0.02) => tf.randomUniform(shape, -scale, scale);
const ln = (x, g, b) => { const { mean, variance } = tf.moments(x, -1, true); return x.sub(mean).div(variance.add(1e-5).sqrt()).mul(g).add(b); };
const erf = (x) => tf.erf(x);
const gelu = (x) => x.mul(0.5).mul(erf(x.mul(0.7071067811865476)).add(1));
const lin = (x, w, b) => { const s = x.shape; return tf.matMul(x.reshape([-1, s[s.length - 1]]), w).add(b).reshape([...s.slice(0, -1), w.shape[1]]); };
const roll = (x, shift, axis) => { const n = x.shape[axis]; const k = ((shift % n) + n) % n; if (!k) return x; const [a, b] = tf.split(x, [n - k, k], axis); return tf.concat([b, a], axis); };
const softmax = (x) => tf.softmax(x);

function imageBlock(x, text, tmask, p, bias, mask) {
  const h = ln(x, p.n1g, p.n1b).reshape([B, R, R, C]);
  let g = roll(roll(h, -S, 1), -S, 2);
  g = g.reshape([B, R / W, W, R / W, W, C]).transpose([0, 1, 3, 2, 4, 5]).reshape([B * NW, N, C]);
  const qkv = lin(g, p.qkvw, p.qkvb).reshape([B * NW, N, 3, H, D]).transpose([2, 0, 3, 1, 4]);
  const [q, k, v] = tf.unstack(qkv, 0);
  const sc = tf.matMul(q.mul(1 / Math.sqrt(D)), k, false, true).reshape([B, NW, H, N, N]).add(bias.reshape([1, 1, H, N, N])).add(mask.reshape([1, NW, 1, N, N]));
  const o = tf.matMul(softmax(sc).reshape([B * NW, H, N, N]), v).transpose([0, 2, 1, 3]).reshape([B * NW, N, C]);
  let s = lin(o, p.projw, p.projb).reshape([B, R / W, R / W, W, W, C]).transpose([0, 1, 3, 2, 4, 5]).reshape([B, R, R, C]);
  s = roll(roll(s, S, 1), S, 2).reshape([B, R * R, C]);
  const qi = lin(ln(s, p.nig, p.nib), p.qiw, p.qib).reshape([B, R * R, H, D]).transpose([0, 2, 1, 3]).mul(1 / Math.sqrt(D));
  const [ki, vi] = tf.unstack(lin(text, p.kvw, p.kvb).reshape([B, T, 2, H, D]).transpose([2, 0, 3, 1, 4]), 0);
  const tb = tf.scalar(1).sub(tmask).mul(-10000).reshape([B, 1, 1, T]);
  const ci = tf.matMul(softmax(tf.matMul(qi, ki, false, true).add(tb)), vi).transpose([0, 2, 1, 3]).reshape([B, R * R, C]);
  const x1 = x.add(s).add(lin(ci, p.piw, p.pib).mul(p.alpha));
  return x1.add(lin(gelu(lin(ln(x1, p.n2g, p.n2b), p.f1w, p.f1b)), p.f2w, p.f2b));
}

function textLayer(h, tmask, img, p) {
  const tb = tf.scalar(1).sub(tmask).mul(-10000).reshape([B, 1, 1, T]);
  const heads = (x, len) => x.reshape([B, len, TH, TD]).transpose([0, 2, 1, 3]);
  const sa = tf.matMul(softmax(tf.matMul(heads(lin(h, p.qw, p.qb), T).mul(1 / Math.sqrt(TD)), heads(lin(h, p.kw, p.kb), T), false, true).add(tb)), heads(lin(h, p.vw, p.vb), T)).transpose([0, 2, 1, 3]).reshape([B, T, DT]);
  const s = lin(sa, p.ow, p.ob);
  const ca = tf.matMul(softmax(tf.matMul(heads(lin(s, p.cqw, p.cqb), T).mul(1 / Math.sqrt(TD)), heads(lin(img, p.ckw, p.ckb), R * R), false, true)), heads(lin(img, p.cvw, p.cvb), R * R)).transpose([0, 2, 1, 3]).reshape([B, T, DT]);
  const a = ln(h.add(s).add(lin(ca, p.cow, p.cob).mul(p.alpha)), p.lag, p.lab);
  return ln(a.add(lin(gelu(lin(a, p.iw, p.ib)), p.o2w, p.o2b)), p.log, p.lob);
}

const ip = { n1g: rnd([C], 1), n1b: rnd([C]), qkvw: rnd([C, 3 * C]), qkvb: rnd([3 * C]), projw: rnd([C, C]), projb: rnd([C]), nig: rnd([C], 1), nib: rnd([C]), qiw: rnd([C, C]), qib: rnd([C]), kvw: rnd([DT, 2 * C]), kvb: rnd([2 * C]), piw: rnd([C, C]), pib: rnd([C]), alpha: rnd([1], 0.5), n2g: rnd([C], 1), n2b: rnd([C]), f1w: rnd([C, 4 * C]), f1b: rnd([4 * C]), f2w: rnd([4 * C, C]), f2b: rnd([C]) };
const tp = {}; for (const [k, s] of Object.entries({ qw: [DT, DT], qb: [DT], kw: [DT, DT], kb: [DT], vw: [DT, DT], vb: [DT], ow: [DT, DT], ob: [DT], cqw: [DT, DT], cqb: [DT], ckw: [C, DT], ckb: [DT], cvw: [C, DT], cvb: [DT], cow: [DT, DT], cob: [DT], alpha: [1], lag: [DT], lab: [DT], iw: [DT, FF], ib: [FF], o2w: [FF, DT], o2b: [DT], log: [DT], lob: [DT] })) tp[k] = rnd(s, 0.02);
const x = rnd([B, R * R, C], 1), text = rnd([B, T, DT], 1), tmask = tf.ones([B, T]), bias = rnd([H, N, N], 1), mask = rnd([NW, N, N], 1), img = rnd([B, R * R, C], 1), h = rnd([B, T, DT], 1);
const time = async (name, run) => {
  let t0 = performance.now(); let out = tf.tidy(run); await out.data(); out.dispose(); const first = performance.now() - t0;
  const times = []; let d = 0;
  for (let i = 0; i < 5; i++) { const d0 = dispatches(); t0 = performance.now(); out = tf.tidy(run); await awaitResult(() => out.data()); out.dispose(); times.push(performance.now() - t0); d = dispatches() - d0; }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ peer: 'tfjs-webgpu', case: name, batch: B, firstMs: Math.round(first), medianMs: Number(times[2].toFixed(1)), dispatches: d, yielding }));
};
await time(`${sizes.label} ${sizes.image}`, () => imageBlock(x, text, tmask, ip, bias, mask));
await time(`${sizes.label} text layer`, () => textLayer(h, tmask, img, tp));
process.exit(0);
