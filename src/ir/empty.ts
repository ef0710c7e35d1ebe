import { GraphBuilder } from './builder.js';
import { Graph, topoOrder } from './graph.js';
import { Node } from './node.js';
import { numel } from './shape.js';
import { HostTensor } from './tensor.js';

/**
 * Tensors with a dim of size 0 (a batch of 0, `x @ zeros([6, 0])`). The interpreter handles
 * them element by element; a kernel cannot (its grid and index arithmetic divide by the
 * dims). So before a graph reaches a compiler back end, every empty tensor is taken out:
 * a node whose result is empty is not computed (its value is known: nothing), and a
 * non-empty node that reads an empty one has a closed form — a matmul over k = 0 and a sum
 * over an empty axis are 0, a gather from an empty table and a scatter of no rows read 0, a
 * pad of an empty tensor is all padding, a concat drops its empty parts. What remains has
 * no empty tensor, and equals the interpreter on the original graph.
 */
export interface EmptyFree {
  /** The graph without empty tensors; its outputs are the original non-empty ones. */
  readonly graph: Graph;
  /** The outputs that are empty, as host tensors (no device work). */
  readonly empty: ReadonlyMap<string, HostTensor>;
}

const cache = new WeakMap<Graph, EmptyFree>();

/** The graph with its empty tensors taken out (cached per graph; `graph` itself if it has none). */
export function withoutEmptyTensors(graph: Graph): EmptyFree {
  const hit = cache.get(graph);
  if (hit) return hit;
  const result = rewrite(graph);
  cache.set(graph, result);
  return result;
}

function rewrite(graph: Graph): EmptyFree {
  const isEmpty = (n: Node): boolean => numel(n.shape) === 0;
  if (!graph.nodes.some(isEmpty) && !graph.inputs.some(isEmpty) && !graph.params.some(isEmpty)) return { graph, empty: new Map() };
  const b = new GraphBuilder();
  const mapped = new Map<Node, Node>();
  for (const node of topoOrder(graph.outputs.map((o) => o.node))) {
    if (isEmpty(node) || !node.inputs.some(isEmpty)) {
      const inputs = node.inputs.map((i) => mapped.get(i) ?? i);
      const same = inputs.every((i, k) => i === node.inputs[k]);
      mapped.set(node, same ? node : new Node(node.op, inputs, node.shape, node.dtype, node.scope, node.module, node.loc));
      continue;
    }
    b.origin = { scope: node.scope, module: node.module, ...(node.loc ? { loc: node.loc } : {}) };
    const zero = (): Node => b.constant(0, node.shape, node.dtype);
    switch (node.op.kind) {
      case 'concat': {
        const parts = node.inputs.filter((i) => !isEmpty(i)).map((i) => mapped.get(i)!);
        mapped.set(node, parts.length === 1 ? parts[0]! : b.concat(parts, node.op.axis));
        break;
      }
      case 'matmul': case 'reduce': case 'gather': case 'scatter_add': case 'pad':
        // reduce: only sums reach here (the builder refuses a max over an empty axis).
        mapped.set(node, zero());
        break;
      default:
        throw new Error(`internal: ${node.op.kind} of shape [${node.shape.join(',')}] reads an empty tensor`);
    }
  }
  const keep = graph.outputs.filter((o) => !isEmpty(o.node));
  const empty = new Map(graph.outputs.filter((o) => isEmpty(o.node)).map((o) => [o.name, HostTensor.zeros(o.node.shape, o.node.dtype)]));
  // Empty leaves are dropped: nothing reads them any more, and a zero-size buffer is an error on some devices.
  const leaves = (nodes: readonly Node[]): Node[] => nodes.filter((n) => !isEmpty(n));
  const rewritten = new Graph(leaves(graph.inputs), leaves(graph.params), keep.map((o) => ({ name: o.name, node: mapped.get(o.node)! })), graph.bindings, graph.schedules, graph.batch);
  return { graph: rewritten, empty };
}
