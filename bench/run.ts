/**
 * fiberc benchmarks (benny): the FIBER fusion layers fused vs unfused on the WebGPU adapter,
 * and a 1024^3 matmul. Reports median ms, GFLOP/s, GB/s and dispatches per case, and the
 * fused/unfused speed-up. Figures are for reports; tests never assert times.
 *
 *   npm run bench                      FiberTiny layers, FIBER-B layers at batch 1, matmul
 *   npm run bench -- --batch 8         FIBER-B layers at batch 8 too
 *   npm run bench -- --only tiny       a subset: tiny | base | matmul
 *   npm run bench -- --spin            await each run right after submitting it, as the peers
 *                                      do (Dawn then polls on a core the shaders could use)
 */
import b from 'benny';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exampleInputs, withAlpha } from '../src/cli/demo.js';
import type { FusionMode } from '../src/compile/plan.js';
import { launchesOf } from '../src/driver/pipeline.js';
import { reportPlan } from '../src/compile/report.js';
import { buildGraph } from '../src/dsl/entry.js';
import { loadProgram } from '../src/dsl/loader.js';
import { GraphBuilder } from '../src/ir/builder.js';
import { Graph } from '../src/ir/graph.js';
import { randomTensor } from '../src/ir/gradcheck.js';
import type { HostTensor } from '../src/ir/tensor.js';
import { prepareFeeds } from '../src/runtime/feeds.js';
import { WebGpuDevice } from '../src/runtime/webgpu/device.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const batches = args.includes('--batch') ? [1, Number(args[args.indexOf('--batch') + 1])] : [1];
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const spin = args.includes('--spin');

interface Case {
  readonly name: string;
  readonly graph: Graph;
  readonly feeds: Map<string, HostTensor>;
}

function layerCases(): Case[] {
  const program = loadProgram(join(root, 'examples/fiber.fib'));
  const cases: Case[] = [];
  const add = (name: string, entry: string, bindings: Record<string, number>): void => {
    const graph = buildGraph(program, entry, { bindings });
    cases.push({ name, graph, feeds: withAlpha(graph, prepareFeeds(graph, exampleInputs(graph, 1), new Map(), 0), 0.5) });
  };
  if (!only || only === 'tiny') {
    add('FiberTiny image block B=2', 'ImageFusionBlockTiny', { B: 2, T: 8 });
    add('FiberTiny text layer B=2', 'TextFusionLayerTiny', { B: 2, T: 8, L: 16 });
  }
  if (!only || only === 'base') {
    for (const batch of batches) {
      add(`FIBER-B stage-3 image block B=${batch}`, 'ImageFusionBlockBase', { B: batch, T: 40 });
      add(`FIBER-B text layer B=${batch}`, 'TextFusionLayerBase', { B: batch, T: 40, L: 576 });
    }
  }
  return cases;
}

function matmulCase(n: number): Case {
  const bld = new GraphBuilder();
  const a = bld.input('a', [n, n], 'f32');
  const c = bld.input('b', [n, n], 'f32');
  const graph = new Graph([a, c], [], [{ name: 'out', node: bld.matmul(a, c) }]);
  return { name: `matmul ${n}^3`, graph, feeds: new Map([['a', randomTensor([n, n], 1)], ['b', randomTensor([n, n], 2)]]) };
}

interface Row {
  case: string;
  mode: FusionMode;
  dispatches: number;
  flops: number;
  bytes: number;
  compileMs: number;
  medianMs: number;
}

async function measure(device: WebGpuDevice, c: Case, mode: FusionMode): Promise<Row> {
  const t0 = performance.now();
  const compiled = await device.compile(c.graph, mode);
  const session = device.session(compiled);
  session.write(c.feeds);
  session.dispatch();
  await session.wait();
  const compileMs = performance.now() - t0;
  let medianMs = 0;
  await b.suite(
    `${c.name} (${mode})`,
    b.add(mode, async () => {
      session.dispatch();
      await session.wait();
    }, { minSamples: 3, maxTime: 4 }),
    b.complete((summary) => {
      medianMs = summary.results[0]!.details.median * 1000;
    }),
  );
  session.destroy();
  const report = reportPlan(compiled.plan, c.name, 'wgsl', { launches: launchesOf(compiled) });
  return { case: c.name, mode, dispatches: report.dispatches, flops: report.flops, bytes: report.bytesRead + report.bytesWritten, compileMs, medianMs };
}

const device = await WebGpuDevice.create({ yieldWhileWaiting: !spin });
const cases = [...layerCases(), ...(!only || only === 'matmul' ? [matmulCase(1024)] : [])];
const rows: Row[] = [];
for (const c of cases) {
  for (const mode of c.name.startsWith('matmul') ? (['fused'] as const) : (['fused', 'unfused'] as const)) rows.push(await measure(device, c, mode));
}

const table = [['case', 'mode', 'dispatches', 'GFLOP', 'median ms', 'GFLOP/s', 'GB/s', 'first run ms', 'fused speed-up']];
for (const r of rows) {
  const other = rows.find((o) => o.case === r.case && o.mode !== r.mode);
  const speedup = r.mode === 'fused' && other ? `${(other.medianMs / r.medianMs).toFixed(2)}x` : '';
  table.push([r.case, r.mode, String(r.dispatches), (r.flops / 1e9).toFixed(3), r.medianMs.toFixed(1), (r.flops / r.medianMs / 1e6).toFixed(2), (r.bytes / r.medianMs / 1e6).toFixed(2), r.compileMs.toFixed(0), speedup]);
}
const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
console.log(`\nfiberc on ${device.name}${spin ? ', awaiting each run at once (--spin)' : ''}`);
for (const row of table) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
mkdirSync(join(root, 'bench/results'), { recursive: true });
const file = join(root, 'bench/results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ device: device.name, yieldWhileWaiting: !spin, rows }, null, 2));
console.log(`\nresults: ${file}`);
process.exit(0);
