import { emitPtx, type PtxArch, type PtxModule } from '../codegen/ptx/emit.js';
import { emitWgsl, type WgslKernel } from '../codegen/wgsl/emit.js';
import type { Graph } from '../ir/graph.js';
import { printGraph } from '../ir/print.js';
import type { TargetLimits } from '../compile/limits.js';
import { planGraph, PLAN_PASSES, type FusionMode, type PlanFeatures } from '../compile/plan.js';
import { describeSchedule, schedulePlan, type MatmulPrecision, type ScheduledPlan, type ScheduleTarget } from '../compile/schedule.js';
import { dispatchName } from '../compile/plan-types.js';
import { bindingKey } from '../compile/bindings.js';

/**
 * The driver: it sits above src/compile (planning) and src/codegen (rendering) and runs one
 * after the other, so neither imports the other's layer.
 *
 * The whole compiler, one pass per line, in order. `fiberc plan|emit --dump-after=PASS`
 * prints the state after any of the passes from `graph` on.
 *
 *   parse      src/dsl/parse.ts        .fib text -> typed AST (chevrotain CstParser + CST visitor)
 *   resolve    src/dsl/resolve.ts      names and call arities, statically (fiberc check)
 *   elaborate  src/dsl/entry.ts        run the program at compile time -> graph IR (shapes bound)
 *   grad       src/ir/grad.ts          reverse-mode autodiff -> the backward graph (optional)
 *   decide     src/compile/materialize.ts  which nodes are stored, and why
 *   lower      src/compile/kernels.ts  one kernel-IR kernel per stored node, the rest inlined
 *   order      src/compile/stitch.ts   layers made contiguous, in dependency order
 *   stitch     src/compile/stitch.ts   kernels -> dispatches (owner-phased where proven legal)
 *   merge      src/compile/merge.ts    independent plain dispatches -> one (WGSL)
 *   scope      src/compile/scope.ts    intermediates private to a dispatch -> workgroup memory
 *   place      src/compile/arenas.ts   params and intermediates packed into arenas
 *   schedule   src/compile/schedule.ts per dispatch and target: tile, vec4, tensor cores, grid, bindings
 *   emit-wgsl  src/codegen/wgsl/emit.ts  one WGSL compute shader per dispatch
 *   emit-ptx   src/codegen/ptx/emit.ts   one PTX entry per dispatch (owner-phased ones included;
 *                                        the attention template too; checked by ptxas)
 */
export const PASSES = ['parse', 'resolve', 'elaborate', 'grad', ...PLAN_PASSES, 'schedule', 'emit-wgsl', 'emit-ptx'] as const;
export type PassName = (typeof PASSES)[number];

/** Passes whose result can be dumped from a graph (the front-end ones print the graph itself). */
export const DUMPABLE: readonly PassName[] = ['elaborate', 'grad', ...PLAN_PASSES, 'schedule', 'emit-wgsl', 'emit-ptx'];

export interface CompileOptions {
  readonly mode: FusionMode;
  readonly limits: TargetLimits;
  /** Print the state after this pass through `dump`. */
  readonly dumpAfter?: PassName;
  readonly dump?: (text: string) => void;
}

/** A graph compiled for WebGPU: the plan and one WGSL shader per dispatch. */
export interface WgslProgram {
  readonly plan: ScheduledPlan;
  readonly kernels: readonly WgslKernel[];
}

/**
 * What WGSL code generation can lower beyond the defaults: merged independent dispatches
 * (pass `merge`). PTX does not yet emit them.
 */
export const WGSL_FEATURES: PlanFeatures = { merge: true };

/** Runs the compiler's back end on a graph: plan passes, then WGSL emission. */
export function compileWgsl(graph: Graph, options: CompileOptions): WgslProgram {
  const { dumpAfter, dump } = options;
  if ((dumpAfter === 'elaborate' || dumpAfter === 'grad') && dump) dump(printGraph(graph));
  const plan = scheduled(planGraph(graph, options.mode, options.limits, (pass, render) => {
    if (pass === dumpAfter && dump) dump(render());
  }, WGSL_FEATURES), { kind: 'wgsl' }, options);
  const kernels = plan.dispatches.map((d) => emitWgsl(d, plan));
  if (dumpAfter === 'emit-wgsl' && dump) dump(kernels.map((k) => k.source).join('\n'));
  return { plan, kernels };
}

/** A graph compiled for CUDA: the plan and one PTX module with an entry per kernel. */
export interface PtxProgram {
  readonly plan: ScheduledPlan;
  readonly module: PtxModule;
  readonly arch: PtxArch;
  /** Operand type of matmul kernels: f16/bf16 use tensor cores where the shape allows. */
  readonly matmul: MatmulPrecision;
}

/** The back end for PTX: the same plan passes as WGSL (attention template included), then PTX emission. */
export function compilePtx(graph: Graph, options: CompileOptions & { readonly arch: PtxArch; readonly matmul?: MatmulPrecision }): PtxProgram {
  const { dumpAfter, dump } = options;
  if ((dumpAfter === 'elaborate' || dumpAfter === 'grad') && dump) dump(printGraph(graph));
  const matmul = options.matmul ?? 'f32';
  const plan = scheduled(planGraph(graph, options.mode, options.limits, (pass, render) => {
    if (pass === dumpAfter && dump) dump(render());
  }), { kind: 'ptx', matmul }, options);
  const module = emitPtx(plan, options.arch);
  if (dumpAfter === 'emit-ptx' && dump) dump(module.source);
  return { plan, module, arch: options.arch, matmul };
}


/** Pass `schedule` (compile/schedule.ts), printed one dispatch per line with `--dump-after=schedule`. */
function scheduled(plan: Parameters<typeof schedulePlan>[0], target: ScheduleTarget, { dumpAfter, dump }: CompileOptions): ScheduledPlan {
  const result = schedulePlan(plan, target);
  if (dumpAfter === 'schedule' && dump) dump(printSchedule(result));
  return result;
}

/** A scheduled plan as text: per dispatch its strategy, launch geometry and binding table. */
export function printSchedule(plan: ScheduledPlan): string {
  const lines = [`schedule for ${plan.target.kind}${plan.target.kind === 'ptx' ? ` (matmul operands ${plan.target.matmul})` : ''}:`];
  for (const d of plan.dispatches) {
    const s = d.schedule;
    const bindings = s.bindings.map((b) => `${bindingKey(b.source)}:${b.type}:${b.access === 'read' ? 'r' : 'rw'}`).join(' ');
    lines.push(`  ${dispatchName(d)}: ${describeSchedule(s)}; ${s.grid.join('x')} x ${s.threads} threads over ${s.items} items; bindings ${bindings}`);
  }
  return lines.join('\n');
}
