import type { Kernel, Scalar } from './kernel-ir.js';
import { workItems } from './kernel-ir.js';
import { numel } from '../ir/shape.js';
import type { Dispatch, Plan } from './plan-types.js';
import { findMatmulTile, type MatmulTile } from './tile.js';
import { ownerBandView } from './owner-band.js';
import { chooseTile, MMA_WARPS, ownerPhaseSubgroup, ptxRegisterTile, PTX_REGISTER_TILE, PTX_REGISTER_TILE_THREADS, tensorCoreTile, tensorCoreTiles, tileGrid } from './tile-choice.js';
import { pointwiseVector, vectorReductions, VECTOR_WIDTH, type PointwiseVector, type VectorReduction } from './vector-choice.js';
import { dispatchBindings, type Binding } from './bindings.js';

/**
 * Pass `schedule`: how each dispatch of a plan is computed on one target — the tuning choices
 * (register tile and its shape, subgroup sharing, four-wide vectors, tensor cores), the
 * launch geometry and the binding table — decided once here and recorded on the dispatch, so
 * that `fiberc plan` reports exactly what launches and the renderers (codegen/) write what is
 * decided instead of deciding on their own.
 */

/** Operand precision of matmul kernels on PTX targets: f32 keeps the CUDA-core path. */
export type MatmulPrecision = 'f32' | 'f16' | 'bf16';
export const MATMUL_PRECISIONS: readonly MatmulPrecision[] = ['f32', 'f16', 'bf16'];

/** The target a plan is scheduled for. */
export type ScheduleTarget = { readonly kind: 'wgsl' } | { readonly kind: 'ptx'; readonly matmul: MatmulPrecision };

/** How one dispatch computes its outputs. */
export type Strategy =
  /** One output element per invocation (thread). */
  | { readonly kind: 'elementwise' }
  /** WGSL: four consecutive output elements per invocation, as a vec4. */
  | { readonly kind: 'vec4'; readonly vector: PointwiseVector }
  /** A TM x TN tile of a matmul's output per invocation; WGSL may share its rows across a subgroup. */
  | { readonly kind: 'register-tile'; readonly tile: MatmulTile; readonly subgroup?: number }
  /** PTX: one 16x8 output tile per warp by mma.sync with f16/bf16 operands. */
  | { readonly kind: 'tensor-core'; readonly tile: MatmulTile; readonly precision: Exclude<MatmulPrecision, 'f32'> }
  /** The online-softmax attention template: one query row per invocation. */
  | { readonly kind: 'attention' }
  /** One workgroup (block) per owner runs every phase, barriers between them. */
  | { readonly kind: 'owner-phased' }
  /** WGSL: independent kernels, each a loop striding over its elements (pass merge). */
  | { readonly kind: 'independent' };

/** What the schedule decided for one dispatch. */
export interface DispatchSchedule {
  readonly strategy: Strategy;
  /** Invocations per workgroup (threads per block). */
  readonly threads: number;
  /** Workgroups (blocks) in x and y. */
  readonly grid: readonly [number, number];
  /**
   * What the grid's invocations number, one each: output elements, groups of four, tiles
   * (warps' tiles for tensor cores); for owner-phased and independent dispatches the threads
   * of all workgroups.
   */
  readonly items: number;
  /** WGSL: reductions computed four steps of their loop at a time, with their vec4 runs. */
  readonly vectorReductions: ReadonlyMap<Scalar, VectorReduction>;
  /**
   * WGSL owner-phased dispatches: per phase, the register tile each invocation computes of
   * the phase's output, where the phase is a matmul (see ownerPhaseTile); else undefined.
   */
  readonly phaseTiles?: readonly (MatmulTile | undefined)[];
  /**
   * WGSL owner-phased dispatches: per phase, the kernel its tile was found on when that is a
   * view of the phase's kernel (its rows split into the owners' bands, compile/owner-band.ts),
   * which the emitter then writes instead; else undefined.
   */
  readonly phaseViews?: readonly (Kernel | undefined)[];
  /**
   * WGSL owner-phased dispatches: per tiled phase, the subgroup size its tile shares rows
   * across (tile-choice.ts, ownerPhaseSubgroup); else undefined.
   */
  readonly phaseSubgroups?: readonly (number | undefined)[];
  /** Every buffer the dispatch binds, in binding (WGSL) and parameter (PTX) order. */
  readonly bindings: readonly Binding[];
}

/** A dispatch with its schedule. */
export type ScheduledDispatch = Dispatch & { readonly schedule: DispatchSchedule };

