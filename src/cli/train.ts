import cliProgress from 'cli-progress';
import { captionExamples, labelledImages, parseDataSource, parseOnBad, tokenizerFor, vqaExamples, type DataSource } from './data-source.js';
import type { BackendName } from '../runtime/device.js';
import { openDevice } from '../runtime/open.js';
import { WebGpuDevice } from '../runtime/webgpu/device.js';
import { describePrecompile } from '../runtime/webgpu/precompile.js';
import { checkpointAt, readLatestCheckpointConfig, trainedParams } from '../train/checkpoint.js';
import { fiberEntryGraph, textVocabulary } from '../train/fiber-entries.js';
import { imageTowerTask } from '../train/image-tower.js';
import { INIT_SCHEMES, type InitScheme } from '../train/param-init.js';
import { GROUNDED_ENTRY, ITC_ENTRIES, pretrainTask } from '../train/pretrain.js';
import { questionPositions, type VqaItem } from '../data/vqa-batch.js';
import { recordedTrainSize, runTraining, type RunConfig, type RunTask, type StepMetrics, type VqaOpening } from '../train/train-run.js';
import { vqaTask } from '../train/vqa-finetune.js';
import { CAPTION_STYLES } from '../data/captions.js';
import { finiteNumber, fraction, positiveInt, positiveNumber, UsageError, type CliIO } from './io.js';
import { writeRunPicture } from '../tasks/picture.js';

/**
 * `fiberc train`: FIBER's coarse-grained pre-training (`--task pretrain`) or VQA fine-tuning
 * from a pre-trained checkpoint (`--task vqa --init RUN`) on the synthetic corpus, into a run
 * folder (metrics.jsonl, checkpoints), with a progress bar on a terminal and a line every few
 * steps elsewhere.
 */

/** `--stage`: the image tower alone (FIBER's ImageNet-pretrained Swin, in miniature), or FIBER's coarse pre-training. */
export const TRAIN_STAGES = ['image', 'coarse'] as const;

/**
 * FIBER's learning-rate multiple of the task heads (lr_mult_head) when `--head-lr-scale` is not
 * given: 5 in pre-training, 50 when fine-tuning for VQA, where the classifier starts from
 * nothing (on the synthetic corpus's validation split, 2,500 steps at lr 1e-4 from one
 * checkpoint: 61.3% with 50 against 52.1% with 5; spec/training.md).
 */
export const HEAD_LR_SCALE = { pretrain: 5, vqa: 50 } as const;

/** Models `--model` accepts: each a `<Model>Pretraining` alias of examples/fiber_pretrain.fib. */
export const TRAIN_MODELS: Readonly<Record<string, { readonly imageSize: number; readonly maxTextLength: number }>> = {
  FiberTiny: { imageSize: 64, maxTextLength: 38 },
  FiberMicro: { imageSize: 32, maxTextLength: 38 },
};

export interface TrainFlags {
  task: string;
  init?: string;
  /** Absent: FIBER's lr_mult_head for the task (HEAD_LR_SCALE). */
  headLrScale?: string;
  /** The place objective's weight: `--task vqa`, FiberVQAGrounded (absent: FiberVQA); coarse pre-training, FiberPretrainingGrounded (absent: FiberPretraining). */
  placeWeight?: string;
  /** `--task vqa` with --place-weight: the classifier also reads the place head's cell distributions (FiberVQAPlaceReader). */
  readPlaces?: boolean;
  /** With --read-places: a head also names the relation asked, and the classifier reads it (FiberVQARelationReader). */
  readRelation?: boolean;
  /** `--task vqa`: the first steps draw only questions of `openingTypes` (RunConfig.opening). */
  openingSteps?: string;
  /** With --opening-steps: comma-separated question types (default: relation). */
  openingTypes?: string;
  crossModalLrScale: string;
  model: string;
  stage: string;
  data: string;
  steps: string;
  batch: string;
  out: string;
  resume?: boolean;
  backend: BackendName;
  seed: string;
  lr: string;
  warmup: string;
  /** Absent: the model's longest (38), or for `--task vqa` the training questions' longest. */
  textLength?: string;
  trainSize?: string;
  checkpointEvery: string;
  badData: string;
  tokenizer?: string;
  paramInit: string;
  alphaInit?: string;
  mlmFocus?: string;
  mlmProbability?: string;
  mlmFocusProbability?: string;
  itc: string;
  accumulate: string;
  /** How the synthetic captions place their objects: absolute or relative (data/captions.ts). */
  captions: string;
}

