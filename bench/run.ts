/**
 * fiberc benchmarks (benny): the FIBER fusion layers fused vs unfused on the WebGPU adapter,
 * and a 1024^3 matmul. Reports median ms, GFLOP/s, GB/s and dispatches per case, and the
 * fused/unfused speed-up. Figures are for reports; tests never assert times.
 *
 *   npm run bench                      FiberTiny layers, FIBER-B layers at batch 1, matmul
 *   npm run bench -- --batch 8         FIBER-B layers at batch 8 too
 *   npm run bench -- --only tiny       a subset: tiny | base | matmul | train | pretrain
 *
 * `train`: a FiberTiny training step at batch 8 (examples/fiber_train.fib: forward, an
 * image-text contrastive loss, backward, AdamW with FIBER's param groups, params and moments
 * updated in place on the device), fused vs unfused, in examples/s, and the same step in
 * PyTorch eager on this CPU where python3 has torch (bench/torch-peer.ts, checked against the
 * interpreter first); the first step includes compiling every shader (run with
 * MESA_SHADER_CACHE_DISABLE=true for a cold figure).
 * `pretrain`: the whole pre-training step of `fiberc train --model FiberTiny` (batch 8, 38
 * text positions; bench/pretrain-step.ts), fused and (with `--unfused`: about 11,000 shaders
 * to compile) unfused, and its PyTorch peer checked on losses and gradients first.
 *   npm run bench -- --spin            await each run right after submitting it, as the peers
 *                                      do (Dawn then polls on a core the shaders could use)
 */
import b from 'benny';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exampleInputs, withAlpha } from '../src/cli/demo.js';
import type { FusionMode } from '../src/compile/plan.js';
import { reportPlan } from '../src/compile/report.js';
import { buildGraph } from '../src/dsl/entry.js';
import { loadProgram } from '../src/dsl/loader.js';
import { GraphBuilder } from '../src/ir/builder.js';
import { Graph } from '../src/ir/graph.js';
import { randomTensor } from '../src/ir/gradcheck.js';
import type { HostTensor } from '../src/ir/tensor.js';
import { prepareFeeds } from '../src/runtime/feeds.js';
import { WebGpuDevice } from '../src/runtime/webgpu/device.js';
import { fiberParamGroups } from '../src/train/optimizer.js';
import { LR_INPUT, STEP_INPUT, trainingStep } from '../src/train/step.js';
import { initParam } from '../src/ir/init.js';
import { HostTensor as Tensor } from '../src/ir/tensor.js';
import { torchPeerStep } from './torch-peer.js';
import { measurePretrainStep, printPretrainBench, torchPeerPretrain, type PretrainStepRow } from './pretrain-step.js';

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
  const report = reportPlan(compiled.plan, c.name, 'wgsl', { code: compiled.kernels.map((k) => k.source) });
  return { case: c.name, mode, dispatches: report.dispatches, flops: report.flops, bytes: report.bytesRead + report.bytesWritten, compileMs, medianMs };
}

interface StepRow {
  device: string;
  mode: FusionMode;
  dispatches: number;
  firstStepMs: number;
  medianMs: number;
}

/** A training step as a Program: params and AdamW moments on the device, one step per run. */
async function measureStep(mode: FusionMode, batch: number): Promise<StepRow> {
  const device = await WebGpuDevice.create({ mode, yieldWhileWaiting: !spin });
  const model = buildGraph(loadProgram(join(root, 'examples/fiber_train.fib')), 'FiberTinyContrastive', { bindings: { B: batch, T: 16 } });
  const step = trainingStep(model, 'out', { optimizer: { kind: 'adamw' }, groups: fiberParamGroups() });
  const inputs = (t: number): Map<string, HostTensor> => new Map([
    ['pixels', randomTensor([batch, 3, 64, 64], 10 + t)],
    ['ids', Tensor.from([batch, 16], Array.from({ length: batch * 16 }, (_, i) => (i * 7 + t) % 64), 'i32')],
    ['mask', Tensor.from([batch, 16], new Array(batch * 16).fill(1))],
    [LR_INPUT, Tensor.from([], [1e-4])],
    [STEP_INPUT, Tensor.from([], [t])],
  ]);
  const t0 = performance.now();
  const program = await device.load(step.graph, { updates: step.updates });
  program.setParams(new Map(model.params.map((p) => [(p.op as { name: string }).name, initParam(p, 1)])));
  await program.run(inputs(1));
  await program.read(['out']);
  const firstStepMs = performance.now() - t0;
  // A plain loop, not benny: a sample is a whole step (about a second), and benny's calibration
  // for short functions kept this case running for minutes.
  const times: number[] = [];
  for (let t = 2; t <= 9; t++) {
    const s = performance.now();
    await program.run(inputs(t));
    await program.read(['out']);
    times.push(performance.now() - s);
  }
  const medianMs = [...times].sort((x, y) => x - y)[Math.floor(times.length / 2)]!;
  program.dispose();
  const dispatches = (await device.compile(step.graph)).plan.dispatches.length;
  const name = device.name;
  device.dispose();
  return { device: name, mode, dispatches, firstStepMs, medianMs };
}

if (only === 'pretrain') {
  const batch = 8;
  const rows: PretrainStepRow[] = [];
  for (const mode of args.includes('--unfused') ? (['fused', 'unfused'] as const) : (['fused'] as const)) rows.push(await measurePretrainStep(mode, batch, 6, !spin));
  const peer = torchPeerPretrain(root, batch);
  printPretrainBench(batch, rows, peer);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results', `pretrain-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ batch, rows, peer }, null, 2));
  process.exit(0);
}

if (only === 'train') {
  const batch = 8;
  const steps: StepRow[] = [];
  for (const mode of ['fused', 'unfused'] as const) steps.push(await measureStep(mode, batch));
  const peer = torchPeerStep(root, buildGraph(loadProgram(join(root, 'examples/fiber_train.fib')), 'FiberTinyContrastive', { bindings: { B: 2, T: 16 } }), batch);
  console.log(`\nFiberTiny training step (batch ${batch}, AdamW) on ${steps[0]!.device}`);
  const row = (name: string, dispatches: string, ms: number, first: number): string => `${name.padEnd(8)} ${dispatches.padStart(5)} dispatches  ${ms.toFixed(0).padStart(6)} ms/step  ${(batch / (ms / 1000)).toFixed(1).padStart(6)} examples/s  first step ${(first / 1000).toFixed(1)} s`;
  for (const s of steps) console.log(row(s.mode, String(s.dispatches), s.medianMs, s.firstStepMs));
  console.log(`fused speed-up: ${(steps[1]!.medianMs / steps[0]!.medianMs).toFixed(2)}x`);
  if (peer.ran) {
    console.log(row('pytorch', '-', peer.medianMs, peer.firstStepMs), `(${peer.peer}; its loss on fiberc's params ${peer.checkedLoss.torch.toFixed(6)}, the interpreter's ${peer.checkedLoss.fiberc.toFixed(6)})`);
    console.log(`fused vs PyTorch: ${(peer.medianMs / steps[0]!.medianMs).toFixed(2)}x`);
  } else console.log(`PyTorch peer not run: ${peer.reason}`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results', `train-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ batch, steps, peer }, null, 2));
  process.exit(0);
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