/** A plan whose every dispatch is scheduled for `target`. */
export interface ScheduledPlan extends Plan {
  readonly target: ScheduleTarget;
  readonly dispatches: readonly ScheduledDispatch[];
}

/** The value a schedule of `target` sets for `name` on the module that produced the kernel's output, if any. */
function moduleSetting(plan: Plan, target: ScheduleTarget['kind'], k: Kernel, name: string): unknown {
  const module = k.output.node.module;
  return plan.graph.schedules.find((x) => x.target === target && x.module === module && x.settings[name] !== undefined)?.settings[name];
}

/** `count` items at `threads` per workgroup, as a grid of at most `maxX` workgroups in x. */
function gridFor(count: number, threads: number, maxX: number): [number, number] {
  const groups = Math.ceil(count / threads);
  const x = Math.min(groups, maxX);
  return [Math.max(1, x), Math.max(1, Math.ceil(groups / x))];
}

/** The schedule of a plain (one-kernel, not owner-phased) WGSL dispatch. */
function wgslPlain(d: Dispatch, plan: Plan): Omit<DispatchSchedule, 'bindings'> {
  const k = d.phases[0]!.kernel;
  const maxX = plan.limits.maxComputeWorkgroupsPerDimension;
  const threads = d.workgroupSize;
  if (k.attention) return { strategy: { kind: 'attention' }, threads, grid: d.workgroups, items: workItems(k), vectorReductions: new Map() };
  const fixed = moduleSetting(plan, 'wgsl', k, 'tile') as readonly number[] | undefined;
  const subgroupSize = moduleSetting(plan, 'wgsl', k, 'subgroups') === false ? undefined : plan.limits.subgroupSize;
  const { tile, subgroup } = chooseTile(k, threads, subgroupSize, fixed?.length === 2 ? fixed : undefined);
  const reductions = vectorReductions([k], plan.tensors, tile?.reduce);
  if (tile) {
    const items = numel(tileGrid(k.output.node.shape, tile, subgroup));
    return { strategy: { kind: 'register-tile', tile, ...(subgroup ? { subgroup } : {}) }, threads, grid: gridFor(items, threads, maxX), items, vectorReductions: reductions };
  }
  const vector = pointwiseVector(k, plan.tensors);
  if (vector) {
    const items = workItems(k) / VECTOR_WIDTH;
    return { strategy: { kind: 'vec4', vector }, threads, grid: gridFor(items, threads, maxX), items, vectorReductions: reductions };
  }
  return { strategy: { kind: 'elementwise' }, threads, grid: d.workgroups, items: workItems(k), vectorReductions: reductions };
}

/** The schedule of a plain PTX dispatch: tensor cores, an f32 register tile, or a thread per element. */
function ptxPlain(d: Dispatch, plan: Plan, matmul: MatmulPrecision): Omit<DispatchSchedule, 'bindings'> {
  const k = d.phases[0]!.kernel;
  const maxX = plan.limits.maxComputeWorkgroupsPerDimension;
  const none = new Map<Scalar, VectorReduction>();
  const precision = (moduleSetting(plan, 'ptx', k, 'precision') as MatmulPrecision | undefined) ?? matmul;
  const core = !k.attention && precision !== 'f32' ? tensorCoreTile(k) : undefined;
  if (core && precision !== 'f32') {
    const items = tensorCoreTiles(k.output.node.shape);
    return { strategy: { kind: 'tensor-core', tile: core, precision }, threads: 32 * MMA_WARPS, grid: gridFor(items, MMA_WARPS, maxX), items, vectorReductions: none };
  }
  const tile = k.attention ? undefined : ptxRegisterTile(k);
  if (tile) {
    const items = numel(k.output.node.shape) / (PTX_REGISTER_TILE * PTX_REGISTER_TILE);
    return { strategy: { kind: 'register-tile', tile }, threads: PTX_REGISTER_TILE_THREADS, grid: gridFor(items, PTX_REGISTER_TILE_THREADS, maxX), items, vectorReductions: none };
  }
  const items = workItems(k);
  return { strategy: { kind: k.attention ? 'attention' : 'elementwise' }, threads: d.workgroupSize, grid: gridFor(items, d.workgroupSize, maxX), items, vectorReductions: none };
}

/**
 * Register tile of a matmul phase inside an owner-phased WGSL dispatch (rows x columns of
 * outputs per invocation): the owner's invocations stride over its tiles instead of its
 * elements. Small: owner-phased shaders hold dozens of phases, and lavapipe's compile time
 * grows with every accumulator.
 */
