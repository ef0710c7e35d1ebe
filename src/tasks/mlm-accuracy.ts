import { maskingVocabulary, stackedInputs, streamRandom, type ImageTextExample } from '../data/pretrain-batch.js';
import { IGNORE_LABEL, maskTokens } from '../data/masking.js';
import type { TextTokenizer } from '../data/tokenizer.js';
import { argmaxAt } from './argmax.js';
import type { HostTensor } from '../ir/tensor.js';
import type { Device } from '../runtime/device.js';
import { fiberEntryGraph, loadTrained, runInBatches } from '../train/fiber-entries.js';

/**
 * MLM accuracy of a pre-trained FIBER on held-out captions: each example's first caption is
 * corrupted as in pre-training (15% of its tokens; 80/10/10 mask/random/keep, drawn from the
 * seed and the example's index, so every evaluation of a test set masks the same tokens), the
 * fused model reads it with its image (`<Model>MaskedLM`), and a chosen token counts as right
 * when the head's highest logit is its original id.
 */

export interface MlmAccuracy {
  /** Fraction of the chosen tokens predicted exactly. */
  readonly accuracy: number;
  /** Tokens chosen for prediction over all captions. */
  readonly masked: number;
  /** By the word each chosen token was (decoded; `#id` when it decodes to nothing): how many chosen, how many right. */
  readonly byWord: Readonly<Record<string, WordCount>>;
}

export interface WordCount {
  readonly masked: number;
  readonly right: number;
}

/** MLM accuracy on the chosen tokens that were one of `words`, and on the others. */
export function accuracyOnWords(a: MlmAccuracy, words: readonly string[]): { readonly on: WordCount; readonly off: WordCount } {
  const set = new Set(words);
  const sum = (inSet: boolean): WordCount => Object.entries(a.byWord).filter(([w]) => set.has(w) === inSet).reduce((s, [, c]) => ({ masked: s.masked + c.masked, right: s.right + c.right }), { masked: 0, right: 0 });
  return { on: sum(true), off: sum(false) };
}

export interface MlmOptions {
  readonly model: string;
  readonly batch: number;
  readonly imageSize: number;
  readonly textLength: number;
  readonly seed: number;
}

/** MLM accuracy of the trained `params` over `examples`. */
export async function evaluateMlm(device: Device, params: ReadonlyMap<string, HostTensor>, examples: readonly ImageTextExample[], tokenizer: TextTokenizer, options: MlmOptions): Promise<MlmAccuracy> {
  const { batch: B, textLength: T, imageSize: S } = options;
  const vocab = maskingVocabulary(tokenizer);
  const texts = examples.map((e, i) => {
    const encoded = tokenizer.encode(e.captions[0]!, T);
    return { ...maskTokens(encoded.ids, encoded.mask, vocab, streamRandom(options.seed, 'eval-mlm', i)), mask: encoded.mask };
  });
  const program = await loadTrained(device, fiberEntryGraph(`${options.model}MaskedLM`, B, T), params, `${options.model}Pretraining`);
  const logits = await runInBatches(program, examples.length, B, (rows) => stackedInputs(rows.map((r) => examples[r]!), rows.map((r) => texts[r]!), S, T), ['out']);
  program.dispose();
  let [right, masked] = [0, 0];
  const byId = new Map<number, { masked: number; right: number }>();
  logits.get('out')!.forEach((row, r) => {
    const V = row.length / T;
    texts[r]!.labels.forEach((label, t) => {
      if (label === IGNORE_LABEL) return;
      masked++;
      const best = argmaxAt(row, t * V, V);
      const count = byId.get(label) ?? { masked: 0, right: 0 };
      count.masked++;
      if (best === label) {
        right++;
        count.right++;
      }
      byId.set(label, count);
    });
  });
  const byWord: Record<string, WordCount> = {};
  for (const [id, count] of [...byId].sort((a, b) => b[1].masked - a[1].masked)) {
    const word = tokenizer.decode([id]).trim() || `#${id}`;
    const known = byWord[word] ?? { masked: 0, right: 0 };
    byWord[word] = { masked: known.masked + count.masked, right: known.right + count.right };
  }
  return { accuracy: masked > 0 ? right / masked : 0, masked, byWord };
}
