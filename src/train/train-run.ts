import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../files.js';
import { leafName, type Graph } from '../ir/graph.js';
import { HostTensor } from '../ir/tensor.js';
import type { Device } from '../runtime/device.js';
import type { Program } from '../runtime/program.js';
import { CheckpointError, readLatestCheckpoint, writeCheckpoint } from './checkpoint.js';
import { fiberEntryGraph, firstNames } from './fiber-entries.js';
import { learningRate } from './lr-schedule.js';
import { initialParam, type InitScheme } from './param-init.js';
import { fiberParamGroups, type MovingAverage } from './optimizer.js';
import { APPLY_INPUT, LR_INPUT, STEP_INPUT, trainingStep, type TrainingStep } from './step.js';

/**
 * A training run over one compiled program: an entry of examples/fiber_pretrain.fib turned
 * into a training step (AdamW with FIBER's param groups), loaded once on a device; each step
 * uploads a batch and the learning rate and reads back the losses. A run folder holds
 * metrics as JSON lines and checkpoints; a run resumed from its latest checkpoint takes
 * exactly the steps an uninterrupted run would (batches depend only on seed and step).
 * Pre-training (pretrain.ts) and VQA fine-tuning (vqa-finetune.ts) are tasks of it.
 */

/** What a run is: everything a resumed run must agree on (`steps` and `checkpointEvery` may change). */
export interface RunConfig {
  /** An entry of examples/fiber_pretrain.fib. */
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
  /** Learning-rate multiple of the task heads (FIBER's lr_mult_head: 5 in pre-training, 50 for VQA). */
  readonly headLrScale: number;
  /**
   * Learning-rate multiple of the cross-modal params (FIBER: 5); absent: `headLrScale`, which
   * covered both until they were told apart (so older checkpoints resume as they trained).
   */
  readonly crossModalLrScale?: number;
  readonly checkpointEvery: number;
  /** `--data` when not the synthetic corpus (`coco:DIR`), and the tokenizer file that goes with it. */
  readonly data?: string;
  readonly tokenizer?: string;
  /** How params not loaded from a checkpoint are drawn (param-init.ts); absent: as declared. */
  readonly init?: InitScheme;
  /**
   * Micro-batches of `batch` examples per optimizer step, their gradients averaged into
   * one update (OptimizerOptions.accumulate); absent: 1. ITC's in-batch negatives stay within a
   * micro-batch, as with accumulation in PyTorch.
   */
  readonly accumulate?: number;
  /**
   * The weight of the place objective, which names from the fused `[CLS]` features the grid cells
   * of the two objects a text compares: in VQA fine-tuning FiberVQAGrounded's (a relation
   * question), in coarse pre-training FiberPretrainingGrounded's (a relation statement about each
   * image); absent: FIBER's losses alone.
   */
  readonly placeWeight?: number;
  /**
   * VQA fine-tuning's opening phase: its first `steps` steps draw only questions of `types`
   * (the synthetic corpus's or a question file's `"type"`), the rest every question; absent:
   * every step draws every question. For the place objective, relation questions first, so
   * that the places are held before the answers need them (spec/training.md).
   */
  readonly opening?: VqaOpening;
  /** Where fusion gates not loaded from a checkpoint start (absent: as declared, FIBER's 0). */
  readonly alphaInit?: number;
  /** The words MLM also masks one of per caption (`attributes` or a words file, data/mlm-focus.ts); absent: FIBER's masking. */
  readonly mlmFocus?: string;
  /** The chance of each caption token to be masked at random (absent: FIBER's 0.15; 0 with `mlmFocus`: only the focus words). */
  readonly mlmProbability?: number;
  /** The chance of each focus word to be masked, one always is (absent: exactly one per caption). */
  readonly mlmFocusProbability?: number;
  /** How the synthetic captions place their objects, when not each by its cell (`relative`, data/captions.ts). */
  readonly captions?: 'relative';
  /** Images of the synthetic corpus trained on (absent with `data`). */
  readonly trainSize?: number;
}

/** The steps of a VQA run that draw only some question types, and which. */
export interface VqaOpening {
  readonly steps: number;
  readonly types: readonly string[];
}

/**
 * The cross-modal learning-rate multiple a (saved) run configuration trains with: checkpoints
 * from before it was recorded scaled cross-modal params by the heads' multiple.
 */
function crossModalLrScaleOf<T>(config: { readonly crossModalLrScale?: T; readonly headLrScale: T }): T {
  return config.crossModalLrScale ?? config.headLrScale;
}

/** Synthetic training images of checkpoints from before their number was recorded. */
const UNRECORDED_TRAIN_SIZE = 4000;

/** The synthetic training images a saved run configuration trained on; undefined with other data. */
export function recordedTrainSize(config: Readonly<Record<string, unknown>>): number | undefined {
  if (config.data !== undefined) return undefined;
  return typeof config.trainSize === 'number' ? config.trainSize : UNRECORDED_TRAIN_SIZE;
}