const OWNER_PHASE_TILE: readonly number[] = [4, 4];

/**
 * Least work of a phase, per owner, for a tile to pay for its code: contractions of at least
 * 4 steps and 25 kFLOP. A tile computes 16 outputs from one set of index arithmetic, which an
 * untiled phase pays per element (integer divisions that llvmpipe does lane by lane): in
 * FiberTiny's pre-training step the text layers' per-head products of 4 steps (19,456
 * outputs per owner) were half of their 3.7-3.9 ms backward dispatches, 2.2-2.3 ms tiled.
 * (With 16 the bound, before the shaders were compiled by child processes, the tiles of 4-16
 * step products saved nothing measurable and tripled lavapipe's compile time.)
 */
const MIN_TILED_STEPS = 4;
const MIN_TILED_FLOPS_PER_OWNER = 25_000;

/**
 * On a device with bounded shader code (TargetLimits.boundedShaderCode), plans of more
 * dispatches than this tile only their largest owner phases, of at least
 * LARGE_PLAN_MIN_TILED_FLOPS_PER_OWNER each. The tiles add shader code, and llvmpipe keeps
 * a bounded amount of the code it compiles per context (2M LLVM instructions): a process that
 * compiles more recompiles what it evicted on every run. Measured on lavapipe with Mesa's
 * shader cache cold, FiberTiny's pre-training step with the momentum encoder (409 dispatches
 * on 242 pipelines): untiled 1.74 MB of distinct WGSL, 2.7 s a step; phases of 1 MFLOP per
 * owner or more tiled, 1.91 MB, fits (first step 147 s, then 2.5 s a step over 1,600 steps);
 * 0.5 MFLOP, 2.14 MB, and every tileable phase, 2.78 MB, recompile every step (over 300 s a
 * step). Code llvmpipe loads from Mesa's shader cache counts nothing against the bound, so
 * with the shaders compiled in child processes first every tile fits (1.0-1.3 s a step).
 */
export const LARGE_PLAN_DISPATCHES = 200;
const LARGE_PLAN_MIN_TILED_FLOPS_PER_OWNER = 1_000_000;

/**
 * The register tile of one phase of an owner-phased dispatch, when the phase is a matmul
 * whose owner's part is a whole number of tiles: the output's axes other than the tile's two
 * (the batch axes) split evenly over the owners; or the owner's run of elements is whole rows
 * of tiles (a weight gradient, summed over the whole batch, split into bands of rows: the
 * slowest phases of a backward pass untiled, 3-4x faster tiled on lavapipe); or every
 * workgroup computes the whole output (a replicated, input-independent phase). Not
 * transposed, not shared across a subgroup: a phase's lanes work on different tiles of one
 * owner.
 */
function ownerPhaseTile(k: Kernel, owners: number, plan: Plan, minFlops: number): { tile: MatmulTile; view?: Kernel } | undefined {
  const tile = plainOwnerPhaseTile(k, owners, plan, minFlops);
  if (tile) return { tile };
  // Owners' bands of rows that are not whole tile rows: tiled as [owners, band, cols].
  const view = ownerBandView(k, owners);
  const viewTile = view && plainOwnerPhaseTile(view, owners, plan, minFlops);
  return viewTile ? { tile: viewTile, view } : undefined;
}

function plainOwnerPhaseTile(k: Kernel, owners: number, plan: Plan, minFlops: number): MatmulTile | undefined {
  if (k.attention) return undefined;
  const tile = findMatmulTile(k, OWNER_PHASE_TILE);
  if (!tile || tile.reduce.loop.size < MIN_TILED_STEPS || k.flops / owners < minFlops) return undefined;
  const shape = k.output.node.shape;
  const whole = (plan.tensors.get(k.output.id)?.replicas ?? 1) > 1;
  const [rows, cols] = [shape[tile.mAxis]!, shape[tile.nAxis]!];
  const batch = numel(shape) / (rows * cols);
  // An owner's part of the output is its run of numel / owners elements: whole tiles when it
  // is whole batch elements, or whole rows of tiles of an output with none (a weight
  // gradient summed over the batch, each owner a band of its rows).
  const wholeTileRows = rows % tile.tm === 0 && cols % tile.tn === 0 && (numel(shape) / owners) % (tile.tm * cols) === 0;
  return whole || batch % owners === 0 || wholeTileRows ? tile : undefined;
}

