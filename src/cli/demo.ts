import { join } from 'node:path';
import { planGraph } from '../compile/plan.js';
import { compileWgsl, WGSL_FEATURES } from '../driver/pipeline.js';
import { formatPlan, reportPlan } from '../compile/report.js';
import { Diagnostic } from '../dsl/diagnostic.js';
import { buildGraph, entryNames } from '../dsl/entry.js';
import type { LoadedProgram } from '../dsl/loader.js';
import { relativeMaxError } from '../ir/compare.js';
import { gradientSamples, relativeError } from '../ir/gradcheck.js';
import type { Graph } from '../ir/graph.js';
import { interpret } from '../ir/interpret.js';
import { HostTensor } from '../ir/tensor.js';
import { prepareFeeds } from '../runtime/feeds.js';
import { sharedWebGpu } from '../runtime/open.js';
import type { CliIO } from './io.js';
import { sampleInputs } from './sample-inputs.js';

const BINDINGS = { B: 2, T: 8, L: 16 };

/** Inputs for the example entries (see sampleInputs): ids in range, the second text padded. */
export function exampleInputs(graph: Graph, seed: number): Map<string, HostTensor> {
  return sampleInputs(graph, seed);
}

/** Params with every fusion gate `alpha` set to `alpha` (they are declared as zeros). */
export function withAlpha(graph: Graph, feeds: Map<string, HostTensor>, alpha: number): Map<string, HostTensor> {
  const out = new Map(feeds);
  for (const p of graph.params) {
    const name = (p.op as { name: string }).name;
    if (name === 'alpha' || name.endsWith('.alpha')) out.set(name, new HostTensor([], 'f32', Float64Array.of(alpha)));
  }
  return out;
}

/** What `fiberc demo` checks: the built-in FIBER examples, or entries of a user's file. */
export interface DemoTarget {
  /** A .fib file; omitted: examples/fiber.fib with the three built-in entries. */
  readonly file?: string;
  /** Entries to check; omitted: the built-in three, or every entry of `file`. */
  readonly entries?: readonly string[];
  /** Dim sizes; omitted: B=2, T=8, L=16. */
  readonly bindings?: Readonly<Record<string, number>>;
}

/**
 * `fiberc demo`, the main job: compiles the FIBER example layers and FiberTiny (or the entries
 * of any file) for WebGPU, shows the plan of the first, runs each on the adapter, and checks
 * every output against the Float64 interpreter; gradients are checked against finite
 * differences on the interpreter. Fusion gates named `alpha` are set to 0.5.
 */
export async function runDemo(examples: string, io: CliIO, load: (file: string) => LoadedProgram, target: DemoTarget = {}): Promise<void> {
  const program = load(target.file ?? join(examples, 'fiber.fib'));
  const entries = target.entries ?? (target.file ? entryNames(program) : ['ImageFusionBlockTiny', 'TextFusionLayerTiny', 'FiberTiny']);
  if (entries.length === 0) throw new Diagnostic('this file has no entries (modules whose hyperparameters all have defaults)', { file: program.main, line: 1, col: 1 });
  const bindings = target.bindings ?? BINDINGS;
  const device = await sharedWebGpu();
  const graphs = entries.map((entry) => ({ entry, graph: buildGraph(program, entry, { bindings }) }));
  io.out(`fiberc demo: ${target.file ? program.main : 'FIBER example layers'} on ${device.name}, ${Object.entries(bindings).map(([k, v]) => `${k}=${v}`).join(' ')}, alpha=0.5, text padded\n`);
  const shown = compileWgsl(graphs[0]!.graph, { mode: 'fused', limits: device.limits });
  io.out(formatPlan(reportPlan(shown.plan, graphs[0]!.entry, 'wgsl', { code: shown.kernels.map((k) => k.source) })));
  io.out('');
  const rows: string[][] = [['entry', 'dispatches (fused / unfused)', 'first run ms', 'run ms', 'max rel err vs interpreter', 'grad check (FD) max rel err']];
  for (const { entry, graph } of graphs) {
    const feeds = withAlpha(graph, prepareFeeds(graph, exampleInputs(graph, 1), new Map(), 0), 0.5);
    const expected = interpret(graph, feeds);
    const fused = planGraph(graph, 'fused', device.limits, undefined, WGSL_FEATURES).dispatches.length;
    const unfused = planGraph(graph, 'unfused', device.limits).dispatches.length;
    let t0 = performance.now();
    await device.run(graph, feeds);
    const firstMs = performance.now() - t0;
    t0 = performance.now();
    const actual = await device.run(graph, feeds);
    const ms = performance.now() - t0;
    const err = Math.max(...[...expected].map(([k, v]) => relativeMaxError(actual.get(k)!, v)));
    // A few params spread over the model (alpha always), or the float inputs when there are no params.
    const floatInputs = graph.inputs.filter((n) => n.dtype !== 'i32').map((n) => (n.op as { name: string }).name);
    const params = graph.params.map((p) => (p.op as { name: string }).name);
    const leaves = params.length > 0 ? params.filter((n, i) => i % Math.max(1, Math.floor(params.length / 6)) === 0 || n.endsWith('alpha')) : floatInputs;
    const samples = gradientSamples(graph, feeds, leaves, 2, 5);
    const gradErr = samples.length > 0 ? Math.max(...samples.map((s) => relativeError(s.autodiff, s.numeric, 1e-4))) : NaN;
    rows.push([entry, `${fused} / ${unfused}`, firstMs.toFixed(0), ms.toFixed(1), err.toExponential(1), samples.length > 0 ? `${gradErr.toExponential(1)} (${samples.length} coords)` : 'no float leaves']);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) io.out(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
  io.out('\nfirst run includes shader compilation (lavapipe compiles each new pipeline on first dispatch).');
}
