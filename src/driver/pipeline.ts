import { emitPtx, type PtxArch, type PtxModule } from '../codegen/ptx/emit.js';
import type { MatmulPrecision } from '../codegen/ptx/mma.js';
import { emitWgsl, type WgslKernel } from '../codegen/wgsl/emit.js';
import type { Graph } from '../ir/graph.js';
import { printGraph } from '../ir/print.js';
import type { TargetLimits } from '../compile/limits.js';
import type { Launch } from '../compile/report.js';
import { planGraph, PLAN_PASSES, type FusionMode, type Plan, type PlanFeatures } from '../compile/plan.js';

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
 *   emit-wgsl  src/codegen/wgsl/emit.ts  one WGSL compute shader per dispatch
 *   emit-ptx   src/codegen/ptx/emit.ts   one PTX entry per dispatch (owner-phased ones included;
 *                                        the attention template too; checked by ptxas)
 */
export const PASSES = ['parse', 'resolve', 'elaborate', 'grad', ...PLAN_PASSES, 'emit-wgsl', 'emit-ptx'] as const;
export type PassName = (typeof PASSES)[number];

/** Passes whose result can be dumped from a graph (the front-end ones print the graph itself). */
export const DUMPABLE: readonly PassName[] = ['elaborate', 'grad', ...PLAN_PASSES, 'emit-wgsl', 'emit-ptx'];

export interface CompileOptions {
  readonly mode: FusionMode;
  readonly limits: TargetLimits;
  /** Print the state after this pass through `dump`. */
  readonly dumpAfter?: PassName;
  readonly dump?: (text: string) => void;
}

/** A graph compiled for WebGPU: the plan and one WGSL shader per dispatch. */
export interface WgslProgram {
  readonly plan: Plan;
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
  const plan = planGraph(graph, options.mode, options.limits, (pass, render) => {
    if (pass === dumpAfter && dump) dump(render());
  }, WGSL_FEATURES);
  const kernels = plan.dispatches.map((d) => emitWgsl(d, plan));
  if (dumpAfter === 'emit-wgsl' && dump) dump(kernels.map((k) => k.source).join('\n'));
  return { plan, kernels };
}

/** A graph compiled for CUDA: the plan and one PTX module with an entry per kernel. */
export interface PtxProgram {
  readonly plan: Plan;
  readonly module: PtxModule;
  readonly arch: PtxArch;
  /** Operand type of matmul kernels: f16/bf16 use tensor cores where the shape allows. */
  readonly matmul: MatmulPrecision;
}

/** The back end for PTX: the same plan passes as WGSL (attention template included), then PTX emission. */
export function compilePtx(graph: Graph, options: CompileOptions & { readonly arch: PtxArch; readonly matmul?: MatmulPrecision }): PtxProgram {
  const { dumpAfter, dump } = options;
  if ((dumpAfter === 'elaborate' || dumpAfter === 'grad') && dump) dump(printGraph(graph));
  const plan = planGraph(graph, options.mode, options.limits, (pass, render) => {
    if (pass === dumpAfter && dump) dump(render());
  });
  const module = emitPtx(plan, options.arch, undefined, options.matmul);
  if (dumpAfter === 'emit-ptx' && dump) dump(module.source);
  return { plan, module, arch: options.arch, matmul: options.matmul ?? 'f32' };
}

/** How each dispatch of a compiled program launches (see reportPlan). */
export function launchesOf(program: WgslProgram | PtxProgram): Launch[] {
  if ('kernels' in program) return program.kernels.map((k, i) => ({ workgroups: k.workgroups, workgroupSize: program.plan.dispatches[i]!.workgroupSize }));
  return program.module.entries.map((e) => ({ workgroups: e.blocks, workgroupSize: e.threads }));
}