/** The subgroup an owner phase's tile shares rows across (ownerPhaseSubgroup), unless the module turns subgroups off. */
function ownerSubgroup(tile: MatmulTile, k: Kernel, output: number, d: Dispatch, plan: Plan): number | undefined {
  const size = moduleSetting(plan, 'wgsl', k, 'subgroups') === false ? undefined : plan.limits.subgroupSize;
  const whole = (plan.tensors.get(output)?.replicas ?? 1) > 1;
  return ownerPhaseSubgroup(tile, k, size, d.workgroupSize, (sg) => numel(tileGrid(k.output.node.shape, tile, sg)) / (whole ? 1 : d.owners!));
}

/** Schedules one dispatch for `target`. */
export function scheduleDispatch(d: Dispatch, plan: Plan, target: ScheduleTarget): DispatchSchedule {
  const bindings = dispatchBindings(d, plan);
  if (d.independent) {
    if (target.kind === 'ptx') throw new Error(`internal: a dispatch merges independent kernels, which PTX does not emit yet (plan PTX without the merge feature)`);
    return { strategy: { kind: 'independent' }, threads: d.workgroupSize, grid: d.workgroups, items: d.workgroups[0] * d.workgroups[1] * d.workgroupSize, vectorReductions: vectorReductions(d.phases.map((p) => p.kernel), plan.tensors), bindings };
  }
  if (d.owners !== null) {
    // Owner-phased shaders keep scalar reduction loops: they hold dozens of phases, and vec4
    // loops in all of them made lavapipe compile FiberTiny's 30% slower (18.8 -> 27.7 s cold)
    // for layers whose time is the dispatch, not the loops.
    const maxX = plan.limits.maxComputeWorkgroupsPerDimension;
    const minFlops = plan.limits.boundedShaderCode && plan.dispatches.length > LARGE_PLAN_DISPATCHES ? LARGE_PLAN_MIN_TILED_FLOPS_PER_OWNER : MIN_TILED_FLOPS_PER_OWNER;
    const chosen = target.kind === 'wgsl' ? d.phases.map((p) => ownerPhaseTile(p.kernel, d.owners!, plan, minFlops)) : [];
    const phaseTiles = chosen.map((c) => c?.tile);
    const phaseViews = chosen.map((c) => c?.view);
    const phaseSubgroups = chosen.map((c, i) => c && ownerSubgroup(c.tile, c.view ?? d.phases[i]!.kernel, d.phases[i]!.kernel.output.id, d, plan));
    return {
      strategy: { kind: 'owner-phased' }, threads: d.workgroupSize, grid: gridFor(d.owners, 1, maxX), items: d.owners * d.workgroupSize, vectorReductions: new Map(),
      ...(phaseTiles.some((t) => t) ? { phaseTiles } : {}), ...(phaseViews.some((v) => v) ? { phaseViews } : {}), ...(phaseSubgroups.some((s) => s) ? { phaseSubgroups } : {}), bindings,
    };
  }
  return { ...(target.kind === 'wgsl' ? wgslPlain(d, plan) : ptxPlain(d, plan, target.matmul)), bindings };
}

/** Pass `schedule`: the plan with every dispatch scheduled for `target`. */
export function schedulePlan(plan: Plan, target: ScheduleTarget): ScheduledPlan {
  return { ...plan, target, dispatches: plan.dispatches.map((d) => ({ ...d, schedule: scheduleDispatch(d, plan, target) })) };
}

/** A schedule in a few words, for `fiberc plan` (`tile 24x5T sg8`, `vec4 +2 vec4 loops`, `owner-phased, 3 tiled (2 sg8)`). */
export function describeSchedule(s: DispatchSchedule): string {
  const tiled = s.phaseTiles?.filter((t) => t).length ?? 0;
  const shared = s.phaseSubgroups?.filter((sg) => sg) ?? [];
  const loops = s.vectorReductions.size;
  return `${describeStrategy(s.strategy)}${tiled > 0 ? `, ${tiled} tiled${shared.length > 0 ? ` (${shared.length} sg${shared[0]})` : ''}` : ''}${loops > 0 ? ` +${loops} vec4 loop${loops > 1 ? 's' : ''}` : ''}`;
}

/** A strategy in a few words, for `fiberc plan` and comments in the emitted code. */
export function describeStrategy(s: Strategy): string {
  switch (s.kind) {
    case 'vec4': return `vec${VECTOR_WIDTH}`;
    case 'register-tile': return `tile ${s.tile.tm}x${s.tile.tn}${s.tile.mAxis > s.tile.nAxis ? 'T' : ''}${s.subgroup ? ` sg${s.subgroup}` : ''}`;
    case 'tensor-core': return `mma ${s.precision}`;
    default: return s.kind;
  }
}
