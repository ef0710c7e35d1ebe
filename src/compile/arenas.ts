import type { Graph } from '../ir/graph.js';
import type { Node } from '../ir/node.js';
import { formatType, numel } from '../ir/shape.js';
import type { ScalarType } from './kernel-ir.js';
import type { Draft } from './kernels.js';
import type { TargetLimits } from './limits.js';
import type { Arena, PlannedTensor } from './plan-types.js';
import type { WorkgroupSlot } from './scope.js';

const bytes = (n: number): string => (n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

/** Raised when a graph cannot be planned for a device at all (it names the tensor and the limit). */
export class PlanError extends Error {
  override readonly name = 'PlanError';
}

/** Nodes that depend on no graph input (only on params and constants). */
export function independentOfInputs(graph: Graph): Set<Node> {
  const dependent = new Set<Node>();
  for (const n of graph.nodes) if (n.op.kind === 'input' || n.inputs.some((i) => dependent.has(i))) dependent.add(n);
  return new Set(graph.nodes.filter((n) => !dependent.has(n)));
}

/**
 * Pass `place`: packs params, global intermediates and outputs into arenas (one binding each instead of one per tensor;
 * workgroup-scope tensors need none),
 * up to the device's largest storage binding; aligns each tensor to 16 bytes.
 */
export function placeInArenas(
  draft: Draft, replicated: ReadonlyMap<number, number>, limits: TargetLimits, workgroup: ReadonlyMap<number, WorkgroupSlot> = new Map(),
): { tensors: Map<number, PlannedTensor>; arenas: Arena[] } {
  const arenas: { role: Arena['role']; type: ScalarType; length: number }[] = [];
  const capacity = Math.floor(limits.maxStorageBufferBindingSize / 4);
  const tensors = new Map<number, PlannedTensor>();
  for (const { ref, kind, name } of draft.values()) {
    const replicas = replicated.get(ref.id) ?? 1;
    if (kind === 'input') {
      tensors.set(ref.id, { ref, kind, name, replicas });
      continue;
    }
    const slot = workgroup.get(ref.id);
    if (slot) {
      tensors.set(ref.id, { ref, kind, name, replicas, workgroup: slot });
      continue;
    }
    const role = kind === 'param' ? 'params' : kind === 'output' ? 'outputs' : 'scratch';
    const size = numel(ref.node.shape) * replicas;
    if (size > capacity) {
      throw new PlanError(`${kind} ${name || `t${ref.id}`} (${formatType(ref.node.dtype, ref.node.shape)}, ${bytes(size * 4)}) is larger than the device's largest storage binding (${bytes(capacity * 4)}); splitting such tensors is not supported yet`);
    }
    let a = arenas.findIndex((x) => x.role === role && x.type === ref.type && Math.ceil(x.length / 4) * 4 + size <= capacity);
    if (a < 0) {
      arenas.push({ role, type: ref.type, length: 0 });
      a = arenas.length - 1;
    }
    const offset = Math.ceil(arenas[a]!.length / 4) * 4;
    arenas[a]!.length = offset + size;
    tensors.set(ref.id, { ref, kind, name, replicas, arena: { index: a, offset } });
  }
  return { tensors, arenas };
}
