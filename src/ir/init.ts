import type { Node } from './node.js';
import { numel } from './shape.js';
import { HostTensor } from './tensor.js';

/** FNV-1a hash of a string, to derive a per-parameter seed from its name. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small, fast, seedable PRNG returning floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples by Box-Muller. */
export function normalSampler(random: () => number): () => number {
  return () => {
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

/**
 * The initial value of a param node from its declared initialiser. The stream is seeded by
 * the run's seed and the param's name, so a param's value does not depend on which other
 * params exist or in what order they were declared.
 */
export function initParam(node: Node, seed: number): HostTensor {
  if (node.op.kind !== 'param') throw new Error(`initParam needs a param node, got ${node.op.kind}`);
  const data = new Float64Array(numel(node.shape));
  const init = node.op.init;
  if (init.kind === 'constant') data.fill(init.value);
  else {
    const sample = normalSampler(rng((seed * 0x9e3779b1) ^ hashName(node.op.name)));
    for (let i = 0; i < data.length; i++) data[i] = init.mean + init.std * sample();
  }
  return new HostTensor(node.shape, node.dtype, data);
}
