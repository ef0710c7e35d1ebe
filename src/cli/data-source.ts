import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LabelledImage } from '../data/attributes.js';
import { DataError, describeBad, loadCaptionFile, loadQuestionFile, type BadEntry, type OnBadEntry } from '../data/image-text-files.js';
import type { ImageTextExample } from '../data/pretrain-batch.js';
import { ANSWERS } from '../data/questions.js';
import type { Scene } from '../data/scene.js';
import type { CaptionStyle } from '../data/captions.js';
import { imageText, syntheticCorpus } from '../data/synthetic.js';
import { TextTokenizer } from '../data/tokenizer.js';
import { vqaItems, type VqaItem } from '../data/vqa-batch.js';
import { FileError } from '../files.js';
import { UsageError, type CliIO } from './io.js';

/**
 * Where `fiberc train` and `fiberc eval` take their examples: the built-in synthetic corpus,
 * or a folder of files (`--data coco:DIR`) laid out as
 *
 *     DIR/train.json       captions for pre-training (COCO's or ALBEF's format)
 *     DIR/val.json         captions for choosing evaluation settings (`fiberc eval --split val`; optional)
 *     DIR/test.json        captions for retrieval evaluation
 *     DIR/vqa_train.json   questions for VQA fine-tuning (ALBEF's format)
 *     DIR/vqa_val.json     questions for choosing settings (optional)
 *     DIR/vqa_test.json    questions for VQA evaluation
 *
 * with image paths relative to DIR. Bad entries and images stop the run before training
 * (`--bad-data stop`, the default) or are skipped and counted (`--bad-data skip`).
 */

export type DataSource = { readonly kind: 'synthetic' } | { readonly kind: 'files'; readonly dir: string };

/** The files of a data folder, by use. */
export const DATA_FILES = { pretrain: 'train.json', validation: 'val.json', retrieval: 'test.json', vqaTrain: 'vqa_train.json', vqaValidation: 'vqa_val.json', vqaTest: 'vqa_test.json' } as const;

/** Which split of the data: `train` for training, `val` for choosing settings, `test` for the figures reported. */
export type DataSplit = 'train' | 'val' | 'test';

/** `fiberc eval --split`: the held-out splits. */
export const HELD_OUT_SPLITS = ['val', 'test'] as const;
export type HeldOutSplit = (typeof HELD_OUT_SPLITS)[number];

const CAPTION_FILES: Record<DataSplit, string> = { train: DATA_FILES.pretrain, val: DATA_FILES.validation, test: DATA_FILES.retrieval };
const QUESTION_FILES: Record<DataSplit, string> = { train: DATA_FILES.vqaTrain, val: DATA_FILES.vqaValidation, test: DATA_FILES.vqaTest };

/** `--data`: `synthetic` or `coco:DIR` (an existing folder). */
export function parseDataSource(flag: string): DataSource {
  if (flag === 'synthetic') return { kind: 'synthetic' };
  if (!flag.startsWith('coco:')) throw new UsageError(`--data: 'synthetic' or 'coco:DIR', got '${flag}'`);
  const dir = flag.slice('coco:'.length);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--data: ${dir} is not a folder`);
  return { kind: 'files', dir };
}

/** `--bad-data`: skip or stop. */
export function parseOnBad(flag: string): OnBadEntry {
  if (flag !== 'skip' && flag !== 'stop') throw new UsageError(`--bad-data: 'skip' (leave bad entries out, counted) or 'stop', got '${flag}'`);
  return flag;
}

/**
 * The tokenizer: the synthetic vocabulary, or `--tokenizer` (a tokenizer.json) for files;
 * its ids must fit the model's word embeddings (`vocabulary` rows).
 */
export function tokenizerFor(path: string | undefined, model: string, vocabulary: number): TextTokenizer {
  const tokenizer = path ? TextTokenizer.fromFile(path) : TextTokenizer.synthetic();
  if (tokenizer.vocabSize > vocabulary) throw new UsageError(`--tokenizer: ${tokenizer.source} has ${tokenizer.vocabSize} tokens, but ${model}'s word embeddings hold ${vocabulary}`);
  return tokenizer;
}

