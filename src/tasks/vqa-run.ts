import type { TextTokenizer } from '../data/tokenizer.js';
import { comparedCells, groundedInputs, vqaInputs, type VqaItem } from '../data/vqa-batch.js';
import type { HostTensor } from '../ir/tensor.js';
import type { Device } from '../runtime/device.js';
import { fiberEntryGraph, loadTrained, runInBatches } from '../train/fiber-entries.js';
import { placeAccuracy, predictedAnswers, vqaAccuracy, type VqaAccuracy } from './vqa.js';

/**
 * Whether a VQA entry has the place head (`<model>VQAGrounded`, `<model>VQAPlaceReader`,
 * `<model>VQARelationReader`): such an entry runs whole, fed FiberVQAGrounded's inputs, so that
 * its head's places are scored beside the answers (a reader's answers read that head too).
 */
export function hasPlaceHead(entry: string): boolean {
  return /VQA(Grounded|PlaceReader|RelationReader)$/.test(entry);
}

/** Whether an entry is one `fiberc train --task vqa` trains: `<model>VQA`, or one with the place head. */
export function isVqaEntry(entry: string): boolean {
  return entry.endsWith('VQA') || hasPlaceHead(entry);
}

/**
 * VQA accuracy of a fine-tuned `<model>VQA` checkpoint, or one with the place head, over
 * held-out (image, question) items; with the place head, also the share of the compared
 * objects' cells it names.
 */
export async function evaluateVqa(device: Device, entry: string, params: ReadonlyMap<string, HostTensor>, items: readonly VqaItem[], tokenizer: TextTokenizer, options: { readonly batch: number; readonly imageSize: number; readonly textLength: number }): Promise<VqaAccuracy> {
  const { batch: B, imageSize, textLength: T } = options;
  const program = await loadTrained(device, fiberEntryGraph(entry, B, T), params, entry);
  try {
    // The place objective's weight only weighs a loss nobody reads here.
    const placed = hasPlaceHead(entry);
    const inputs = (rows: readonly number[]): Map<string, HostTensor> => {
      const chosen = rows.map((r) => items[r]!);
      const plain = vqaInputs(chosen, tokenizer, imageSize, T);
      return placed ? groundedInputs(plain, chosen, 0) : plain;
    };
    const outputs = await runInBatches(program, items.length, B, inputs, placed ? ['logits', 'place_logits'] : ['logits']);
    const accuracy = vqaAccuracy(outputs.get('logits')!.map((row) => predictedAnswers(row, 1)[0]!), items.map((i) => i.question));
    if (!placed) return accuracy;
    return { ...accuracy, places: placeAccuracy(outputs.get('place_logits')!, items.map((i) => comparedCells(i.question.compared))) };
  } finally {
    program.dispose();
  }
}
