import { createHash } from 'node:crypto';
import { rng } from '../ir/init.js';
import { HostTensor } from '../ir/tensor.js';
import { maskTokens, type MaskingOptions, type MaskingVocabulary } from './masking.js';
import { pick, shuffled } from './random.js';
import type { EncodedText, TextTokenizer } from './tokenizer.js';

/**
 * Pre-training batches (the inputs of examples/fiber_pretrain.fib's forward) from image-text
 * examples. Everything a batch holds — which examples, which caption, the MLM corruption,
 * the ITM draws — is a function of (seed, step) alone, so a run resumed at step t reads the
 * batch an uninterrupted run would have read: the data position and the random state are
 * both just the step number.
 */

/** An image with captions: a synthetic example, or one loaded from files. */
export interface ImageTextExample {
  readonly id: string;
  readonly captions: readonly string[];
  /** The image as the model reads it: [3, size, size], normalized. */
  image(size: number): Float32Array;
}

export interface PretrainBatchOptions {
  readonly seed: number;
  readonly batch: number;
  readonly imageSize: number;
  /** Token positions per text (FIBER: 40). */
  readonly textLength: number;
  /** MLM's random share and focus (data/masking.ts, data/mlm-focus.ts); absent: FIBER's masking. */
  readonly masking?: MaskingOptions;
}

/** A generator seeded by (seed, purpose, index): independent streams that need no state. */
export function streamRandom(seed: number, purpose: string, index: number): () => number {
  return rng(createHash('sha256').update(`${seed}:${purpose}:${index}`).digest().readUInt32LE(0));
}

/**
 * The items of step `step` when `count` items are visited `batch` at a time in epochs, each
 * epoch in its own seeded order (a last partial batch of an epoch is dropped).
 */
export function stepItems(seed: number, count: number, batch: number, step: number): number[] {
  const perEpoch = Math.floor(count / batch);
  if (perEpoch === 0) throw new Error(`a batch of ${batch} needs at least as many items, got ${count}`);
  const order = epochOrder(seed, count, Math.floor(step / perEpoch));
  const start = (step % perEpoch) * batch;
  return order.slice(start, start + batch);
}

/** The last epoch order drawn: a run asks for the same one every step (drawing it took 10 ms of a step at 48,000 items). */
let lastOrder: { readonly key: string; readonly order: readonly number[] } | undefined;

/** The seeded order of `count` items in epoch `epoch`. */
function epochOrder(seed: number, count: number, epoch: number): readonly number[] {
  const key = `${seed}:${count}:${epoch}`;
  if (lastOrder?.key !== key) lastOrder = { key, order: shuffled(streamRandom(seed, 'order', epoch), [...Array(count).keys()]) };
  return lastOrder.order;
}

/** Images stacked as `pixels` [B, 3, S, S] and texts encoded as `ids` and `mask` [B, T], one row each. */
export function imageTextInputs(images: readonly Pick<ImageTextExample, 'image'>[], texts: readonly string[], tokenizer: TextTokenizer, S: number, T: number): Map<string, HostTensor> {
  return stackedInputs(images, texts.map((text) => tokenizer.encode(text, T)), S, T);
}

/** Images stacked as `pixels` [B, 3, S, S]. */
export function stackedPixels(images: readonly Pick<ImageTextExample, 'image'>[], S: number): HostTensor {
  const pixels = new Float32Array(images.length * 3 * S * S);
  images.forEach((e, b) => pixels.set(e.image(S), b * 3 * S * S));
  return new HostTensor([images.length, 3, S, S], 'f32', pixels);
}

/** Images stacked as `pixels` [B, 3, S, S] and already encoded texts (T ids each) as `ids` and `mask` [B, T]. */
export function stackedInputs(images: readonly Pick<ImageTextExample, 'image'>[], texts: readonly Pick<EncodedText, 'ids' | 'mask'>[], S: number, T: number): Map<string, HostTensor> {
  const { ids, mask } = stackedTexts(texts, T);
  return new Map([['pixels', stackedPixels(images, S)], ['ids', ids], ['mask', mask]]);
}

/** Already encoded texts (T ids each) stacked as `ids` (i32) and `mask` (f32), [B, T]. */
export function stackedTexts(texts: readonly Pick<EncodedText, 'ids' | 'mask'>[], T: number): { ids: HostTensor; mask: HostTensor } {
  const B = texts.length;
  const ids = new Int32Array(B * T);
  const mask = new Float32Array(B * T);
  texts.forEach((e, b) => {
    ids.set(e.ids, b * T);
    mask.set(e.mask, b * T);
  });
  return { ids: new HostTensor([B, T], 'i32', ids), mask: new HostTensor([B, T], 'f32', mask) };
}

/** The masking view of a tokenizer: its specials are never masked nor drawn. */
export function maskingVocabulary(t: TextTokenizer): MaskingVocabulary {
  return { mask: t.mask, vocabSize: t.vocabSize, specials: new Set([t.bos, t.eos, t.pad, t.unk, t.mask]) };
}

/** Batches of a list of examples, in epochs of a seeded order. */
export class PretrainBatches<E extends ImageTextExample = ImageTextExample> {
  constructor(
    private readonly examples: readonly E[],
    private readonly tokenizer: TextTokenizer,
    readonly options: PretrainBatchOptions,
  ) {
    if (examples.length < options.batch) throw new Error(`a batch of ${options.batch} needs at least as many examples, got ${examples.length}`);
  }

  /** Steps in one pass over the examples (a last partial batch is dropped). */
  get stepsPerEpoch(): number {
    return Math.floor(this.examples.length / this.options.batch);
  }

  /** The examples of step `step` (0-based). */
  examplesAt(step: number): E[] {
    return stepItems(this.options.seed, this.examples.length, this.options.batch, step).map((i) => this.examples[i]!);
  }

  /** The inputs of step `step`: pixels, ids, mask, mlm_ids, mlm_labels, draws. */
  batch(step: number): Map<string, HostTensor> {
    const { batch: B, imageSize: S, textLength: T } = this.options;
    const random = streamRandom(this.options.seed, 'batch', step);
    const examples = this.examplesAt(step);
    const [mlmIds, mlmLabels] = [new Int32Array(B * T), new Int32Array(B * T)];
    const vocab = maskingVocabulary(this.tokenizer);
    // One example at a time, caption then corruption: the draws' order is the batch's definition.
    const texts = examples.map((e, b) => {
      const text = this.tokenizer.encode(pick(random, e.captions), T);
      const masked = maskTokens(text.ids, text.mask, vocab, random, this.options.masking);
      mlmIds.set(masked.ids, b * T);
      mlmLabels.set(masked.labels, b * T);
      return text;
    });
    const draws = Float32Array.from({ length: 2 * B }, () => random());
    return new Map([
      ...stackedInputs(examples, texts, S, T),
      ['mlm_ids', new HostTensor([B, T], 'i32', mlmIds)],
      ['mlm_labels', new HostTensor([B, T], 'i32', mlmLabels)],
      ['draws', new HostTensor([2, B], 'f32', draws)],
    ]);
  }
}
