import type { Graph } from '../ir/graph.js';
import type { Node } from '../ir/node.js';
import { independentOfInputs, placeInArenas } from './arenas.js';
import { findAttention, type AttentionMatch } from './attention.js';
import { computedWhole, lowerKernels } from './kernels.js';
import type { TargetLimits } from './limits.js';
import { decideMaterialization } from './materialize.js';
import { mergeIndependent } from './merge.js';
import type { Dispatch, FusionMode, Plan, PlanFeatures } from './plan-types.js';
import { assignScopes, type WorkgroupSlot } from './scope.js';
import { orderByLayer, single, stitch } from './stitch.js';

export type { Arena, Dispatch, FusionMode, Plan, PlanFeatures, PlannedKernel, PlannedTensor, TensorKind } from './plan-types.js';
export { dispatchName } from './plan-types.js';

/** The passes of planning, in order; `fiberc plan --dump-after=PASS` prints the state after one. */
export const PLAN_PASSES = ['decide', 'lower', 'order', 'stitch', 'merge', 'scope', 'place'] as const;
export type PlanPass = (typeof PLAN_PASSES)[number];

/** Called after each pass with a text rendering of its result (rendered only when asked). */
export type PassObserver = (pass: PlanPass, render: () => string) => void;

/**
 * Plans a graph for a target: the passes of PLAN_PASSES in order. Every decision that ends
 * a kernel or a dispatch carries its reason, which `fiberc plan` prints.
 */
export function planGraph(graph: Graph, mode: FusionMode, limits: TargetLimits, observe?: PassObserver, features: PlanFeatures = {}): Plan {
  const none = new Map<Node, AttentionMatch>();
  const { template: attention, deferred } = mode === 'fused' ? findAttention(graph, features.attention !== false) : { template: none, deferred: none };
  const reason = decideMaterialization(graph, mode, attention, deferred);
  observe?.('decide', () => [...reason].map(([n, why]) => `%${n.id} ${n.op.kind} ${n.scope}: ${why}`).join('\n'));
  const { kernels, draft } = lowerKernels(graph, reason, limits, attention, deferred);
  observe?.('lower', () => kernels.map((k) => `${k.kernel.name}: ${k.kernel.fused.length} ops, reads ${k.kernel.reads.length} tensors`).join('\n'));
  const ordered = mode === 'fused' ? orderByLayer(kernels, new Set(graph.outputs.map((o) => o.node))) : kernels;
  observe?.('order', () => ordered.map((k) => k.kernel.name).join('\n'));
  const inputFree = independentOfInputs(graph);
  const stitched = mode === 'fused' && features.stitch !== false ? stitch(graph, ordered, draft, inputFree, limits) : ordered.map(single);
  const describe = (ds: readonly Dispatch[]): string => ds.map((d, i) => `dispatch ${i}: ${d.phases.map((p) => p.kernel.name).join(', ')}${d.owners ? ` (owners ${d.owners})` : ''}${d.independent ? ' (independent)' : ''} -- ${d.reason}`).join('\n');
  observe?.('stitch', () => describe(stitched));
  const merged = mode === 'fused' && features.merge === true ? mergeIndependent(stitched, draft, inputFree, limits) : stitched;
  observe?.('merge', () => describe(merged));
  const scoped = features.workgroupMemory === false ? { dispatches: merged, slots: new Map<number, WorkgroupSlot>() } : assignScopes(merged, draft, inputFree, limits);
  const { slots } = scoped;
  const dispatches = scoped.dispatches.map((d) => {
    // A planner optimization like stitching: the unfused baseline runs every primitive every run.
    const paramOnly = mode === 'fused' && d.owners === null && d.phases.every((p) => computedWhole(p.kernel.output, inputFree, draft));
    return paramOnly ? { ...d, paramOnly } : d;
  });
  observe?.('scope', () => [...slots].map(([id, s]) => `t${id} workgroup memory +${s.offset}, ${s.length} elements${s.perOwner ? ' per owner' : ' (whole, per workgroup)'}`).join('\n'));
  const replicated = new Map<number, number>();
  for (const d of dispatches) {
    if (d.owners === null) continue;
    for (const p of d.phases) if (computedWhole(p.kernel.output, inputFree, draft)) replicated.set(p.kernel.output.id, d.owners);
  }
  const { tensors, arenas } = placeInArenas(draft, replicated, limits, slots, dispatches);
  observe?.('place', () => [
    ...arenas.map((a, i) => `arena${i}: ${a.role} ${a.type} ${a.length} elements`),
    ...[...tensors.values()].map((t) => `t${t.ref.id} ${t.kind} ${t.name} ${t.arena ? `arena${t.arena.index}+${t.arena.offset}` : 'own buffer'}${t.replicas > 1 ? ` x${t.replicas}` : ''}`),
  ].join('\n'));
  return { graph, mode, limits, tensors, kernels, arenas, dispatches };
}
