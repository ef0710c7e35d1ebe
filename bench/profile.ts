/**
 * Per-dispatch profile of one entry on the WebGPU adapter: each dispatch timed with timestamp
 * queries (median of several runs), with its FLOPs, GFLOP/s and the kernels it runs as phases.
 * For performance work on the planner and code generator; figures are for reports only.
 *
 *   npm run profile -- ImageFusionBlockBase B=1 T=40 [--mode unfused] [--runs 5] [--grad]
 *   npm run profile -- --pretrain [--itc batch|queue] [--batch 8]
 *       the whole pre-training step of `fiberc train --model FiberTiny` (38 text positions) on
 *       a real synthetic batch; prints its 20 slowest dispatches and the time by part
 *       (forward, backward, optimizer update) and by kind (owner-phased or not)
 *   npm run profile -- --vqa [--batch 8] [--text-length N] [--entry E --place-weight W]
 *       the same for the VQA fine-tuning step of `fiberc train --task vqa --model FiberTiny`
 *       (FiberTinyVQA, the classifier at 50x), on a batch of synthetic questions, in as many
 *       text positions as their longest takes (as `fiberc train --task vqa`) or N; with
 *       --place-weight, the step of a place-head entry (FiberTinyVQAGrounded, or its readers:
 *       README's recipe is --entry FiberTinyVQARelationReader --place-weight 4)
 *   ... --all   every dispatch in plan order instead of the 20 slowest (to compare two builds)
 *   ... --show 290,358 [--show-dir DIR]
 *       also writes those dispatches' WGSL to DIR (default profile-dispatches/) and prints each
 *       phase: kernel, output shape, work items and FLOPs per owner, register tile if any
 *   ... --replace 188=FILE.wgsl[,127=FILE2.wgsl]
 *       runs those dispatches with hand-edited shaders (the same bindings) instead of the
 *       emitted ones, and says how far the step's outputs move from the emitted shaders': for
 *       trying a code-generation idea on one dispatch before teaching it to the emitter
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exampleInputs, withAlpha } from '../src/cli/demo.js';
import type { FusionMode } from '../src/compile/plan.js';
import { buildGraph } from '../src/dsl/entry.js';
import { loadProgram } from '../src/dsl/loader.js';
import { gradGraph } from '../src/ir/grad.js';
import { prepareFeeds } from '../src/runtime/feeds.js';
import { WebGpuDevice, type CompiledGraph } from '../src/runtime/webgpu/device.js';
import { imageText, syntheticCorpus } from '../src/data/synthetic.js';
import { TextTokenizer } from '../src/data/tokenizer.js';
import { leafName, type Graph } from '../src/ir/graph.js';
import { HostTensor } from '../src/ir/tensor.js';
import { initialParam } from '../src/train/param-init.js';
import { ITC_ENTRIES, pretrainTask } from '../src/train/pretrain.js';
import { LR_INPUT, STEP_INPUT } from '../src/train/step.js';
import { runStep, type RunConfig } from '../src/train/train-run.js';
import { questionPositions, vqaItems } from '../src/data/vqa-batch.js';
import { vqaTask } from '../src/train/vqa-finetune.js';
import { benchConfig } from './pretrain-step.js';
import type { Scalar } from '../src/compile/kernel-ir.js';
import { numel } from '../src/ir/shape.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);
const entry = args[0] ?? 'ImageFusionBlockBase';
const bindings = Object.fromEntries(args.slice(1).filter((a) => /^\w+=\d+$/.test(a)).map((a) => [a.split('=')[0]!, Number(a.split('=')[1])]));
const mode = flag('--mode', 'fused') as FusionMode;
const runs = Number(flag('--runs', '5'));

// A whole training step (--pretrain or --vqa) rather than one entry of examples/fiber.fib.
const trainingStep = args.includes('--pretrain') ? 'pretrain' : args.includes('--vqa') ? 'vqa' : undefined;
const wholeStep = trainingStep !== undefined;
const stepBatch = Number(flag('--batch', '8'));
const forward = wholeStep ? undefined : buildGraph(loadProgram(join(root, 'examples/fiber.fib')), entry, { bindings });
// --grad: the backward graph, with random cotangents for the outputs.
const { graph, feeds } = trainingStep === 'pretrain'
  ? pretrainStepFeeds(flag('--itc', 'batch'), stepBatch)
  : trainingStep === 'vqa'
  ? vqaStepFeeds(stepBatch)
  : (() => {
    const g = args.includes('--grad') ? gradGraph(forward!) : forward!;
    return { graph: g, feeds: withAlpha(g, prepareFeeds(g, exampleInputs(g, 1), new Map(), 0), 0.5) };
  })();
/** The pre-training step's graph and a step's feeds: fan-in params, zero moments, a real batch. */
function pretrainStepFeeds(itc: string, batch: number): { graph: Graph; feeds: Map<string, HostTensor> } {
  const suffix = ITC_ENTRIES[itc];
  if (!suffix) throw new Error(`--itc: ${Object.keys(ITC_ENTRIES).join(' or ')}, got '${itc}'`);
  const config = { ...benchConfig(batch), entry: `FiberTiny${suffix}` };
  const examples = syntheticCorpus({ seed: 0, sizes: { train: batch, val: 0, test: 0 } }).train.map(imageText);
  const task = pretrainTask(config, examples, TextTokenizer.synthetic());
  return stepFeeds(config, task, task.batch(0));
}