/** `--mlm-probability`: in [0, 1), and 0 only with a focus (else MLM would have nothing to predict). */
function mlmProbability(given: string, focus: string | undefined): number {
  const p = fraction('--mlm-probability', given, '[0, 1)', 'the chance of each token to be masked');
  if (p === 0 && focus === undefined) throw new UsageError('--mlm-probability 0 masks nothing: give --mlm-focus to mask only its words');
  return p;
}

/** `--mlm-focus-probability`: in (0, 1], and only with a focus. */
function mlmFocusProbability(given: string, focus: string | undefined): number {
  const p = fraction('--mlm-focus-probability', given, '(0, 1]', 'the chance of each focus word to be masked');
  if (focus === undefined) throw new UsageError('--mlm-focus-probability: give --mlm-focus, the words it masks');
  return p;
}

/** The run's configuration from the flags (every problem a UsageError naming the flag). */
export function trainConfig(flags: TrainFlags): RunConfig & { source: DataSource } {
  const model = TRAIN_MODELS[flags.model];
  if (!model) throw new UsageError(`--model: unknown model '${flags.model}' (models: ${Object.keys(TRAIN_MODELS).join(', ')})`);
  if (!(TRAIN_STAGES as readonly string[]).includes(flags.stage)) throw new UsageError(`--stage: ${TRAIN_STAGES.map((s) => `'${s}'`).join(' or ')}, got '${flags.stage}' (the fine-grained stage is not built yet)`);
  const imageStage = flags.stage === 'image';
  if (imageStage && flags.task !== 'pretrain') throw new UsageError(`--stage image pre-trains the image tower: it takes no --task ${flags.task}`);
  const source = parseDataSource(flags.data);
  if (flags.tokenizer !== undefined && source.kind === 'synthetic') throw new UsageError('--tokenizer: the synthetic corpus has its own vocabulary; a tokenizer file goes with --data coco:DIR');
  const steps = positiveInt('--steps', flags.steps);
  // VQA's default is sized to the training questions once they are read (runTrain).
  const textLength = flags.textLength === undefined ? model.maxTextLength : positiveInt('--text-length', flags.textLength);
  if (textLength < 2 || textLength > model.maxTextLength) throw new UsageError(`--text-length: ${flags.model} takes 2 to ${model.maxTextLength} tokens, got ${textLength}`);
  const warmup = fraction('--warmup', flags.warmup, '[0, 1)', 'the fraction of steps spent warming up');
  const batch = positiveInt('--batch', flags.batch);
  if (batch < 2 && !imageStage) throw new UsageError('--batch: ITM draws its negatives from the batch, so it needs 2 or more');
  if (!(INIT_SCHEMES as readonly string[]).includes(flags.paramInit)) throw new UsageError(`--param-init: ${INIT_SCHEMES.join(' or ')}, got '${flags.paramInit}'`);
  if (flags.task !== 'pretrain' && flags.task !== 'vqa') throw new UsageError(`--task: 'pretrain' or 'vqa', got '${flags.task}'`);
  for (const [flag, given] of [['--mlm-focus', flags.mlmFocus], ['--mlm-probability', flags.mlmProbability], ['--mlm-focus-probability', flags.mlmFocusProbability]] as const) {
    if (given !== undefined && (imageStage || flags.task !== 'pretrain')) throw new UsageError(`${flag} chooses the words MLM masks: it goes with coarse pre-training, not ${imageStage ? '--stage image' : `--task ${flags.task}`}`);
  }
  if (!(CAPTION_STYLES as readonly string[]).includes(flags.captions)) throw new UsageError(`--captions: ${CAPTION_STYLES.join(' or ')}, got '${flags.captions}'`);
  if (flags.captions !== 'absolute' && (imageStage || flags.task !== 'pretrain' || source.kind !== 'synthetic')) throw new UsageError('--captions chooses how the synthetic captions place their objects: it goes with coarse pre-training on --data synthetic');
  if (flags.task === 'vqa' && !flags.init) throw new UsageError('--task vqa fine-tunes a pre-trained model: give its run folder or checkpoint with --init');
  if (flags.placeWeight !== undefined && imageStage) throw new UsageError('--place-weight weighs an objective of the fused path: it goes with coarse pre-training or --task vqa, not --stage image');
  const placeWeight = flags.placeWeight === undefined ? undefined : positiveNumber('--place-weight', flags.placeWeight);
  // Only the synthetic corpus knows where a text's objects are (caption and question files name no places).
  if (placeWeight !== undefined && source.kind !== 'synthetic') throw new UsageError('--place-weight names the grid cells of the objects a synthetic relation question or statement compares: it goes with --data synthetic');
  if (flags.readPlaces && (flags.task !== 'vqa' || placeWeight === undefined)) throw new UsageError('--read-places lets the VQA classifier read the place head that --place-weight trains: it goes with --task vqa and --place-weight');
  if (flags.readRelation && !flags.readPlaces) throw new UsageError('--read-relation adds the relation asked to what --read-places lets the classifier read: give --read-places too');
  const opening = vqaOpening(flags, steps);
  const itc = ITC_ENTRIES[flags.itc];
  if (!itc) throw new UsageError(`--itc: ${Object.keys(ITC_ENTRIES).join(' or ')}, got '${flags.itc}'`);
  if (placeWeight !== undefined && flags.task === 'pretrain' && flags.itc !== 'queue') throw new UsageError('--place-weight in coarse pre-training is built on FiberPretraining: it goes with --itc queue');
  const accumulate = positiveInt('--accumulate', flags.accumulate);
  // By default every example a run takes is a new image: with 4,000 images repeated, held-out
  // recall trailed the same run on fresh images (spec/training.md).
  const trainSize = flags.trainSize === undefined ? steps * batch * accumulate : positiveInt('--train-size', flags.trainSize);
  return {
    entry: `${flags.model}${imageStage ? 'ImageTower' : flags.task === 'vqa' ? vqaEntry(placeWeight, flags.readPlaces === true, flags.readRelation === true) : placeWeight === undefined ? itc : GROUNDED_ENTRY}`, headLrScale: flags.headLrScale === undefined ? HEAD_LR_SCALE[flags.task === 'vqa' ? 'vqa' : 'pretrain'] : positiveNumber('--head-lr-scale', flags.headLrScale), crossModalLrScale: positiveNumber('--cross-modal-lr-scale', flags.crossModalLrScale), seed: Number(flags.seed) | 0, batch, textLength, imageSize: model.imageSize, steps,
    lr: positiveNumber('--lr', flags.lr), warmup: Math.round(warmup * steps), betas: [0.9, 0.98], weightDecay: 0.01,
    checkpointEvery: positiveInt('--checkpoint-every', flags.checkpointEvery), init: flags.paramInit as InitScheme, source,
    // Only data and accumulation other than the default are recorded, so that runs from before the flags resume.
    ...(source.kind === 'files' ? { data: flags.data, ...(flags.tokenizer ? { tokenizer: flags.tokenizer } : {}) } : { trainSize }),
    ...(flags.alphaInit !== undefined ? { alphaInit: finiteNumber('--alpha-init', flags.alphaInit) } : {}),
    ...(flags.mlmFocus !== undefined ? { mlmFocus: flags.mlmFocus } : {}),
    ...(flags.mlmProbability !== undefined ? { mlmProbability: mlmProbability(flags.mlmProbability, flags.mlmFocus) } : {}),
    ...(flags.mlmFocusProbability !== undefined ? { mlmFocusProbability: mlmFocusProbability(flags.mlmFocusProbability, flags.mlmFocus) } : {}),
    ...(accumulate > 1 ? { accumulate } : {}),
    ...(placeWeight !== undefined ? { placeWeight } : {}),
    ...(opening ? { opening } : {}),
    ...(flags.captions === 'relative' ? { captions: 'relative' as const } : {}),
  };
}

