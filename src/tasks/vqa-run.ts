import type { TextTokenizer } from '../data/tokenizer.js';
import { vqaInputs, type VqaItem } from '../data/vqa-batch.js';
import type { HostTensor } from '../ir/tensor.js';
import type { Device } from '../runtime/device.js';
import { fiberEntryGraph, loadTrained, runInBatches } from '../train/fiber-entries.js';
import { predictedAnswers, vqaAccuracy, type VqaAccuracy } from './vqa.js';

/** VQA accuracy of a fine-tuned `<model>VQA` checkpoint over held-out (image, question) items. */
export async function evaluateVqa(device: Device, entry: string, params: ReadonlyMap<string, HostTensor>, items: readonly VqaItem[], tokenizer: TextTokenizer, options: { readonly batch: number; readonly imageSize: number; readonly textLength: number }): Promise<VqaAccuracy> {
  const { batch: B, imageSize, textLength: T } = options;
  const program = await loadTrained(device, fiberEntryGraph(entry, B, T), params, entry);
  try {
    const logits = await runInBatches(program, items.length, B, (rows) => vqaInputs(rows.map((r) => items[r]!), tokenizer, imageSize, T), ['logits']);
    return vqaAccuracy(logits.get('logits')!.map((row) => predictedAnswers(row, 1)[0]!), items.map((i) => i.question));
  } finally {
    program.dispose();
  }
}
