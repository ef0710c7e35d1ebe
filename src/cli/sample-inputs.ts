import type { Graph } from '../ir/graph.js';
import { leafName } from '../ir/graph.js';
import { randomTensor } from '../ir/gradcheck.js';
import { rng } from '../ir/init.js';
import type { Node } from '../ir/node.js';
import { numel } from '../ir/shape.js';
import { HostTensor } from '../ir/tensor.js';

/**
 * Inputs that exercise an entry the way real data would: float tensors normal(0, 1); i32
 * tensors as ids inside every table they index (a `gather` reached through reshapes and
 * broadcasts), so no row reads as zeros by accident; inputs named `mask`/`text_mask` [B, T]
 * as padding masks whose odd samples have their last three tokens padded. `zeros` gives all
 * zeros instead (masks all ones, so nothing is padded).
 */
export function sampleInputs(graph: Graph, seed: number, kind: 'random' | 'zeros' = 'random'): Map<string, HostTensor> {
  const rows = idRanges(graph);
  const out = new Map<string, HostTensor>();
  graph.inputs.forEach((node, i) => {
    const name = leafName(node);
    const n = numel(node.shape);
    if (isMask(name, node)) {
      const t = node.shape[1]!;
      const pad = (k: number): boolean => kind === 'random' && Math.floor(k / t) % 2 === 1 && k % t >= t - 3;
      out.set(name, new HostTensor(node.shape, node.dtype, Float64Array.from({ length: n }, (_, k) => (pad(k) ? 0 : 1))));
    } else if (node.dtype === 'i32') {
      const random = rng(seed * 31 + i);
      const limit = rows.get(node) ?? 2;
      out.set(name, new HostTensor(node.shape, 'i32', Float64Array.from({ length: n }, () => (kind === 'zeros' ? 0 : Math.floor(random() * limit)))));
    } else {
      out.set(name, kind === 'zeros' ? HostTensor.zeros(node.shape, node.dtype) : new HostTensor(node.shape, node.dtype, randomTensor(node.shape, seed + i).data));
    }
  });
  return out;
}

function isMask(name: string, node: Node): boolean {
  return (name === 'mask' || name.endsWith('_mask')) && node.dtype !== 'i32' && node.shape.length === 2;
}

/** For each i32 input that indexes tables, the fewest rows among those tables. */
function idRanges(graph: Graph): Map<Node, number> {
  const ranges = new Map<Node, number>();
  for (const node of graph.nodes) {
    if (node.op.kind !== 'gather') continue;
    let idx = node.inputs[1]!;
    while ((idx.op.kind === 'reshape' || idx.op.kind === 'broadcast' || idx.op.kind === 'permute') && idx.inputs[0]) idx = idx.inputs[0];
    if (idx.op.kind !== 'input') continue;
    const rows = node.inputs[0]!.shape[0]!;
    ranges.set(idx, Math.min(rows, ranges.get(idx) ?? rows));
  }
  return ranges;
}
