import { leafName } from '../ir/graph.js';
import { initParam } from '../ir/init.js';
import type { Node } from '../ir/node.js';
import type { HostTensor } from '../ir/tensor.js';

/**
 * How a training run draws the params it does not load from a checkpoint.
 *
 * `declared`: as the model declares them (FIBER's modules follow Hugging Face: normal(0.02)
 * for every weight, the `initializer_range` of models as wide as 768, which FIBER starts from
 * pre-trained weights anyway).
 *
 * `fan-in`: weight matrices and convolution kernels (params named `*.weight` of rank 2 or
 * more, word and position tables aside) drawn with std 1/sqrt(fan-in) instead. A model as
 * narrow as FiberTiny (hidden 32) trained from scratch needs it: at normal(0.02) its text
 * encoder's [CLS] output is the same for every caption to a cosine of 0.99999, and contrastive
 * training stays at chance for hundreds of steps (measured; spec/training.md).
 */
export type InitScheme = 'declared' | 'fan-in';

export const INIT_SCHEMES: readonly InitScheme[] = ['fan-in', 'declared'];

/** Whether `fan-in` redraws this param: a weight matrix or kernel with a normal init. */
export function drawnByFanIn(p: Node): boolean {
  const name = leafName(p);
  return p.op.kind === 'param' && p.op.init.kind === 'normal' && p.shape.length >= 2 && name.endsWith('.weight') && !/embeddings\./.test(name);
}

/** The initial value of a param under a scheme (the same draws, rescaled, for `fan-in`). */
export function initialParam(p: Node, seed: number, scheme: InitScheme): HostTensor {
  const t = initParam(p, seed);
  if (scheme === 'declared' || !drawnByFanIn(p) || p.op.kind !== 'param' || p.op.init.kind !== 'normal') return t;
  const { mean, std } = p.op.init;
  const fanIn = p.shape.slice(1).reduce((a, b) => a * b, 1);
  const factor = 1 / Math.sqrt(fanIn) / std;
  const data = t.data as Float64Array;
  for (let i = 0; i < data.length; i++) data[i] = mean + (data[i]! - mean) * factor;
  return t;
}
