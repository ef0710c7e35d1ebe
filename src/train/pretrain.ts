import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../files.js';
import { join } from 'node:path';
import { PretrainBatches, type ImageTextExample } from '../data/pretrain-batch.js';
import type { TextTokenizer } from '../data/tokenizer.js';
import { buildGraph } from '../dsl/entry.js';
import { loadProgram } from '../dsl/loader.js';
import type { Graph } from '../ir/graph.js';
import { initParam } from '../ir/init.js';
import { HostTensor } from '../ir/tensor.js';
import { installRoot } from '../paths.js';
import type { Device } from '../runtime/device.js';
import type { Program } from '../runtime/program.js';
import { CheckpointError, readLatestCheckpoint, writeCheckpoint } from './checkpoint.js';
import { learningRate } from './lr-schedule.js';
import { fiberParamGroups } from './optimizer.js';
import { LR_INPUT, STEP_INPUT, trainingStep, type TrainingStep } from './step.js';

/**
 * FIBER's coarse-grained pre-training as a loop over one compiled program: the training step
 * of examples/fiber_pretrain.fib (ITC + MLM + ITM, AdamW with FIBER's param groups, the
 * feature queues updated in place) loaded once on a device; each step uploads a batch and
 * the learning rate and reads back four numbers. A run folder holds metrics as JSON lines and
 * checkpoints; a run resumed from its latest checkpoint takes exactly the steps an
 * uninterrupted run would (batches depend only on seed and step: data/pretrain-batch.ts).
 */

/** What a pre-training run is: everything a resumed run must agree on. */
export interface PretrainConfig {
  /** A FiberPretraining alias of examples/fiber_pretrain.fib (`FiberTinyPretraining`). */
  readonly entry: string;
  readonly seed: number;
  readonly batch: number;
  readonly textLength: number;
  readonly imageSize: number;
  readonly steps: number;
  readonly lr: number;
  /** Warmup steps, then linear decay to 0 at `steps`. */
  readonly warmup: number;
  /** AdamW betas and weight decay (FIBER: 0.9, 0.98, 0.01). */
  readonly betas: readonly [number, number];
  readonly weightDecay: number;
  readonly checkpointEvery: number;
}

/** The losses of one step. */
export interface StepMetrics {
  readonly step: number;
  readonly lr: number;
  readonly loss: number;
  readonly itc: number;
  readonly mlm: number;
  readonly itm: number;
  readonly seconds: number;
}

export const LOSS_OUTPUTS = ['loss', 'itc', 'mlm', 'itm'] as const;
/** Queue outputs and the params they replace. */
const QUEUE_UPDATES: ReadonlyMap<string, string> = new Map([['image_queue_next', 'image_queue'], ['text_queue_next', 'text_queue']]);

/** The model graph and its training step for a configuration. */
export function pretrainingStep(config: PretrainConfig): { model: Graph; step: TrainingStep; updates: Map<string, string> } {
  const program = loadProgram(join(installRoot('examples/fiber_pretrain.fib'), 'examples', 'fiber_pretrain.fib'));
  const model = buildGraph(program, config.entry, { bindings: { B: config.batch, T: config.textLength } });
  const step = trainingStep(model, 'loss', {
    optimizer: { kind: 'adamw', beta1: config.betas[0], beta2: config.betas[1], weightDecay: config.weightDecay },
    groups: fiberParamGroups(config.weightDecay),
    frozen: /_queue$/,
  });
  return { model, step, updates: new Map([...step.updates, ...QUEUE_UPDATES]) };
}

/** Everything a checkpoint holds: the model's params (queues included) and the optimizer's state. */
function stateNames(model: Graph, step: TrainingStep): string[] {
  return [...model.params.map((p) => (p.op as { name: string }).name), ...step.state];
}

export interface PretrainHooks {
  /** Called after every step. */
  readonly onStep?: (m: StepMetrics) => void;
  /** Called when the run starts: the first step it will take (1 unless resumed). */
  readonly onStart?: (firstStep: number) => void;
}

/**
 * Runs (or resumes) pre-training in `out` on `device`; returns the program, left loaded for
 * the caller to read params from or dispose.
 */
export async function pretrain(device: Device, config: PretrainConfig, examples: readonly ImageTextExample[], tokenizer: TextTokenizer, out: string, resume: boolean, hooks: PretrainHooks = {}): Promise<Program> {
  mkdirSync(out, { recursive: true });
  const { model, step, updates } = pretrainingStep(config);
  const names = stateNames(model, step);
  const checkpoint = resume ? readLatestCheckpoint(out) : undefined;
  if (checkpoint) {
    for (const key of Object.keys(config) as (keyof PretrainConfig)[]) {
      if (key === 'steps' || key === 'checkpointEvery') continue;
      if (JSON.stringify(checkpoint.config[key]) !== JSON.stringify(config[key])) throw new CheckpointError(`cannot resume ${checkpoint.path}: it was trained with ${key} = ${JSON.stringify(checkpoint.config[key])}, this run asks for ${JSON.stringify(config[key])}`);
    }
  }
  const program = await device.load(step.graph, { updates });
  program.setParams(checkpoint ? new Map(names.filter((n) => checkpoint.tensors.has(n)).map((n) => [n, checkpoint.tensors.get(n)!])) : new Map(model.params.map((p) => [(p.op as { name: string }).name, initParam(p, config.seed)])));
  const batches = new PretrainBatches(examples, tokenizer, { seed: config.seed, batch: config.batch, imageSize: config.imageSize, textLength: config.textLength });
  const schedule = { peak: config.lr, total: config.steps, warmup: config.warmup };
  const first = (checkpoint?.step ?? 0) + 1;
  // Metrics of steps after the checkpoint (a run killed between checkpoints) are taken again.
  const metricsPath = join(out, 'metrics.jsonl');
  keepMetricsUpTo(metricsPath, first - 1);
  hooks.onStart?.(first);
  for (let t = first; t <= config.steps; t++) {
    const started = performance.now();
    const lr = learningRate(schedule, t);
    await program.run(new Map([...batches.batch(t - 1), [LR_INPUT, HostTensor.from([], [lr])], [STEP_INPUT, HostTensor.from([], [t])]]));
    const losses = await program.read(LOSS_OUTPUTS);
    const value = (n: string): number => losses.get(n)!.data[0]!;
    const metrics: StepMetrics = { step: t, lr, loss: value('loss'), itc: value('itc'), mlm: value('mlm'), itm: value('itm'), seconds: (performance.now() - started) / 1000 };
    appendFileSync(metricsPath, `${JSON.stringify(metrics)}\n`);
    if (t % config.checkpointEvery === 0 || t === config.steps) writeCheckpoint(out, t, await program.read(names), { ...config });
    hooks.onStep?.(metrics);
  }
  return program;
}

/** Rewrites a metrics file keeping the lines of steps up to `last` (all of them gone for 0). */
function keepMetricsUpTo(path: string, last: number): void {
  if (!existsSync(path)) return;
  const kept = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() && (JSON.parse(l) as StepMetrics).step <= last);
  writeFileAtomic(path, kept.map((l) => `${l}\n`).join(''), 'writing');
}
