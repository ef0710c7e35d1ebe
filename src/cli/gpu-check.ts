/**
 * The GPU check (scripts/gpu-check.sh runs it on a machine with an NVIDIA GPU, from a bundle):
 * every example layer, forward and backward, and FiberTiny on the CUDA backend against the
 * Float64 interpreter; a training step (TextLayerContrastive) against the interpreter's; then
 * a FiberTiny training step, a FIBER-B forward and the fused FIBER-B layers timed. Prints one JSON
 * object per line; PyTorch eager timings of the same shapes come from bench/torch_fiber.py.
 * `--simulate` runs the FiberTiny checks on the PTX simulator instead of a GPU (no FIBER-B
 * sizes, no timings): a rehearsal of the bundle on a machine without one.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildGraph } from '../dsl/entry.js';
import { loadProgram } from '../dsl/loader.js';
import { relativeMaxError } from '../ir/compare.js';
import { gradGraph } from '../ir/grad.js';
import { randomTensor } from '../ir/gradcheck.js';
import { interpret } from '../ir/interpret.js';
import { CUDA_DEFAULT_LIMITS } from '../compile/limits.js';
import { compilePtx } from '../driver/pipeline.js';
import { CudaDevice } from '../runtime/cuda/device.js';
import { NoCudaDriverError } from '../runtime/cuda/driver.js';
import { SimulatedCudaDriver } from '../runtime/ptxsim/driver.js';
import { prepareFeeds } from '../runtime/feeds.js';
import { CpuDevice } from '../runtime/cpu.js';
import { leafName } from '../ir/graph.js';
import { initParam } from '../ir/init.js';
import { HostTensor } from '../ir/tensor.js';
import { fiberParamGroups } from '../train/optimizer.js';
import { LR_INPUT, STEP_INPUT, trainingStep } from '../train/step.js';
import { exampleInputs, withAlpha } from './demo.js';

function findExamples(): string {
  // Next to the bundle (.gpu/fiberc/examples) or in the repository (examples/).
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [join(here, 'examples'), join(here, '../../../examples'), join(here, '../../examples')]) {
    try {
      loadProgram(join(dir, 'fiber.fib'));
      return dir;
    } catch {
      // try the next place
    }
  }
  throw new Error('examples/fiber.fib not found next to the GPU check');
}

const out = (o: object): void => console.log(JSON.stringify(o));

const program = loadProgram(join(findExamples(), 'fiber.fib'));
// Compile everything first: on a machine without a driver this still checks the bundle.
const ptx = compilePtx(buildGraph(program, 'FiberTiny', { bindings: { B: 2, T: 8 } }), { mode: 'fused', limits: CUDA_DEFAULT_LIMITS, arch: 'sm_90' });
out({ compiled: 'FiberTiny', kernels: ptx.module.entries.length });
const simulate = process.argv.includes('--simulate');
let device: CudaDevice;
try {
  device = simulate ? CudaDevice.withDriver(new SimulatedCudaDriver()) : CudaDevice.create();
} catch (e) {
  if (e instanceof NoCudaDriverError) {
    out({ device: null, error: e.message });
    process.exit(2);
  }
  throw e;
}
out({ device: device.name });
let failures = 0;
const checks: [string, Record<string, number>, boolean][] = [
  ['ImageFusionBlockTiny', { B: 2, T: 8 }, false], ['ImageFusionBlockTiny', { B: 2, T: 8 }, true],
  ['TextFusionLayerTiny', { B: 2, T: 8, L: 16 }, false], ['TextFusionLayerTiny', { B: 2, T: 8, L: 16 }, true],
  ['FiberTiny', { B: 2, T: 8 }, false],
  ['ImageFusionBlockBase', { B: 1, T: 40 }, false], ['TextFusionLayerBase', { B: 1, T: 40, L: 576 }, false],
];
for (const [entry, bindings, backward] of checks) {
  if (simulate && !entry.endsWith('Tiny')) continue;
  const forward = buildGraph(program, entry, { bindings });
  const graph = backward ? gradGraph(forward) : forward;
  const feeds = withAlpha(forward, prepareFeeds(forward, exampleInputs(forward, 1), new Map(), 0), 0.5);
  for (const o of forward.outputs) if (backward) feeds.set(`grad:${o.name}`, randomTensor(o.node.shape, 2));
  const expected = interpret(graph, feeds);
  const actual = await device.run(graph, feeds);
  const err = Math.max(...[...expected].map(([k, v]) => relativeMaxError(actual.get(k)!, v, 1e-3)));
  const ok = err < 2e-4;
  if (!ok) failures++;
  out({ check: `${entry}${backward ? ' backward' : ''}`, maxRelativeError: err, ok });
}
// Training steps as programs (params and moments on the device, updated in place): one
// TextLayerContrastive SGD-momentum step against the interpreter's, everywhere; on a GPU also
// FiberTiny's AdamW step at batch 8 timed, and a FIBER-B forward at batch 1.
const train = loadProgram(join(findExamples(), 'fiber_train.fib'));
{
  const model = buildGraph(train, 'TextLayerContrastive', { bindings: { B: 2, T: 8, L: 16 } });
  const step = trainingStep(model, 'out', { optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 0.01 }, groups: fiberParamGroups() });
  const params = withAlpha(model, new Map(model.params.map((p) => [leafName(p), initParam(p, 1)])), 0.5);
  const inputs = (t: number): Map<string, HostTensor> => new Map([
    ['h', randomTensor([2, 8, 32], 30 + t)], ['mask', HostTensor.from([2, 8], new Array(16).fill(1))], ['image', randomTensor([2, 16, 32], 40 + t)],
    [LR_INPUT, HostTensor.from([], [0.5])], [STEP_INPUT, HostTensor.from([], [t])],
  ]);
  const after: Map<string, HostTensor>[] = [];
  for (const d of [new CpuDevice(), device]) {
    const p = await d.load(step.graph, { updates: step.updates });
    p.setParams(params);
    for (const t of [1, 2]) await p.run(inputs(t));
    after.push(await p.read(step.trainable));
    p.dispose();
  }
  const err = Math.max(...step.trainable.map((n) => relativeMaxError(after[1]!.get(n)!, after[0]!.get(n)!, 1e-3)));
  const ok = err < 1e-4;
  if (!ok) failures++;
  out({ check: 'TextLayerContrastive: params after two SGD-momentum steps', maxRelativeError: err, ok });
}
if (simulate) process.exit(failures > 0 ? 1 : 0);
{
  const batch = 8;
  const model = buildGraph(train, 'FiberTinyContrastive', { bindings: { B: batch, T: 16 } });
  const step = trainingStep(model, 'out', { optimizer: { kind: 'adamw' }, groups: fiberParamGroups() });
  const p = await device.load(step.graph, { updates: step.updates });
  p.setParams(new Map(model.params.map((x) => [leafName(x), initParam(x, 1)])));
  const feeds = prepareFeeds(model, exampleInputs(model, 1), new Map(), 0);
  const batchInputs = (t: number): Map<string, HostTensor> => new Map([...model.inputs.map((n) => [leafName(n), feeds.get(leafName(n))!] as const), [LR_INPUT, HostTensor.from([], [1e-4])], [STEP_INPUT, HostTensor.from([], [t])]]);
  const losses: number[] = [];
  const t0 = performance.now();
  for (let t = 1; t <= 20; t++) {
    await p.run(batchInputs(t));
    losses.push((await p.read(['out'])).get('out')!.data[0]!);
  }
  const ms = (performance.now() - t0) / 20;
  p.dispose();
  const ok = losses.every(Number.isFinite) && losses[19]! < losses[0]!;
  if (!ok) failures++;
  out({ time: 'FiberTinyContrastive training step (AdamW, one batch repeated)', batch, msPerStep: ms, examplesPerSecond: batch / (ms / 1000), firstLoss: losses[0], lastLoss: losses[19], ok });
}
{
  const graph = buildGraph(program, 'FiberBase', { bindings: { B: 1, T: 40 } });
  const feeds = prepareFeeds(graph, exampleInputs(graph, 1), new Map(), 0);
  const t = await device.time(graph, feeds, 5);
  const finite = [...t.outputs.values()].every((o) => o.data.every(Number.isFinite));
  if (!finite) failures++;
  out({ time: 'FiberBase forward', batch: 1, medianMs: t.medianMs, launches: t.launches, finite });
}
// Tensor-core matmuls (f16/bf16 operands, f32 accumulation): checked with tolerances for the
// operand rounding (bf16 keeps 8 bits of mantissa, f16 11), then timed like the f32 path.
for (const [precision, tolerance] of [['f16', 5e-3], ['bf16', 4e-2]] as const) {
  const tc = CudaDevice.create(0, precision);
  for (const [entry, bindings] of [['ImageFusionBlockBase', { B: 1, T: 40 }], ['TextFusionLayerBase', { B: 1, T: 40, L: 576 }]] as const) {
    const graph = buildGraph(program, entry, { bindings });
    const feeds = withAlpha(graph, prepareFeeds(graph, exampleInputs(graph, 1), new Map(), 0), 0.5);
    const expected = interpret(graph, feeds);
    const t = await tc.time(graph, feeds, 10);
    const err = Math.max(...[...expected].map(([k, v]) => relativeMaxError(t.outputs.get(k)!, v, 1e-3)));
    const ok = err < tolerance;
    if (!ok) failures++;
    out({ check: `${entry} ${precision} tensor cores`, maxRelativeError: err, ok, medianMs: t.medianMs });
  }
}
for (const batch of [1, 8]) {
  for (const [entry, extra] of [['ImageFusionBlockBase', {}], ['TextFusionLayerBase', { L: 576 }]] as const) {
    const graph = buildGraph(program, entry, { bindings: { B: batch, T: 40, ...extra } });
    const feeds = withAlpha(graph, prepareFeeds(graph, exampleInputs(graph, 1), new Map(), 0), 0.5);
    const t = await device.time(graph, feeds, 10);
    out({ time: entry, batch, medianMs: t.medianMs, launches: t.launches });
  }
}
process.exit(failures > 0 ? 1 : 0);
