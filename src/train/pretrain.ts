import { focusTokenIds } from '../data/mlm-focus.js';
import { PretrainBatches, type ImageTextExample } from '../data/pretrain-batch.js';
import type { Scene } from '../data/scene.js';
import { statementInputs } from '../data/statement-batch.js';
import type { TextTokenizer } from '../data/tokenizer.js';
import { HostTensor } from '../ir/tensor.js';
import type { Device } from '../runtime/device.js';
import type { Program } from '../runtime/program.js';
import type { MovingAverage } from './optimizer.js';
import { runTraining, type RunConfig, type RunHooks, type RunTask } from './train-run.js';

/**
 * FIBER's coarse-grained pre-training (examples/fiber_pretrain.fib, FiberPretraining): ITC +
 * MLM + ITM summed in one step, the feature queues and the momentum encoder updated in place
 * (frozen to the optimizer), batches from
 * image-text examples (data/pretrain-batch.ts).
 */

export const PRETRAIN_LOSSES = ['loss', 'itc', 'mlm', 'itm'] as const;
/** Queue outputs and the params they replace. */
export const QUEUE_UPDATES: ReadonlyMap<string, string> = new Map([['image_queue_next', 'image_queue'], ['text_queue_next', 'text_queue']]);
/** The pre-training entry of each choice of ITC negatives (`--itc`), after the model's name. */
export const ITC_ENTRIES: Readonly<Record<string, string>> = { batch: 'PretrainingInBatch', queue: 'Pretraining' };

/** The pre-training entry with the place objective (`--place-weight`): queue ITC, statements' rows beside MLM's and ITM's. */
export const GROUNDED_ENTRY = 'PretrainingGrounded';

/** The model a pre-training entry trains (`FiberTiny` for `FiberTinyPretrainingInBatch`), or undefined for other entries. */
export function pretrainedModel(entry: string): string | undefined {
  const suffix = [...Object.values(ITC_ENTRIES), GROUNDED_ENTRY].find((s) => entry.endsWith(s));
  return suffix === undefined ? undefined : entry.slice(0, -suffix.length);
}

/** The momentum encoder (`momentum.*`): a moving average of the ITC path with ALBEF's decay. */
export const MOMENTUM_ENCODER: MovingAverage = { prefix: 'momentum.', decay: 0.995 };

/**
 * The pre-training task over some examples. With `config.placeWeight` (FiberPretrainingGrounded)
 * each example needs its scene: its batches also carry a relation statement per image and the
 * objective's weight, and `place_loss` is logged.
 */
export function pretrainTask(config: RunConfig, examples: readonly (ImageTextExample & { readonly scene?: Scene })[], tokenizer: TextTokenizer): RunTask {
  const masking = {
    ...(config.mlmFocus !== undefined ? { focus: focusTokenIds(config.mlmFocus, tokenizer) } : {}),
    ...(config.mlmProbability !== undefined ? { probability: config.mlmProbability } : {}),
    ...(config.mlmFocusProbability !== undefined ? { focusProbability: config.mlmFocusProbability } : {}),
  };
  const batches = new PretrainBatches(examples, tokenizer, { seed: config.seed, batch: config.batch, imageSize: config.imageSize, textLength: config.textLength, masking });
  // The in-batch entries have no queue and no momentum encoder.
  if (config.entry.endsWith(ITC_ENTRIES.batch!)) return { losses: PRETRAIN_LOSSES, batch: (step) => batches.batch(step) };
  const queued = { extraUpdates: QUEUE_UPDATES, frozen: /(_queue$|^momentum\.)/, average: MOMENTUM_ENCODER };
  if (config.placeWeight === undefined) return { losses: PRETRAIN_LOSSES, ...queued, batch: (step) => batches.batch(step) };
  const weight = HostTensor.from([], [config.placeWeight]);
  const batch = (step: number): Map<string, HostTensor> => {
    const scenes = batches.examplesAt(step).map((e) => {
      if (!e.scene) throw new Error(`example ${e.id} has no scene: the place objective needs the synthetic corpus`);
      return e.scene;
    });
    return new Map([...batches.batch(step), ...statementInputs(scenes, tokenizer, config.textLength, config.seed, step), ['place_weight', weight]]);
  };
  return { losses: [...PRETRAIN_LOSSES, 'place_loss'], ...queued, batch };
}

/** Runs (or resumes) pre-training in `out`; returns the loaded program. */
export function pretrain(device: Device, config: RunConfig, examples: readonly ImageTextExample[], tokenizer: TextTokenizer, out: string, resume: boolean, hooks: RunHooks = {}): Promise<Program> {
  return runTraining(device, config, pretrainTask(config, examples, tokenizer), out, resume, hooks);
}
