import type { TextTokenizer } from '../data/tokenizer.js';
import { vqaBatch, type VqaItem } from '../data/vqa-batch.js';
import type { HostTensor } from '../ir/tensor.js';
import type { RunTask, RunConfig } from './train-run.js';

/**
 * VQA fine-tuning (examples/fiber_pretrain.fib, FiberVQA): the fused backbone, its transforms
 * and poolers start from a pre-training checkpoint (by name), the classifier from the seed; a
 * checkpoint lacking any other param stops the run. One (image, question) item per row
 * (data/vqa-batch.ts). With `placeWeight` the entry is FiberVQAGrounded (or a reader of its
 * heads), whose place (and relation) heads are drawn from the seed too, and the batches carry
 * the compared objects' places and the relation asked.
 */
export function vqaTask(config: RunConfig, items: readonly VqaItem[], tokenizer: TextTokenizer, pretrained: ReadonlyMap<string, HostTensor>, from: string): RunTask {
  const grounded = config.placeWeight !== undefined;
  const options = { seed: config.seed, batch: config.batch, imageSize: config.imageSize, textLength: config.textLength, ...(grounded ? { placeWeight: config.placeWeight } : {}) };
  // Only the heads are new: a backbone param drawn from the seed would be fine-tuned as if trained.
  return {
    losses: grounded ? ['loss', 'place_loss'] : ['loss'], batch: (step) => vqaBatch(items, tokenizer, options, step), init: pretrained,
    drawn: grounded ? /^(vqa_classifier|relplace_head|relword_head)\./ : /^vqa_classifier\./, initFrom: from,
  };
}
