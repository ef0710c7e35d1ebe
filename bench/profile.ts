/**
 * Per-dispatch profile of one entry on the WebGPU adapter: each dispatch timed with timestamp
 * queries (median of several runs), with its FLOPs, GFLOP/s and the kernels it runs as phases.
 * For performance work on the planner and code generator; figures are for reports only.
 *
 *   npm run profile -- ImageFusionBlockBase B=1 T=40 [--mode unfused] [--runs 5] [--grad]
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exampleInputs, withAlpha } from '../src/cli/demo.js';
import type { FusionMode } from '../src/compile/plan.js';
import { buildGraph } from '../src/dsl/entry.js';
import { loadProgram } from '../src/dsl/loader.js';
import { gradGraph } from '../src/ir/grad.js';
import { prepareFeeds } from '../src/runtime/feeds.js';
import { WebGpuDevice } from '../src/runtime/webgpu/device.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);
const entry = args[0] ?? 'ImageFusionBlockBase';
const bindings = Object.fromEntries(args.slice(1).filter((a) => /^\w+=\d+$/.test(a)).map((a) => [a.split('=')[0]!, Number(a.split('=')[1])]));
const mode = flag('--mode', 'fused') as FusionMode;
const runs = Number(flag('--runs', '5'));

const forward = buildGraph(loadProgram(join(root, 'examples/fiber.fib')), entry, { bindings });
// --grad: the backward graph, with random cotangents for the outputs.
const graph = args.includes('--grad') ? gradGraph(forward) : forward;
const feeds = withAlpha(graph, prepareFeeds(graph, exampleInputs(graph, 1), new Map(), 0), 0.5);
const device = await WebGpuDevice.create({ mode });
const t0 = performance.now();
const compiled = await device.compile(graph);
const session = device.session(compiled);
session.write(feeds);
session.dispatch();
await session.wait();
console.log(`${entry}${graph === forward ? '' : ' backward'} ${JSON.stringify(bindings)} (${mode}) on ${device.name}: first run ${(performance.now() - t0).toFixed(0)} ms`);
const samples: number[][] = [];
for (let r = 0; r < runs; r++) samples.push(await session.profile());
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
let total = 0;
compiled.kernels.forEach((_, i) => {
  const ms = median(samples.map((s) => s[i]!));
  total += ms;
  const d = compiled.plan.dispatches[i]!;
  const flops = d.phases.reduce((a, p) => a + p.kernel.flops, 0);
  const names = d.phases.map((p) => p.kernel.name);
  console.log(`${String(i).padStart(3)} ${ms.toFixed(2).padStart(9)} ms ${(flops / ms / 1e6).toFixed(1).padStart(6)} GFLOP/s  ${d.workgroups.join('x')}x${d.workgroupSize}  ${names.length > 3 ? `${names.length} phases: ${names[0]} .. ${names.at(-1)}` : names.join(', ')}`);
});
console.log(`total ${total.toFixed(1)} ms over ${compiled.kernels.length} dispatches`);
process.exit(0);
