import type { Node } from '../ir/node.js';
import { numel } from '../ir/shape.js';
import type { ScalarType } from './kernel-ir.js';
import { computedWhole, type Draft } from './kernels.js';
import type { TargetLimits } from './limits.js';
import type { Dispatch, WorkgroupSlot } from './plan-types.js';

export type { WorkgroupSlot } from './plan-types.js';


/**
 * Pass `scope`: the memory scope of each intermediate. A tensor that an owner-phased dispatch
 * writes and that nothing outside the dispatch reads is private to each workgroup's owner
 * (stitching proved that no phase reads another owner's part), so it lives in the
 * workgroup's own memory — `var<workgroup>` in WGSL, `.shared` in PTX — instead of a global
 * scratch arena: on a GPU it stays on chip, and it needs no arena space. Tensors are taken in
 * phase order while they fit the device's workgroup storage (16 KiB under WebGPU's defaults);
 * the rest stay in global memory. Returns the dispatches with their workgroup arrays' sizes
 * and the slot of every workgroup-scope tensor.
 */
export function assignScopes(
  dispatches: readonly Dispatch[], draft: Draft, inputFree: ReadonlySet<Node>, limits: TargetLimits,
): { dispatches: Dispatch[]; slots: Map<number, WorkgroupSlot> } {
  const readers = new Map<number, Set<number>>();
  dispatches.forEach((d, i) => {
    for (const p of d.phases) for (const r of p.kernel.reads) readers.set(r.id, new Set([...(readers.get(r.id) ?? []), i]));
  });
  const slots = new Map<number, WorkgroupSlot>();
  const scoped = dispatches.map((d, i) => {
    if (d.owners === null) return d;
    const words: Record<ScalarType, number> = { f32: 0, i32: 0 };
    let bytes = 0;
    for (const p of d.phases) {
      const out = p.kernel.output;
      if (draft.get(out.id)?.kind !== 'intermediate' || [...(readers.get(out.id) ?? [])].some((r) => r !== i)) continue;
      const perOwner = !computedWhole(out, inputFree, draft);
      const length = perOwner ? numel(out.node.shape) / d.owners : numel(out.node.shape);
      if (bytes + length * 4 > limits.maxComputeWorkgroupStorageSize) continue;
      slots.set(out.id, { offset: words[out.type], length, perOwner });
      words[out.type] += length;
      bytes += length * 4;
    }
    return bytes > 0 ? { ...d, workgroupWords: words } : d;
  });
  return { dispatches: scoped, slots };
}
