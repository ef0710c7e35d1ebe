import type { TextTokenizer } from '../data/tokenizer.js';
import { itemsOfTypes, vqaBatch, type VqaItem } from '../data/vqa-batch.js';
import type { HostTensor } from '../ir/tensor.js';
import type { RunTask, RunConfig } from './train-run.js';

/**
 * VQA fine-tuning (examples/fiber_pretrain.fib, FiberVQA): the fused backbone, its transforms
 * and poolers start from a pre-training checkpoint (by name), the classifier from the seed; a
 * checkpoint lacking any other param stops the run. One (image, question) item per row
 * (data/vqa-batch.ts). With `placeWeight` the entry is FiberVQAGrounded (or a reader of its
 * heads), whose place (and relation) heads are drawn from the seed too, and the batches carry
 * the compared objects' places and the relation asked. With `opening`, the first steps' batches
 * are drawn from the questions of its types alone, in a seeded order of their own.
 */
export function vqaTask(config: RunConfig, items: readonly VqaItem[], tokenizer: TextTokenizer, pretrained: ReadonlyMap<string, HostTensor>, from: string): RunTask {
  const grounded = config.placeWeight !== undefined;
  const options = { seed: config.seed, batch: config.batch, imageSize: config.imageSize, textLength: config.textLength, ...(grounded ? { placeWeight: config.placeWeight } : {}) };
  const opening = config.opening && { items: itemsOfTypes(items, config.opening.types), batches: config.opening.steps * (config.accumulate ?? 1) };
  if (opening && opening.items.length < config.batch) throw new Error(`the opening phase draws batches of ${config.batch} from the questions of type ${config.opening!.types.join(', ')}: the training set holds ${opening.items.length}`);
  // Only the heads are new: a backbone param drawn from the seed would be fine-tuned as if trained.
  return {
    losses: grounded ? ['loss', 'place_loss'] : ['loss'],
    // Micro-batches are numbered from 0, so the opening's are those below its steps x accumulation.
    batch: (index) => vqaBatch(opening && index < opening.batches ? opening.items : items, tokenizer, options, index),
    init: pretrained,
    drawn: grounded ? /^(vqa_classifier|relplace_head|relword_head)\./ : /^vqa_classifier\./, initFrom: from,
  };
}
