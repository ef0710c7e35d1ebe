import { gradGraph } from '../ir/grad.js';
import type { Graph } from '../ir/graph.js';
import { formatType, numel, sameShape } from '../ir/shape.js';
import { HostTensor } from '../ir/tensor.js';
import { FeedError } from '../runtime/feeds.js';

/**
 * `fiberc run --grad [OUTPUT]`: the backward graph of `forward`, and in `inputs` (changed in
 * place) the seed gradient of every output — for the differentiated output the file's
 * `grad:OUTPUT` or, for a scalar output, 1; zeros for the others. Without OUTPUT the entry
 * must have a single output.
 */
export function withGradientSeeds(forward: Graph, inputs: Map<string, HostTensor>, grad: string | boolean): Graph {
  const names = forward.outputs.map((o) => o.name);
  const target = typeof grad === 'string' ? grad : names.length === 1 ? names[0]! : undefined;
  if (target === undefined) throw new FeedError(`--grad: the entry has several outputs (${names.join(', ')}); name the one to differentiate, --grad OUTPUT`);
  const output = forward.outputs.find((o) => o.name === target);
  if (!output) throw new FeedError(`--grad ${target}: the entry has no output '${target}' (outputs: ${names.join(', ')})`);
  for (const o of forward.outputs) {
    const key = `grad:${o.name}`;
    const given = inputs.get(key);
    if (o !== output) {
      if (given) throw new FeedError(`the inputs file has '${key}', but --grad differentiates '${target}'`);
      inputs.set(key, HostTensor.zeros(o.node.shape, o.node.dtype));
    } else if (given) {
      if (!sameShape(given.shape, o.node.shape)) throw new FeedError(`'${key}' should be ${formatType(o.node.dtype, o.node.shape)} like the output, but the file has ${given.type}`);
    } else if (numel(o.node.shape) === 1) {
      inputs.set(key, new HostTensor(o.node.shape, o.node.dtype, Float64Array.of(1)));
    } else {
      throw new FeedError(`--grad ${target}: the output is ${formatType(o.node.dtype, o.node.shape)}, not a scalar; put its seed gradient in the inputs file as '${key}'`);
    }
  }
  return gradGraph(forward);
}
