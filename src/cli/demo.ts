import { join } from 'node:path';
import { buildGraph } from '../dsl/entry.js';
import type { LoadedProgram } from '../dsl/loader.js';
import { gradientSamples, randomTensor, relativeError } from '../ir/gradcheck.js';
import type { Graph } from '../ir/graph.js';
import { interpret } from '../ir/interpret.js';
import { HostTensor } from '../ir/tensor.js';
import { prepareFeeds } from '../runtime/feeds.js';
import type { CliIO } from './io.js';

const BATCH = 2;
const TEXT = 8;

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

/** `fiberc demo`: builds and runs the FIBER examples on the reference interpreter, with checks. */
export async function runDemo(examples: string, io: CliIO, load: (file: string) => LoadedProgram): Promise<void> {
  const program = load(join(examples, 'fiber.fib'));
  io.out(`fiberc demo: FIBER example layers on the cpu backend (Float64 reference interpreter), B=${BATCH}, T=${TEXT}, alpha=0.5`);
  io.out('(WebGPU and CUDA backends: issues #3 and #4.)\n');
  const rows: string[][] = [['entry', 'nodes', 'params', 'outputs', 'forward ms', 'backward nodes', 'grad check max rel err']];
  for (const entry of ['ImageFusionBlockTiny', 'TextFusionLayerTiny', 'FiberTiny']) {
    const graph = buildGraph(program, entry, { bindings: { B: BATCH, T: TEXT, L: 16 } });
    const feeds = withAlpha(graph, prepareFeeds(graph, exampleInputs(graph, 1), new Map(), 0), 0.5);
    const t0 = performance.now();
    const outs = interpret(graph, feeds);
    const ms = performance.now() - t0;
    const leaves = [...graph.params.map((p) => (p.op as { name: string }).name)].filter((n, i) => i % Math.max(1, Math.floor(graph.params.length / 6)) === 0 || n.endsWith('alpha'));
    const samples = gradientSamples(graph, feeds, leaves, 2, 5);
    const worst = Math.max(...samples.map((s) => relativeError(s.autodiff, s.numeric, 1e-4)));
    const { gradGraph } = await import('../ir/grad.js');
    rows.push([
      entry, String(graph.nodes.length), String(graph.params.length),
      [...outs].map(([k, v]) => `${k} ${v.type}`).join(', '), ms.toFixed(1), String(gradGraph(graph).nodes.length),
      `${worst.toExponential(1)} (${samples.length} coords)`,
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) io.out(r.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
}
