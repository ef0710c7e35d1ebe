import type { TextTokenizer } from '../data/tokenizer.js';
import { vqaBatch, type VqaItem } from '../data/vqa-batch.js';
import type { HostTensor } from '../ir/tensor.js';
import type { RunTask, RunConfig } from './train-run.js';

/**
 * VQA fine-tuning (examples/fiber_pretrain.fib, FiberVQA): the fused backbone, its transforms
 * and poolers start from a pre-training checkpoint (by name), the classifier from the seed;
 * one (image, question) item per row (data/vqa-batch.ts).
 */
export function vqaTask(config: RunConfig, items: readonly VqaItem[], tokenizer: TextTokenizer, pretrained: ReadonlyMap<string, HostTensor>): RunTask {
  const options = { seed: config.seed, batch: config.batch, imageSize: config.imageSize, textLength: config.textLength };
  return { losses: ['loss'], batch: (step) => vqaBatch(items, tokenizer, options, step), init: pretrained };
}