/** What one kind of run adds to the loop. */
export interface RunTask {
  /** Scalar outputs read after every step; the first is the loss trained on. */
  readonly losses: readonly string[];
  /** Outputs that replace params after every step besides the optimizer's (feature queues). */
  readonly extraUpdates?: ReadonlyMap<string, string>;
  /** Params left out of training. */
  readonly frozen?: RegExp;
  /** Frozen params kept at a moving average of others (a momentum encoder); they start as copies. */
  readonly average?: MovingAverage;
  /** The inputs of micro-batch `index` (0-based; the step's number when there is no accumulation). */
  batch(index: number): Map<string, HostTensor>;
  /** Initial values of params a fresh run does not draw from the seed (a pre-trained backbone). */
  readonly init?: ReadonlyMap<string, HostTensor>;
  /**
   * With `init`: the only params a fresh run may draw from the seed (a new head); a checkpoint
   * that lacks any other stops the run. Absent: `init` starts what it has, the rest is drawn.
   */
  readonly drawn?: RegExp;
  /** Where `init` came from, for the message when it lacks a param. */
  readonly initFrom?: string;
}

/** The losses of one step (means over its micro-batches), its learning rate and time. */
export type StepMetrics = { readonly step: number; readonly lr: number; readonly seconds: number } & Readonly<Record<string, number>>;

export interface RunHooks {
  /** Called when the run starts: the first step it will take (1 unless resumed). */
  readonly onStart?: (firstStep: number) => void;
  /** Called after every step (after its checkpoint, when it has one). */
  readonly onStep?: (m: StepMetrics) => void;
  /** Called with what a resumed run took from its checkpoint instead of the configuration given. */
  readonly onNote?: (message: string) => void;
}

/** The model graph and its training step for a configuration. */
export function runStep(config: RunConfig, task: Pick<RunTask, 'losses' | 'extraUpdates' | 'frozen' | 'average'>): { model: Graph; step: TrainingStep; updates: Map<string, string> } {
  const model = fiberEntryGraph(config.entry, config.batch, config.textLength);
  const step = trainingStep(model, task.losses[0]!, {
    optimizer: { kind: 'adamw', beta1: config.betas[0], beta2: config.betas[1], weightDecay: config.weightDecay },
    groups: fiberParamGroups(config.weightDecay, config.headLrScale, crossModalLrScaleOf(config)),
    ...(task.frozen ? { frozen: task.frozen } : {}),
    ...(task.average ? { average: task.average } : {}),
    ...((config.accumulate ?? 1) > 1 ? { accumulate: config.accumulate } : {}),
  });
  return { model, step, updates: new Map([...step.updates, ...(task.extraUpdates ?? [])]) };
}