/** `--opening-steps` and `--opening-types`: fewer steps than the run's, and only with --task vqa. */
function vqaOpening(flags: TrainFlags, steps: number): VqaOpening | undefined {
  if (flags.openingSteps === undefined) {
    if (flags.openingTypes !== undefined) throw new UsageError('--opening-types: give --opening-steps, how many of the first steps draw only those types');
    return undefined;
  }
  if (flags.task !== 'vqa') throw new UsageError('--opening-steps chooses the question types of VQA fine-tuning\'s first steps: it goes with --task vqa');
  const openingSteps = positiveInt('--opening-steps', flags.openingSteps);
  if (openingSteps >= steps) throw new UsageError(`--opening-steps: the opening is the first part of the run's ${steps} steps, got ${openingSteps}`);
  const types = (flags.openingTypes ?? 'relation').split(',').map((t) => t.trim());
  if (types.some((t) => t === '')) throw new UsageError(`--opening-types: comma-separated question types, got '${flags.openingTypes}'`);
  return { steps: openingSteps, types };
}

/** Refuses an opening type no training question has (the types are known once the questions are read). */
function checkOpeningTypes(opening: VqaOpening, items: readonly VqaItem[]): void {
  const present = new Set(items.map((i) => i.question.type));
  const absent = opening.types.filter((t) => !present.has(t));
  if (absent.length > 0) throw new UsageError(`--opening-types: no training question is of type ${absent.map((t) => `'${t}'`).join(', ')} (the training questions' types: ${[...present].join(', ')})`);
}