export interface ExampleRequest {
  readonly seed: number;
  /** Synthetic images wanted (files: all of them). */
  readonly size: number;
  readonly imageSize: number;
  readonly onBad: OnBadEntry;
  /** How the synthetic captions place their objects (data/captions.ts); absent: `absolute`. */
  readonly captions?: CaptionStyle;
}

/** Image-caption examples for pre-training (`train`) or retrieval (`val`, `test`), and a phrase saying what they are. */
export async function captionExamples(source: DataSource, split: DataSplit, request: ExampleRequest, io: CliIO): Promise<{ examples: (ImageTextExample & { readonly scene?: Scene })[]; what: string }> {
  if (source.kind === 'synthetic') return { examples: syntheticSplit(split, request), what: `${request.size} synthetic images` };
  const file = dataFile(source.dir, CAPTION_FILES[split]);
  const { examples, skipped } = await loadCaptionFile(file, { size: request.imageSize, onBad: request.onBad });
  reportSkipped(skipped, io);
  return { examples, what: `${examples.length} images of ${file}` };
}

/** Synthetic training images with the scenes they show, for the image tower's own pre-training (files carry no attribute labels). */
export function labelledImages(source: DataSource, request: ExampleRequest): { images: LabelledImage[]; what: string } {
  if (source.kind !== 'synthetic') throw new UsageError("--stage image: the image tower learns the synthetic scenes' attributes, so it trains on --data synthetic only (files carry no such labels)");
  return { images: syntheticSplit('train', request), what: `${request.size} synthetic images labelled, per grid cell, with the colour, shape and size of the object there` };
}

/** VQA items for fine-tuning (`train`) or evaluation (`val`, `test`); answers must be the model's classes. */
export async function vqaExamples(source: DataSource, split: DataSplit, request: ExampleRequest, io: CliIO): Promise<{ items: VqaItem[]; what: string }> {
  if (source.kind === 'synthetic') return { items: vqaItems(syntheticSplit(split, request)), what: `the questions of ${request.size} synthetic images` };
  const file = dataFile(source.dir, QUESTION_FILES[split]);
  const { questions, skipped } = await loadQuestionFile(file, { size: request.imageSize, onBad: request.onBad });
  // The classifier scores a fixed answer list: a question answered outside it cannot be learned.
  const known = questions.filter((q) => ANSWERS.includes(q.answer));
  const unknown = questions.filter((q) => !ANSWERS.includes(q.answer));
  const bad = [...skipped, ...unknown.map((q) => ({ file, entry: q.image.file, message: `answer '${q.answer}' to '${q.question}' is not one of the ${ANSWERS.length} answer classes (${ANSWERS.join(', ')})` }))];
  if (unknown.length > 0 && request.onBad === 'stop') throw new DataError(bad);
  reportSkipped(bad, io);
  const items = known.map((q) => ({ image: q.image, question: { type: q.type, question: q.question, answer: q.answer } }));
  return { items, what: `${items.length} questions of ${file}` };
}

/** One split of the synthetic corpus at the requested size (the other splits empty). */
function syntheticSplit(split: DataSplit, request: ExampleRequest): (ReturnType<typeof imageText> & LabelledImage)[] {
  const sizes = { train: 0, val: 0, test: 0, [split]: request.size };
  return syntheticCorpus({ seed: request.seed, sizes, ...(request.captions ? { captionStyle: request.captions } : {}) })[split].map((e) => ({ ...imageText(e), scene: e.scene }));
}

function dataFile(dir: string, name: string): string {
  const file = join(dir, name);
  if (!existsSync(file)) throw new FileError(`--data coco:${dir}: no ${name} in the folder (it holds ${Object.values(DATA_FILES).join(', ')})`);
  return file;
}

function reportSkipped(skipped: readonly BadEntry[], io: CliIO): void {
  if (skipped.length > 0) io.err(`skipped ${describeBad(skipped)}`);
}
