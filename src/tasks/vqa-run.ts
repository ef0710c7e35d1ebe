import type { TextTokenizer } from '../data/tokenizer.js';
import { groundedInputs, vqaInputs, type VqaItem } from '../data/vqa-batch.js';
import type { HostTensor } from '../ir/tensor.js';
import type { Device } from '../runtime/device.js';
import { fiberEntryGraph, loadTrained, runInBatches } from '../train/fiber-entries.js';
import { predictedAnswers, vqaAccuracy, type VqaAccuracy } from './vqa.js';

/**
 * Whether a VQA entry's classifier reads its place (and relation) heads (`<model>VQAPlaceReader`,
 * `<model>VQARelationReader`): such an entry answers only whole, fed FiberVQAGrounded's inputs.
 */
export function readsHeads(entry: string): boolean {
  return entry.endsWith('Reader');
}

/** VQA accuracy of a fine-tuned `<model>VQA`, `<model>VQAPlaceReader` or `<model>VQARelationReader` checkpoint over held-out (image, question) items. */
export async function evaluateVqa(device: Device, entry: string, params: ReadonlyMap<string, HostTensor>, items: readonly VqaItem[], tokenizer: TextTokenizer, options: { readonly batch: number; readonly imageSize: number; readonly textLength: number }): Promise<VqaAccuracy> {
  const { batch: B, imageSize, textLength: T } = options;
  const program = await loadTrained(device, fiberEntryGraph(entry, B, T), params, entry);
  try {
    // A reader's answers read its place (and relation) head, so it is evaluated whole; its place
    // objective's inputs only weigh a loss nobody reads here.
    const reads = readsHeads(entry);
    const inputs = (rows: readonly number[]): Map<string, HostTensor> => {
      const chosen = rows.map((r) => items[r]!);
      const plain = vqaInputs(chosen, tokenizer, imageSize, T);
      return reads ? groundedInputs(plain, chosen, 0) : plain;
    };
    const logits = await runInBatches(program, items.length, B, inputs, ['logits']);
    return vqaAccuracy(logits.get('logits')!.map((row) => predictedAnswers(row, 1)[0]!), items.map((i) => i.question));
  } finally {
    program.dispose();
  }
}
