import { focusTokenIds } from '../data/mlm-focus.js';
import { PretrainBatches, type ImageTextExample } from '../data/pretrain-batch.js';
import type { TextTokenizer } from '../data/tokenizer.js';
import type { HostTensor } from '../ir/tensor.js';
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

/** The model a pre-training entry trains (`FiberTiny` for `FiberTinyPretrainingInBatch`), or undefined for other entries. */
export function pretrainedModel(entry: string): string | undefined {
  const suffix = Object.values(ITC_ENTRIES).find((s) => entry.endsWith(s));
  return suffix === undefined ? undefined : entry.slice(0, -suffix.length);
}

/** The momentum encoder (`momentum.*`): a moving average of the ITC path with ALBEF's decay. */
export const MOMENTUM_ENCODER: MovingAverage = { prefix: 'momentum.', decay: 0.995 };

/** The pre-training task over some examples. */
export function pretrainTask(config: RunConfig, examples: readonly ImageTextExample[], tokenizer: TextTokenizer): RunTask {
  const masking = {
    ...(config.mlmFocus !== undefined ? { focus: focusTokenIds(config.mlmFocus, tokenizer) } : {}),
    ...(config.mlmProbability !== undefined ? { probability: config.mlmProbability } : {}),
    ...(config.mlmFocusProbability !== undefined ? { focusProbability: config.mlmFocusProbability } : {}),
  };
  const batches = new PretrainBatches(examples, tokenizer, { seed: config.seed, batch: config.batch, imageSize: config.imageSize, textLength: config.textLength, masking });
  const batch = (step: number): Map<string, HostTensor> => batches.batch(step);
  // The in-batch entries have no queue and no momentum encoder.
  if (config.entry.endsWith(ITC_ENTRIES.batch!)) return { losses: PRETRAIN_LOSSES, batch };
  return { losses: PRETRAIN_LOSSES, extraUpdates: QUEUE_UPDATES, frozen: /(_queue$|^momentum\.)/, average: MOMENTUM_ENCODER, batch };
}

/** Runs (or resumes) pre-training in `out`; returns the loaded program. */
export function pretrain(device: Device, config: RunConfig, examples: readonly ImageTextExample[], tokenizer: TextTokenizer, out: string, resume: boolean, hooks: RunHooks = {}): Promise<Program> {
  return runTraining(device, config, pretrainTask(config, examples, tokenizer), out, resume, hooks);
}