/**
 * The VQA fine-tuning step's graph and a step's feeds: as `fiberc train --task vqa` (the
 * classifier at 50x, the text in the positions the synthetic questions' longest takes).
 */
function vqaStepFeeds(batch: number): { graph: Graph; feeds: Map<string, HostTensor> } {
  const examples = syntheticCorpus({ seed: 0, sizes: { train: Math.max(batch, 200), val: 0, test: 0 } }).train.map(imageText);
  const [items, tokenizer] = [vqaItems(examples), TextTokenizer.synthetic()];
  const textLength = Number(flag('--text-length', String(questionPositions(items, tokenizer, 38))));
  const placeWeight = args.includes('--place-weight') ? Number(flag('--place-weight', '1')) : undefined;
  const entry = flag('--entry', placeWeight === undefined ? 'FiberTinyVQA' : 'FiberTinyVQAGrounded');
  const config = { ...benchConfig(batch), entry, headLrScale: 50, textLength, ...(placeWeight === undefined ? {} : { placeWeight }) };
  // Every param drawn as fan-in below: the profile times the step, not a pre-trained start.
  const task = vqaTask(config, items, tokenizer, new Map(), 'fan-in params');
  return stepFeeds(config, task, task.batch(0));
}

/** A training step's graph and its feeds for one batch: fan-in params, zero moments, step 1. */
function stepFeeds(config: RunConfig, task: Parameters<typeof runStep>[1], batch: Map<string, HostTensor>): { graph: Graph; feeds: Map<string, HostTensor> } {
  const { model, step } = runStep(config, task);
  const params = new Map(model.params.map((p) => [leafName(p), initialParam(p, 0, 'fan-in')]));
  const inputs = new Map([...batch, [LR_INPUT, HostTensor.from([], [1e-4])], [STEP_INPUT, HostTensor.from([], [1])]]);
  return { graph: step.graph, feeds: prepareFeeds(step.graph, inputs, params, 0) };
}

const device = await WebGpuDevice.create({ mode });
const t0 = performance.now();
const emitted = await device.compile(graph);
const compiled = await replaced(emitted, flag('--replace', ''));
const session = device.session(compiled);
session.write(feeds);
session.dispatch();
await session.wait();
if (compiled !== emitted) await compareOutputs();
const title = trainingStep === 'pretrain' ? `FiberTiny pre-training step (--itc ${flag('--itc', 'batch')}, batch ${stepBatch})` : trainingStep === 'vqa' ? `${flag('--entry', 'FiberTiny VQA')} fine-tuning step (batch ${stepBatch}, ${feeds.get('ids')!.shape[1]} text positions)` : `${entry}${graph === forward ? '' : ' backward'} ${JSON.stringify(bindings)}`;
console.log(`${title} (${mode}) on ${device.name}: first run ${(performance.now() - t0).toFixed(0)} ms`);
const samples: number[][] = [];
for (let r = 0; r < runs; r++) samples.push(await session.profile());
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows = compiled.kernels.map((_, i) => {
  const ms = median(samples.map((s) => s[i]!));
  const d = compiled.plan.dispatches[i]!;
  const flops = d.phases.reduce((a, p) => a + p.kernel.flops, 0);
  const names = d.phases.map((p) => p.kernel.name);
  const line = `${String(i).padStart(3)} ${ms.toFixed(2).padStart(9)} ms ${(flops / ms / 1e6).toFixed(1).padStart(6)} GFLOP/s  ${d.workgroups.join('x')}x${d.workgroupSize}  ${names.length > 3 ? `${names.length} phases: ${names[0]} .. ${names.at(-1)}` : names.join(', ')}`;
  // The training step's kernels are named by the scope they came from.
  const part = names.some((n) => n.endsWith('_update')) ? 'update' : names.some((n) => n.endsWith('_backward')) ? 'backward' : 'forward';
  return { ms, flops, line, part, owners: d.owners !== null };
});
const total = rows.reduce((s, r) => s + r.ms, 0);
const all = !wholeStep || args.includes('--all');
for (const r of all ? rows : [...rows].sort((a, b) => b.ms - a.ms).slice(0, 20)) console.log(r.line);
if (wholeStep) {
  const share = (pick: (r: (typeof rows)[number]) => boolean, name: string): void => {
    const chosen = rows.filter(pick);
    const ms = chosen.reduce((s, r) => s + r.ms, 0);
    const flops = chosen.reduce((s, r) => s + r.flops, 0);
    console.log(`${name.padEnd(24)} ${String(chosen.length).padStart(4)} dispatches ${ms.toFixed(0).padStart(7)} ms (${((100 * ms) / total).toFixed(0).padStart(2)}%) ${(flops / ms / 1e6).toFixed(2).padStart(6)} GFLOP/s`);
  };
  for (const part of ['forward', 'backward', 'update']) share((r) => r.part === part, part);
  share((r) => r.owners, 'owner-phased');
  share((r) => !r.owners, 'not owner-phased');
}
// The sum of each dispatch's fastest run: steadier than the medians' on a shared machine, where
// other work slows whole stretches of runs (compare changes by it, in alternated runs).
const fastest = compiled.kernels.reduce((s, _, i) => s + Math.min(...samples.map((x) => x[i]!)), 0);
console.log(`total ${total.toFixed(1)} ms over ${compiled.kernels.length} dispatches (fastest run of each: ${fastest.toFixed(1)} ms)`);
showDispatches(flag('--show', '').split(',').filter((x) => x !== '').map(Number), flag('--show-dir', 'profile-dispatches'));

