import { gradGraph } from './grad.js';
import type { Graph } from './graph.js';
import { interpret } from './interpret.js';
import { normalSampler, rng } from './init.js';
import { HostTensor } from './tensor.js';

/** One coordinate compared: autodiff against a central finite difference. */
export interface GradSample {
  readonly leaf: string;
  readonly index: number;
  readonly autodiff: number;
  readonly numeric: number;
}

/** Random normal tensor of a given shape (f32) — test and demo data. */
export function randomTensor(shape: readonly number[], seed: number, scale = 1): HostTensor {
  const sample = normalSampler(rng(seed));
  const n = shape.reduce((a, b) => a * b, 1);
  return new HostTensor(shape, 'f32', Float64Array.from({ length: n }, () => scale * sample()));
}

/**
 * Checks reverse-mode gradients of `graph` against central finite differences of the scalar
 * L = sum_o <w_o, out_o> with random weights w_o. For each float leaf in `leaves`, `perLeaf`
 * random coordinates are compared. Returns the samples; the caller decides the tolerance.
 */
export function gradientSamples(graph: Graph, feeds: ReadonlyMap<string, HostTensor>, leaves: readonly string[], perLeaf = 3, seed = 1, h = 1e-5): GradSample[] {
  const back = gradGraph(graph, leaves);
  const weights = new Map(graph.outputs.map((o, i) => [`grad:${o.name}`, randomTensor(o.node.shape, seed * 31 + i)]));
  const grads = interpret(back, new Map([...feeds, ...weights]));
  const loss = (f: ReadonlyMap<string, HostTensor>): number => {
    const outs = interpret(graph, f);
    let total = 0;
    for (const o of graph.outputs) {
      const w = weights.get(`grad:${o.name}`)!.data;
      const y = outs.get(o.name)!.data;
      for (let i = 0; i < y.length; i++) total += w[i]! * y[i]!;
    }
    return total;
  };
  const pick = rng(seed * 7 + 3);
  const samples: GradSample[] = [];
  for (const leaf of leaves) {
    const base = feeds.get(leaf);
    if (!base) throw new Error(`no feed for ${leaf}`);
    const g = grads.get(`grad:${leaf}`)!;
    for (let s = 0; s < Math.min(perLeaf, base.data.length); s++) {
      const index = Math.floor(pick() * base.data.length);
      const shifted = (delta: number): Map<string, HostTensor> => {
        const data = Float64Array.from(base.data);
        data[index] = data[index]! + delta;
        return new Map([...feeds, [leaf, new HostTensor(base.shape, base.dtype, data)]]);
      };
      const numeric = (loss(shifted(h)) - loss(shifted(-h))) / (2 * h);
      samples.push({ leaf, index, autodiff: g.data[index]!, numeric });
    }
  }
  return samples;
}

/** Relative error with an absolute floor, the usual gradient-check measure. */
export function relativeError(a: number, b: number, floor = 1e-6): number {
  return Math.abs(a - b) / Math.max(floor, Math.abs(a), Math.abs(b));
}
