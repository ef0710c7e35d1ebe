import { join } from 'node:path';
import { planGraph } from '../compile/plan.js';
import { formatPlan, reportPlan } from '../compile/report.js';
import { buildGraph } from '../dsl/entry.js';
import type { LoadedProgram } from '../dsl/loader.js';
import { relativeMaxError } from '../ir/compare.js';
import { gradientSamples, randomTensor, relativeError } from '../ir/gradcheck.js';
import type { Graph } from '../ir/graph.js';
import { interpret } from '../ir/interpret.js';
import { HostTensor } from '../ir/tensor.js';
import { prepareFeeds } from '../runtime/feeds.js';
import { sharedWebGpu } from '../runtime/open.js';
import type { CliIO } from './io.js';

const BINDINGS = { B: 2, T: 8, L: 16 };

/** Inputs for the example entries: images/features random, ids in range, the second text padded. */
export function exampleInputs(graph: Graph, seed: number): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  graph.inputs.forEach((node, i) => {
    const name = (node.op as { name: string }).name;
    if (node.dtype === 'i32') {
      const n = node.shape.reduce((a, b) => a * b, 1);
      out.set(name, new HostTensor(node.shape, 'i32', Float64Array.from({ length: n }, (_, k) => 3 + ((k * 7 + seed) % 29))));
    } else if (name === 'mask' || name === 'text_mask') {
      const [b, t] = node.shape as [number, number];
      // Sample 0 is full length; sample 1 has its last three tokens padded.
      out.set(name, new HostTensor(node.shape, 'f32', Float64Array.from({ length: b * t }, (_, k) => (Math.floor(k / t) % 2 === 1 && k % t >= t - 3 ? 0 : 1))));
    } else {
      out.set(name, randomTensor(node.shape, seed + i));
    }
  });
  return out;
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

/**
 * `fiberc demo`, the main job: compiles the FIBER example layers and FiberTiny for WebGPU,
 * shows the plan, runs them on the adapter, and checks every output against the Float64
 * interpreter; gradients are checked against finite differences on the interpreter.
 */
export async function runDemo(examples: string, io: CliIO, load: (file: string) => LoadedProgram): Promise<void> {
  const program = load(join(examples, 'fiber.fib'));
  const device = await sharedWebGpu();
  io.out(`fiberc demo: FIBER example layers on ${device.name}, ${Object.entries(BINDINGS).map(([k, v]) => `${k}=${v}`).join(' ')}, alpha=0.5, text padded\n`);
  const first = buildGraph(program, 'TextFusionLayerTiny', { bindings: BINDINGS });
  io.out(formatPlan(reportPlan(planGraph(first, 'fused', device.limits), 'TextFusionLayerTiny', 'wgsl')));
  io.out('');
  const rows: string[][] = [['entry', 'dispatches (fused / unfused)', 'first run ms', 'run ms', 'max rel err vs interpreter', 'grad check (FD) max rel err']];
  for (const entry of ['ImageFusionBlockTiny', 'TextFusionLayerTiny', 'FiberTiny']) {
    const graph = buildGraph(program, entry, { bindings: BINDINGS });
    const feeds = withAlpha(graph, prepareFeeds(graph, exampleInputs(graph, 1), new Map(), 0), 0.5);
    const expected = interpret(graph, feeds);
    const fused = planGraph(graph, 'fused', device.limits).dispatches.length;
    const unfused = planGraph(graph, 'unfused', device.limits).dispatches.length;
    let t0 = performance.now();
    await device.run(graph, feeds);
    const firstMs = performance.now() - t0;
    t0 = performance.now();
    const actual = await device.run(graph, feeds);
    const ms = performance.now() - t0;
    const err = Math.max(...[...expected].map(([k, v]) => relativeMaxError(actual.get(k)!, v)));
    const leaves = graph.params.map((p) => (p.op as { name: string }).name).filter((n, i) => i % Math.max(1, Math.floor(graph.params.length / 6)) === 0 || n.endsWith('alpha'));
    const samples = gradientSamples(graph, feeds, leaves, 2, 5);
    const gradErr = Math.max(...samples.map((s) => relativeError(s.autodiff, s.numeric, 1e-4)));
    rows.push([entry, `${fused} / ${unfused}`, firstMs.toFixed(0), ms.toFixed(1), err.toExponential(1), `${gradErr.toExponential(1)} (${samples.length} coords)`]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) io.out(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
  io.out('\nfirst run includes shader compilation (lavapipe compiles each new pipeline on first dispatch).');
}
