import type { Graph } from '../ir/graph.js';
import type { Node } from '../ir/node.js';
import { independentOfInputs, placeInArenas } from './arenas.js';
import { findAttention, type AttentionMatch } from './attention.js';
import type { Kernel, ScalarType, TensorRef } from './kernel-ir.js';
import { computedWhole, lowerKernels } from './kernels.js';
import type { TargetLimits } from './limits.js';
import { decideMaterialization } from './materialize.js';
import { assignScopes, type WorkgroupSlot } from './scope.js';
import { orderByLayer, single, stitch } from './stitch.js';

/** `fused`: the cost model decides; `unfused`: one kernel per primitive (reshapes are views). */
export type FusionMode = 'fused' | 'unfused';

export type TensorKind = 'input' | 'param' | 'intermediate' | 'output';

/** Where a tensor lives: its own buffer (inputs), or a slice of an arena (params, intermediates, outputs). */
export interface PlannedTensor {
  readonly ref: TensorRef;
  readonly kind: TensorKind;
  /** Input, param or output name. */
  readonly name: string;
  readonly arena?: { readonly index: number; readonly offset: number };
  /**
   * Copies of the tensor in its arena. A tensor that depends on no graph input (a gathered
   * relative-position bias, a shift mask) but is computed inside an owner-phased dispatch is
   * computed whole by every workgroup into that workgroup's own copy.
   */
  readonly replicas: number;
  /** Set for a tensor private to one owner-phased dispatch: it lives in workgroup memory (see scope.ts). */
  readonly workgroup?: WorkgroupSlot;
}

export interface PlannedKernel {
  readonly kernel: Kernel;
  readonly workgroupSize: number;
  readonly workgroups: readonly [number, number];
  /** Why this kernel's output is materialized instead of being fused into its consumer. */
  readonly reason: string;
}

export interface Arena {
  readonly role: 'params' | 'scratch' | 'outputs';
  readonly type: ScalarType;
  readonly length: number;
}

/**
 * One launch. With `owners` set, its phases run in one dispatch of one workgroup per owner
 * (a batch element): each workgroup computes its owner's part of every phase, with storage
 * and workgroup barriers between phases. That is legal because the planner proved, on the
 * index expressions, that every phase reads only its own owner's part of what earlier
 * phases of the same dispatch wrote. Without `owners` it is one plain kernel.
 */
export interface Dispatch {
  readonly phases: readonly PlannedKernel[];
  readonly owners: number | null;
  readonly workgroupSize: number;
  readonly workgroups: readonly [number, number];
  /** Why the dispatch ends where it does. */
  readonly reason: string;
  /** Elements of workgroup memory per workgroup, by type, for workgroup-scope tensors (pass `scope`). */
  readonly workgroupWords?: Readonly<Record<ScalarType, number>>;
  /**
   * Set when the dispatch computes an intermediate that depends on no graph input, only on
   * params and constants (a gathered relative-position bias, a shift mask): a runtime may run
   * it once per parameter upload instead of every run.
   */
  readonly paramOnly?: boolean;
}

/**
 * The name a dispatch's code goes by (its PTX entry, its kernel in reports): its kernel's
 * name, or for several phases the first kernel's name and the last one's number
 * (`k0_div_norm1__k22`).
 */
export function dispatchName(d: Dispatch): string {
  const first = d.phases[0]!.kernel.name;
  return d.phases.length === 1 ? first : `${first}__${d.phases[d.phases.length - 1]!.kernel.name.split('_')[0]}`;
}

export interface Plan {
  readonly graph: Graph;
  readonly mode: FusionMode;
  readonly limits: TargetLimits;
  readonly tensors: ReadonlyMap<number, PlannedTensor>;
  readonly kernels: readonly PlannedKernel[];
  /** Arenas: packed parameters (uploaded), scratch for intermediates, outputs (read back); element type and length. */
  readonly arenas: readonly Arena[];
  /** The launches of one run, in order; each runs one or more kernels as phases. */
  readonly dispatches: readonly Dispatch[];
}
/** What a target can lower: the attention template and owner-phased dispatches (WGSL and PTX both do). */
export interface PlanFeatures {
  readonly attention?: boolean;
  readonly stitch?: boolean;
  /** Workgroup-scope tensors in owner-phased dispatches (pass `scope`). */
  readonly workgroupMemory?: boolean;
}

/** The passes of planning, in order; `fiberc plan --dump-after=PASS` prints the state after one. */
export const PLAN_PASSES = ['decide', 'lower', 'order', 'stitch', 'scope', 'place'] as const;
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
  observe?.('stitch', () => stitched.map((d, i) => `dispatch ${i}: ${d.phases.map((p) => p.kernel.name).join(', ')}${d.owners ? ` (owners ${d.owners})` : ''} -- ${d.reason}`).join('\n'));
  const scoped = features.workgroupMemory === false ? { dispatches: stitched, slots: new Map<number, WorkgroupSlot>() } : assignScopes(stitched, draft, inputFree, limits);
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
  const { tensors, arenas } = placeInArenas(draft, replicated, limits, slots);
  observe?.('place', () => [
    ...arenas.map((a, i) => `arena${i}: ${a.role} ${a.type} ${a.length} elements`),
    ...[...tensors.values()].map((t) => `t${t.ref.id} ${t.kind} ${t.name} ${t.arena ? `arena${t.arena.index}+${t.arena.offset}` : 'own buffer'}${t.replicas > 1 ? ` x${t.replicas}` : ''}`),
  ].join('\n'));
  return { graph, mode, limits, tensors, kernels, arenas, dispatches };
}