/** The compiled graph with some dispatches' shaders read from files (`--replace N=FILE,...`). */
async function replaced(c: CompiledGraph, spec: string): Promise<CompiledGraph> {
  if (spec === '') return c;
  const kernels = [...c.kernels];
  const pipelines = [...c.pipelines];
  for (const item of spec.split(',')) {
    const [index, file] = item.split('=');
    const i = Number(index);
    if (!file || !kernels[i]) throw new Error(`--replace: want N=FILE.wgsl with N below ${kernels.length}, got '${item}'`);
    kernels[i] = { ...kernels[i]!, source: readFileSync(file, 'utf8') };
    pipelines[i] = await device.pipelineFor(kernels[i]!);
  }
  return { ...c, kernels, pipelines };
}

/** Runs the emitted shaders on the same feeds and prints the largest difference of each output that moved. */
async function compareOutputs(): Promise<void> {
  const reference = device.session(emitted);
  reference.write(feeds);
  reference.dispatch();
  await reference.wait();
  const [want, got] = [await reference.read(), await session.read()];
  let worst = 0;
  for (const [name, w] of want) {
    const g = got.get(name)!;
    let diff = 0;
    for (let j = 0; j < w.data.length; j++) diff = Math.max(diff, Math.abs(w.data[j]! - g.data[j]!) / (1 + Math.abs(w.data[j]!)));
    if (!(diff <= 1e-4)) console.log(`  replaced shaders move ${name} by ${diff.toExponential(2)} (relative)`);
    worst = Math.max(worst, diff);
  }
  console.log(`replaced shaders: outputs within ${worst.toExponential(2)} (relative) of the emitted shaders'`);
  reference.destroy();
}

/** The contractions of a kernel's value, as ` sums over 32x1216` (nested loops' sizes). */
function sums(s: Scalar): string {
  const sizes: string[] = [];
  const walk = (x: Scalar, outer: string): void => {
    const here = x.k === 'reduce' ? `${outer}${outer ? 'x' : ''}${x.loop.size}` : outer;
    if (x.k === 'reduce' && x.body.k !== 'reduce') sizes.push(here);
    for (const key of ['a', 'b', 'c', 'body'] as const) {
      const child = (x as unknown as Record<string, Scalar | undefined>)[key];
      if (child && typeof child === 'object' && 'k' in child) walk(child, here);
    }
  };
  walk(s, '');
  return sizes.length ? `, sums over ${[...new Set(sizes)].join(', ')}` : '';
}

/** Prints the phases of the chosen dispatches and writes their WGSL, for reading why one is slow. */
function showDispatches(indices: readonly number[], dir: string): void {
  if (indices.length === 0) return;
  mkdirSync(dir, { recursive: true });
  for (const i of indices) {
    const d = compiled.plan.dispatches[i];
    if (!d) throw new Error(`--show: no dispatch ${i} (the plan has ${compiled.plan.dispatches.length})`);
    const owners = d.owners ?? 1;
    console.log(`dispatch ${i}: ${d.workgroups.join('x')} workgroups of ${d.workgroupSize}, ${d.owners === null ? 'plain' : `${owners} owners`}, ${d.reason}`);
    d.phases.forEach((p, j) => {
      const k = p.kernel;
      const tile = d.schedule.phaseTiles?.[j];
      const ops = [...new Set(k.fused.map((n) => n.op.kind))].join(' ');
      const items = numel(k.output.node.shape) / owners;
      console.log(`  ${String(j).padStart(3)} ${k.name} [${k.output.node.shape.join(', ')}] ${items} items/owner, ${(k.flops / owners / 1e3).toFixed(1)} kFLOP/owner${tile ? `, tile ${tile.tm}x${tile.tn}` : ''}${sums(k.value)}  (${ops})`);
    });
    const file = join(dir, `dispatch-${i}.wgsl`);
    writeFileSync(file, compiled.kernels[i]!.source);
    console.log(`  WGSL: ${file}`);
  }
}
process.exit(0);
