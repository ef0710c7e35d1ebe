import type { Graph } from '../ir/graph.js';
import type { Node } from '../ir/node.js';
import { formatType, numel } from '../ir/shape.js';
import type { ScalarType } from './kernel-ir.js';
import type { Draft } from './kernels.js';
import type { TargetLimits } from './limits.js';
import { lifetimes, packByLifetime, type Lifetime } from './liveness.js';
import type { Arena, Dispatch, PlannedTensor } from './plan-types.js';
import type { WorkgroupSlot } from './scope.js';

const bytes = (n: number): string => (n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

/** Raised when a graph cannot be planned for a device at all (it names the tensor and the limit). */
export class PlanError extends Error {
  override readonly name = 'PlanError';
}

/** Elements of one storage binding: the device's largest, in whole vec4s. */
export function bindingCapacity(limits: TargetLimits): number {
  return Math.floor(limits.maxStorageBufferBindingSize / 16) * 4;
}

/** Bindings a tensor of `size` elements needs (more than one: a split param, see placeInArenas). */
export function bindingsFor(size: number, limits: TargetLimits): number {
  return Math.max(1, Math.ceil(size / bindingCapacity(limits)));
}

/** Nodes that depend on no graph input (only on params and constants). */
export function independentOfInputs(graph: Graph): Set<Node> {
  const dependent = new Set<Node>();
  for (const n of graph.nodes) if (n.op.kind === 'input' || n.inputs.some((i) => dependent.has(i))) dependent.add(n);
  return new Set(graph.nodes.filter((n) => !dependent.has(n)));
}

/**
 * Pass `place`: packs params, global intermediates and outputs into arenas (one binding each
 * instead of one per tensor; workgroup-scope tensors need none), up to the device's largest
 * storage binding; aligns each tensor to 16 bytes. Given the dispatches, intermediates share
 * memory by liveness (see packByLifetime): FIBER-B's forward at batch 1 needs 705 MiB of
 * scratch without it.
 */
export function placeInArenas(
  draft: Draft, replicated: ReadonlyMap<number, number>, limits: TargetLimits, workgroup: ReadonlyMap<number, WorkgroupSlot> = new Map(),
  dispatches?: readonly Dispatch[],
): { tensors: Map<number, PlannedTensor>; arenas: Arena[] } {
  const arenas: { role: Arena['role']; type: ScalarType; length: number }[] = [];
  const capacity = bindingCapacity(limits);
  const tensors = new Map<number, PlannedTensor>();
  const lives = dispatches ? lifetimes(dispatches) : undefined;
  const reusable: { id: number; size: number; life: Lifetime; tensor: PlannedTensor }[] = [];
  for (const { ref, kind, name } of draft.values()) {
    const replicas = replicated.get(ref.id) ?? 1;
    if (kind === 'input') {
      if (numel(ref.node.shape) > capacity) throw new PlanError(`input ${name} (${formatType(ref.node.dtype, ref.node.shape)}, ${bytes(numel(ref.node.shape) * 4)}) is larger than the device's largest storage binding (${bytes(capacity * 4)})`);
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
      if (kind !== 'param') {
        throw new PlanError(`${kind} ${name || `t${ref.id}`} (${formatType(ref.node.dtype, ref.node.shape)}, ${bytes(size * 4)}) is larger than the device's largest storage binding (${bytes(capacity * 4)}); only params (read-only) are split over several bindings`);
      }
      const parts: number[] = [];
      for (let at = 0; at < size; at += capacity) {
        arenas.push({ role, type: ref.type, length: Math.min(capacity, size - at) });
        parts.push(arenas.length - 1);
      }
      tensors.set(ref.id, { ref, kind, name, replicas, arena: { index: parts[0]!, offset: 0 }, split: { arenas: parts, part: capacity } });
      continue;
    }
    const life = lives?.get(ref.id);
    if (role === 'scratch' && life) {
      reusable.push({ id: ref.id, size, life, tensor: { ref, kind, name, replicas } });
      continue;
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
  // Scratch by liveness, per element type: intermediates share memory once they are dead.
  for (const type of ['f32', 'i32'] as const) {
    const ofType = reusable.filter((t) => t.tensor.ref.type === type);
    if (ofType.length === 0) continue;
    const { placed, lengths } = packByLifetime(ofType, capacity);
    const first = arenas.length;
    for (const length of lengths) arenas.push({ role: 'scratch', type, length });
    for (const t of ofType) {
      const at = placed.get(t.id)!;
      tensors.set(t.id, { ...t.tensor, arena: { index: first + at.arena, offset: at.offset } });
    }
  }
  return { tensors, arenas };
}