/** Runs (or resumes) a task in `out`; returns the program, left loaded for the caller. */
export async function runTraining(device: Device, given: RunConfig, task: RunTask, out: string, resume: boolean, hooks: RunHooks = {}): Promise<Program> {
  mkdirSync(out, { recursive: true });
  const { model, step, updates } = runStep(given, task);
  const names = [...model.params.map(leafName), ...step.state];
  const checkpoint = resume ? readLatestCheckpoint(out) : undefined;
  let config = given;
  if (checkpoint) {
    // A run extended (or shortened) on resuming keeps the warmup it had: given as a fraction
    // of the steps, it would otherwise change with them and stop the run from resuming.
    const [steps, warmup] = [checkpoint.config.steps, checkpoint.config.warmup];
    if (steps !== given.steps && typeof warmup === 'number' && warmup !== given.warmup) {
      config = { ...given, warmup };
      hooks.onNote?.(`keeping the checkpoint's warmup of ${warmup} steps (this run's steps, ${given.steps}, differ from its ${String(steps)})`);
    }
    // Every key either side has: optional ones (data, tokenizer) are absent at their defaults.
    // The number of training images is compared after the data they are drawn from.
    const keys = [...new Set([...Object.keys(config), ...Object.keys(checkpoint.config)])].sort((a, b) => Number(a === 'trainSize') - Number(b === 'trainSize')) as (keyof RunConfig)[];
    // Checkpoints from before `init` was recorded were drawn as declared.
    const setting = (c: Partial<Record<keyof RunConfig, unknown>>, key: keyof RunConfig): unknown =>
      key === 'init' ? c[key] ?? 'declared' : key === 'trainSize' ? recordedTrainSize(c) : key === 'crossModalLrScale' ? crossModalLrScaleOf({ crossModalLrScale: c.crossModalLrScale, headLrScale: c.headLrScale }) : c[key];
    for (const key of keys) {
      if (key === 'steps' || key === 'checkpointEvery') continue;
      const [was, now] = [setting(checkpoint.config, key), setting(config, key)];
      if (JSON.stringify(was) !== JSON.stringify(now)) throw new CheckpointError(`cannot resume ${checkpoint.path}: it was trained with ${key} = ${JSON.stringify(was) ?? 'the default'}, this run asks for ${JSON.stringify(now) ?? 'the default'}`);
    }
  }
  if (!checkpoint) requireInit(model, task);
  const program = await device.load(step.graph, { updates });
  const start = checkpoint
    ? new Map(names.filter((n) => checkpoint.tensors.has(n)).map((n) => [n, checkpoint.tensors.get(n)!]))
    : freshParams(model, config, task);
  // Params the step never reads (its loss does not reach them: an image-tower entry's text
  // tower) are not on the device; they stay on the host as they started and go into every
  // checkpoint, so it holds the whole model.
  const running = new Set(step.graph.nodes.filter((n) => n.op.kind === 'param').map(leafName));
  const idle = new Map([...start].filter(([n]) => !running.has(n)));
  program.setParams(new Map([...start].filter(([n]) => running.has(n))));
  const schedule = { peak: config.lr, total: config.steps, warmup: config.warmup };
  const first = (checkpoint?.step ?? 0) + 1;
  // Metrics of steps after the checkpoint (a run killed between checkpoints) are taken again.
  const metricsPath = join(out, 'metrics.jsonl');
  keepMetricsUpTo(metricsPath, first - 1);
  hooks.onStart?.(first);
  const micro = config.accumulate ?? 1;
  // Batches are numbered by micro-batch, so a step's batches are the same however it resumes.
  const inputsOf = (t: number, m: number): Map<string, HostTensor> => {
    const apply: [string, HostTensor][] = micro > 1 ? [[APPLY_INPUT, HostTensor.from([], [m === micro - 1 ? 1 : 0])]] : [];
    return new Map([...task.batch((t - 1) * micro + m), [LR_INPUT, HostTensor.from([], [learningRate(schedule, t)])], [STEP_INPUT, HostTensor.from([], [t])], ...apply]);
  };
  let next = first <= config.steps ? inputsOf(first, 0) : undefined;
  for (let t = first; t <= config.steps; t++) {
    const started = performance.now();
    const lr = learningRate(schedule, t);
    const sums = new Map<string, number>();
    for (let m = 0; m < micro; m++) {
      await program.run(next!);
      // The next batch is drawn on the host while the device runs this one.
      const [nt, nm] = m + 1 < micro ? [t, m + 1] : [t + 1, 0];
      next = nt <= config.steps ? inputsOf(nt, nm) : undefined;
      const losses = await program.read(task.losses);
      for (const n of task.losses) sums.set(n, (sums.get(n) ?? 0) + losses.get(n)!.data[0]!);
    }
    const metrics: StepMetrics = { step: t, lr, ...Object.fromEntries(task.losses.map((n) => [n, sums.get(n)! / micro])), seconds: (performance.now() - started) / 1000 };
    appendFileSync(metricsPath, `${JSON.stringify(metrics)}\n`);
    if (t % config.checkpointEvery === 0 || t === config.steps) writeCheckpoint(out, t, new Map([...idle, ...(await program.read(names.filter((n) => running.has(n))))]), { ...config });
    hooks.onStep?.(metrics);
  }
  return program;
}

/**
 * Stops a fresh run whose `init` lacks a param it may not draw (a fine-tuned backbone from a
 * checkpoint of another model version), before anything is compiled or loaded.
 */
function requireInit(model: Graph, task: RunTask): void {
  if (!task.init || !task.drawn) return;
  const missing = model.params.map(leafName).filter((n) => !task.drawn!.test(n) && !task.init!.has(n));
  if (missing.length === 0) return;
  throw new CheckpointError(`${task.initFrom ?? 'the --init checkpoint'} lacks ${firstNames(missing)}: this run takes every param but the new head from it (was it trained as another model, or by an older fiberc?)`);
}

/** A fresh run's params: the task's, else drawn from the seed; a moving average starts as a copy of its source. */
function freshParams(model: Graph, config: RunConfig, task: RunTask): Map<string, HostTensor> {
  const byName = new Map(model.params.map((p) => [leafName(p), p]));
  const prefix = task.average?.prefix;
  return new Map(model.params.map((p) => {
    const name = leafName(p);
    const source = prefix !== undefined && name.startsWith(prefix) ? byName.get(name.slice(prefix.length)) ?? p : p;
    const loaded = task.init?.get(leafName(source));
    if (loaded) return [name, loaded];
    const drawn = initialParam(source, config.seed, config.init ?? 'declared');
    return [name, config.alphaInit !== undefined && /(^|\.)alpha$/.test(name) ? new HostTensor(drawn.shape, drawn.dtype, drawn.data.map(() => config.alphaInit!)) : drawn];
  }));
}

/** Rewrites a metrics file keeping the lines of steps up to `last` (all of them gone for 0). */
function keepMetricsUpTo(path: string, last: number): void {
  if (!existsSync(path)) return;
  const kept = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() && (JSON.parse(l) as StepMetrics).step <= last);
  writeFileAtomic(path, kept.map((l) => `${l}\n`).join(''), 'writing');
}
