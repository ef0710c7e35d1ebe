import type { Graph } from '../ir/graph.js';
import { initParam } from '../ir/init.js';
import { formatType, sameShape } from '../ir/shape.js';
import type { HostTensor } from '../ir/tensor.js';
import { int32Problem } from './host-data.js';

/** Raised when the tensors given for a graph do not fit it; names every problem at once. */
export class FeedError extends Error {
  override readonly name = 'FeedError';
}

/**
 * The feeds for running `graph`: every input from `inputs`, every param from `params` or, if
 * absent there, from its declared initialiser (seeded by `seed`). Shapes and dtypes are
 * checked against the graph, and unknown names are reported, before anything runs.
 */
export function prepareFeeds(graph: Graph, inputs: ReadonlyMap<string, HostTensor>, params: ReadonlyMap<string, HostTensor>, seed: number): Map<string, HostTensor> {
  const feeds = new Map<string, HostTensor>();
  const problems: string[] = [];
  const check = (kind: string, name: string, expected: { shape: readonly number[]; dtype: string }, t: HostTensor): void => {
    const dtypeOk = t.dtype === expected.dtype || (t.dtype !== 'i32' && expected.dtype !== 'i32');
    if (!sameShape(t.shape, expected.shape) || !dtypeOk) {
      problems.push(`${kind} '${name}' should be ${formatType(expected.dtype as 'f32', expected.shape)} but the file has ${t.type}`);
    } else if (expected.dtype === 'i32') {
      const problem = int32Problem(kind, name, t);
      if (problem) problems.push(problem);
    }
  };
  for (const node of graph.inputs) {
    const name = (node.op as { name: string }).name;
    const t = inputs.get(name);
    if (!t) problems.push(`input '${name}' (${formatType(node.dtype, node.shape)}) is missing`);
    else {
      check('input', name, node, t);
      feeds.set(name, t);
    }
  }
  for (const node of graph.params) {
    const name = (node.op as { name: string }).name;
    const t = params.get(name);
    if (t) {
      check('param', name, node, t);
      feeds.set(name, t);
    } else feeds.set(name, initParam(node, seed));
  }
  const inputNames = new Set(graph.inputs.map((n) => (n.op as { name: string }).name));
  const paramNames = new Set(graph.params.map((n) => (n.op as { name: string }).name));
  for (const name of inputs.keys()) if (!inputNames.has(name)) problems.push(`the inputs file has '${name}', which is not an input of this entry (inputs: ${[...inputNames].join(', ')})`);
  for (const name of params.keys()) if (!paramNames.has(name)) problems.push(`the params file has '${name}', which is not a param of this entry`);
  if (problems.length > 0) throw new FeedError(problems.join('\n'));
  return feeds;
}

/** Names of the graph's params that `params` does not give (they would be initialised). */
export function missingParams(graph: Graph, params: ReadonlyMap<string, HostTensor>): string[] {
  return graph.params.map((p) => (p.op as { name: string }).name).filter((n) => !params.has(n));
}
