import { HostTensor } from '../ir/tensor.js';
import { ANSWERS, type Question } from './questions.js';
import { GRID } from './scene.js';
import { imageTextInputs, stepItems, type ImageTextExample } from './pretrain-batch.js';
import type { TextTokenizer } from './tokenizer.js';

/**
 * VQA fine-tuning and evaluation inputs (examples/fiber_pretrain.fib's FiberVQA): one item per
 * (image, question); the question is the text, the target a one-hot row over ANSWERS (FIBER's
 * soft scores, which for one ground-truth answer are one-hot).
 */

/**
 * A question with its answer and kind: the synthetic corpus's types (questions.ts), or for
 * questions from files the entry's `"type"` (`other` when it has none).
 */
export interface VqaQuestion {
  readonly type: string;
  readonly question: string;
  readonly answer: string;
  /** For a question comparing two objects (a synthetic relation question), their grid places, in the order it names them. */
  readonly compared?: readonly [GridPlace, GridPlace];
  /** For a synthetic relation question, which relation it asks (an index of questions.ts's RELATION_NAMES). */
  readonly relation?: number;
}

/** An object's cell in the scene's grid. */
export interface GridPlace {
  readonly row: number;
  readonly col: number;
}

/** The grid cells (row * GRID + col) of two compared objects; -1, -1 where nothing is compared (the place objectives' targets). */
export function comparedCells(compared: readonly [GridPlace, GridPlace] | undefined): number[] {
  return compared?.map((o) => o.row * GRID + o.col) ?? [-1, -1];
}

/** Per row, the grid cells of the two objects its question compares, -1, -1 where it compares none (FiberVQAGrounded's `places`). */
export function questionPlaces(items: readonly VqaItem[]): HostTensor {
  return HostTensor.from([items.length, 2], items.flatMap((i) => comparedCells(i.question.compared)), 'i32');
}

/** Per row, the relation its question asks (an index of RELATION_NAMES), -1 where it asks none (FiberVQAGrounded's `relation`). */
export function questionRelations(items: readonly VqaItem[]): HostTensor {
  return HostTensor.from([items.length], items.map((i) => i.question.relation ?? -1), 'i32');
}

/**
 * The token positions the longest question of `items` takes (`<s>` and `</s>` included), at
 * most `cap`: VQA's default text length, so that a fine-tuning step computes no more padding
 * than the data needs (synthetic questions take at most 14 of the 38 a caption may).
 */
export function questionPositions(items: readonly VqaItem[], tokenizer: TextTokenizer, cap: number): number {
  let longest = 2;
  for (const text of new Set(items.map((i) => i.question.question))) longest = Math.max(longest, tokenizer.encode(text, cap + 1).length);
  return Math.min(longest, cap);
}

/** How many of `items`' questions are longer than `textLength` positions (cut to fit when encoded). */
export function questionsCut(items: readonly VqaItem[], tokenizer: TextTokenizer, textLength: number): number {
  const longer = new Set([...new Set(items.map((i) => i.question.question))].filter((text) => tokenizer.encode(text, textLength + 1).length > textLength));
  return items.filter((i) => longer.has(i.question.question)).length;
}

export interface VqaItem {
  readonly image: Pick<ImageTextExample, 'id' | 'image'>;
  readonly question: VqaQuestion;
}

/** The items whose question is of one of `types`, in their order (a VQA run's opening phase draws from them alone). */
export function itemsOfTypes(items: readonly VqaItem[], types: readonly string[]): VqaItem[] {
  return items.filter((i) => types.includes(i.question.type));
}

/** Every question of every example, as items. */
export function vqaItems(examples: readonly (Pick<ImageTextExample, 'id' | 'image'> & { readonly questions: readonly Question[] })[]): VqaItem[] {
  return examples.flatMap((e) => e.questions.map((question) => ({ image: e, question })));
}

/** The inputs for some items: pixels, ids, mask (the questions) and targets. */
export function vqaInputs(items: readonly VqaItem[], tokenizer: TextTokenizer, imageSize: number, textLength: number): Map<string, HostTensor> {
  const [B, A] = [items.length, ANSWERS.length];
  const targets = new Float32Array(B * A);
  items.forEach((item, b) => {
    const answer = ANSWERS.indexOf(item.question.answer);
    if (answer < 0) throw new Error(`'${item.question.answer}' is not one of the VQA answers`);
    targets[b * A + answer] = 1;
  });
  const inputs = imageTextInputs(items.map((i) => i.image), items.map((i) => i.question.question), tokenizer, imageSize, textLength);
  return inputs.set('targets', new HostTensor([B, A], 'f32', targets));
}

/**
 * The fine-tuning batch of step `step`: items in epochs of a seeded order. With `placeWeight`
 * (FiberVQAGrounded), also the compared objects' `places`, the `relation` asked and the objective's `place_weight`.
 */
export function vqaBatch(items: readonly VqaItem[], tokenizer: TextTokenizer, options: { readonly seed: number; readonly batch: number; readonly imageSize: number; readonly textLength: number; readonly placeWeight?: number }, step: number): Map<string, HostTensor> {
  const chosen = stepItems(options.seed, items.length, options.batch, step).map((i) => items[i]!);
  const inputs = vqaInputs(chosen, tokenizer, options.imageSize, options.textLength);
  if (options.placeWeight === undefined) return inputs;
  return groundedInputs(inputs, chosen, options.placeWeight);
}

/** `inputs` with what FiberVQAGrounded reads besides FiberVQA's: the items' `places` and `relation`, and `place_weight`. */
export function groundedInputs(inputs: Map<string, HostTensor>, items: readonly VqaItem[], placeWeight: number): Map<string, HostTensor> {
  return inputs.set('places', questionPlaces(items)).set('relation', questionRelations(items)).set('place_weight', HostTensor.from([], [placeWeight]));
}