/** The VQA entry's suffix: FiberVQA, FiberVQAGrounded with the place objective, FiberVQAPlaceReader when its classifier also reads the places, FiberVQARelationReader when it reads the relation asked too. */
function vqaEntry(placeWeight: number | undefined, readPlaces: boolean, readRelation: boolean): string {
  if (placeWeight === undefined) return 'VQA';
  if (!readPlaces) return 'VQAGrounded';
  return readRelation ? 'VQARelationReader' : 'VQAPlaceReader';
}

/**
 * A resumed run without --train-size reads the images it started on, though its default (one
 * per example its steps take) changes with --steps.
 */
function withSavedTrainSize(config: RunConfig, saved: SavedConfig, io: CliIO): RunConfig {
  const trainSize = saved ? recordedTrainSize(saved.config) : undefined;
  if (trainSize === undefined || config.trainSize === undefined || trainSize === config.trainSize) return config;
  io.err(`keeping the checkpoint's ${trainSize} training images (this run's steps would take ${config.trainSize})`);
  return { ...config, trainSize };
}

/** The configuration of the checkpoint a `--resume` continues (undefined without one). */
type SavedConfig = ReturnType<typeof readLatestCheckpointConfig>;

const fmt = (x: number): string => x.toFixed(3);

/** Runs `fiberc train`; returns the exit code. */
export async function runTrain(flags: TrainFlags, io: CliIO, interactive = process.stderr.isTTY === true): Promise<number> {
  const { source, ...given } = trainConfig(flags);
  const saved = flags.resume ? readLatestCheckpointConfig(flags.out) : undefined;
  let config = flags.resume && flags.trainSize === undefined ? withSavedTrainSize(given, saved, io) : given;
  const onBad = parseOnBad(flags.badData);
  const tokenizer = tokenizerFor(flags.tokenizer, flags.model, textVocabulary(fiberEntryGraph(config.entry, 2, config.textLength)));
  const request = { seed: config.seed, size: config.trainSize ?? 0, imageSize: config.imageSize, onBad, ...(config.captions ? { captions: config.captions } : {}) };
  let what: string;
  let task: RunTask;
  // What an --init checkpoint's run trained (its params with optimizer moments) starts this one.
  const initCheckpoint = flags.init === undefined ? undefined : checkpointAt(flags.init);
  const init = initCheckpoint && trainedParams(initCheckpoint.tensors);
  if (flags.task === 'vqa') {
    const data = await vqaExamples(source, 'train', request, io);
    if (config.opening) checkOpeningTypes(config.opening, data.items);
    // Questions are short: positions for the longest one only (the step's text side shrinks with
    // them); a resumed run keeps its checkpoint's (runs from before this default took 38).
    const savedLength = saved?.config.textLength;
    if (flags.textLength === undefined) config = { ...config, textLength: typeof savedLength === 'number' ? savedLength : questionPositions(data.items, tokenizer, config.textLength) };
    [what, task] = [`${data.what} (each in ${config.textLength} token positions)`, vqaTask(config, data.items, tokenizer, init!, initCheckpoint!.path)];
  } else if (flags.stage === 'image') {
    const data = labelledImages(source, request);
    [what, task] = [data.what, { ...imageTowerTask(config, data.images), ...(init ? { init } : {}) }];
  } else {
    const data = await captionExamples(source, 'train', request, io);
    [what, task] = [data.what, { ...pretrainTask(config, data.examples, tokenizer), ...(init ? { init } : {}) }];
  }
  if (init && !flags.resume) io.err(`starting from ${flags.init}: the ${init.size} params its run trained`);
  const parts = task.losses.slice(1);
  const device = await openDevice(flags.backend);
  const bar = interactive ? new cliProgress.SingleBar({ format: `step {value}/{total} | loss {loss}${parts.length ? ` (${parts.map((p) => `${p} {${p}}`).join(' ')})` : ''} | {speed} ex/s | ETA {eta_formatted}`, etaBuffer: 20 }, cliProgress.Presets.shades_classic) : undefined;
  const every = Math.max(1, Math.floor(config.steps / 20));
  const started = performance.now();
  let first = 1;
  const examplesPerStep = config.batch * (config.accumulate ?? 1);
  const onStep = (m: StepMetrics): void => {
    const speed = ((m.step - first + 1) * examplesPerStep) / ((performance.now() - started) / 1000);
    const values: Record<string, string> = { ...Object.fromEntries(task.losses.map((n) => [n, fmt(m[n]!)])), speed: speed.toFixed(1) };
    if (bar) bar.update(m.step, values);
    else if (m.step % every === 0 || m.step === config.steps) io.err(`step ${m.step}/${config.steps}: loss ${values.loss}${parts.length ? ` (${parts.map((p) => `${p} ${values[p]}`).join(' ')})` : ''}, ${values.speed} examples/s`);
  };
  const accumulated = config.accumulate ? ` (${config.accumulate} batches of ${config.batch}, gradients averaged)` : '';
  io.err(`training ${config.entry} on ${device.name}: ${config.steps} steps of ${examplesPerStep}${accumulated} from ${what}, into ${flags.out}`);
  try {
    const program = await runTraining(device, config, task, flags.out, flags.resume === true, {
      onStart: (step) => {
        if (device instanceof WebGpuDevice) device.precompiles.forEach((p) => io.err(describePrecompile(p)));
        first = step;
        if (step > 1) io.err(`resuming at step ${step}`);
        bar?.start(config.steps, step - 1, { ...Object.fromEntries(task.losses.map((n) => [n, '-'])), speed: '-' });
      },
      onStep,
      onNote: (message) => io.err(message),
    });
    program.dispose();
  } finally {
    bar?.stop();
    device.dispose();
  }
  io.out(`trained ${config.entry}: metrics in ${flags.out}/metrics.jsonl, checkpoint ${flags.out}/latest, picture ${writeRunPicture(flags.out)}`);
  return 0;
}
