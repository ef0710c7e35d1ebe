import type { Graph } from '../ir/graph.js';
import type { Kernel, ScalarType, TensorRef } from './kernel-ir.js';
import type { TargetLimits } from './limits.js';

/**
 * The types of a fusion plan, apart from the passes that build it (plan.ts), so that the
 * passes can name them without importing each other in a cycle.
 */

/**
 * The scope of nodes that work per parameter, not per batch element (a training step's
 * optimizer update): the planner does not owner-phase them (there is no batch to split) and
 * leaves them to pass `merge`.
 */
export const PER_PARAM_SCOPE = 'update';

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
   * A param larger than the device's largest storage binding, split over arenas of its own:
   * elements [j * part, (j + 1) * part) are in arena `arenas[j]` from offset 0 (`arena` is the
   * first part). WGSL reads it through a function that picks the part; nothing writes it.
   */
  readonly split?: { readonly arenas: readonly number[]; readonly part: number };
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
  /**
   * Set when the phases do not depend on each other (pass `merge`): every invocation runs
   * each phase as a loop striding over that phase's elements, with no barriers.
   */
  readonly independent?: boolean;
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

/**
 * What running a compiled graph needs of its plan: where each tensor lives and which
 * dispatches depend only on params. A Plan is one; so is a plan read back from the executable
 * cache, which keeps no kernel IR (see driver/executable-cache.ts).
 */
export interface RuntimePlan {
  readonly graph: Pick<Graph, 'outputs'>;
  readonly tensors: ReadonlyMap<number, PlannedTensor>;
  readonly arenas: readonly Arena[];
  readonly dispatches: readonly { readonly paramOnly?: boolean }[];
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
  /** Independent plain dispatches merged into one (pass `merge`; off unless asked for). */
  readonly merge?: boolean;
}

/** Where a workgroup-scope tensor lives in its dispatch's workgroup memory. */
export interface WorkgroupSlot {
  /** Offset, in elements, into the dispatch's workgroup array of the tensor's type. */
  readonly offset: number;
  /**
   * Elements per workgroup: the owner's part of the tensor, or all of it when every
   * workgroup computes the whole tensor (a replicated, input-independent tensor).
   */
  readonly length: number;
  /** True when the slot holds only the owner's part (loads subtract `owner * length`). */
  readonly perOwner: boolean;
}
