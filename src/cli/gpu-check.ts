/**
 * The GPU check (scripts/gpu-check.sh runs it on a machine with an NVIDIA GPU, from a bundle):
 * every example layer, forward and backward, and FiberTiny on the CUDA backend against the
 * Float64 interpreter; then the fused FIBER-B layers timed at batch 1 and 8. Prints one JSON
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
if (simulate) process.exit(failures > 0 ? 1 : 0);
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
