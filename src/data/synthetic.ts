import { createHash } from 'node:crypto';
import { rng } from '../ir/init.js';
import { caption, type CaptionStyle } from './captions.js';
import { question, QUESTION_TYPES, type Question } from './questions.js';
import type { ImageTextExample } from './pretrain-batch.js';
import { normalizeImage, renderScene } from './render.js';
import { shuffled } from './random.js';
import { randomScene, sceneKey, type Scene } from './scene.js';

/**
 * The built-in synthetic corpus, deterministic from a seed: scenes of a few coloured shapes
 * (scene.ts), drawn as images (render.ts), with captions (captions.ts) and VQA questions
 * (questions.ts), in train / val / test splits. No two scenes of a corpus share a key, so a
 * caption fits exactly one image of any split: retrieval counts a hit only for the image the
 * caption was written for. A scene's split is a function of its key alone (a hash), so the
 * test scenes are never trained on, whatever the split sizes.
 */

export const SPLITS = ['train', 'val', 'test'] as const;
export type Split = (typeof SPLITS)[number];

export interface SyntheticOptions {
  readonly seed: number;
  /** Images per split. */
  readonly sizes: Readonly<Record<Split, number>>;
  /** Captions per image (COCO has five). */
  readonly captionsPerImage?: number;
  /** How captions place their objects (captions.ts); absent: `absolute`. */
  readonly captionStyle?: CaptionStyle;
  /** Questions per image, one of each type the scene can pose first. */
  readonly questionsPerImage?: number;
}

export interface SyntheticExample {
  readonly id: string;
  readonly split: Split;
  readonly scene: Scene;
  readonly captions: readonly string[];
  readonly questions: readonly Question[];
}

/** Per 20 scene keys: 2 go to test, 2 to val, the rest to train. */
function splitOf(key: string): Split {
  const bucket = createHash('sha256').update(key).digest().readUInt32BE(0) % 20;
  return bucket < 2 ? 'test' : bucket < 4 ? 'val' : 'train';
}

/** Scenes drawn per example wanted before giving up (504 single objects, 112,896 pairs, 14.8M triples exist). */
const MAX_TRIES_PER_EXAMPLE = 1000;

/** The corpus: each split's examples, in generation order. */
export function syntheticCorpus(options: SyntheticOptions): Record<Split, SyntheticExample[]> {
  const random = rng(options.seed);
  const out: Record<Split, SyntheticExample[]> = { train: [], val: [], test: [] };
  const seen = new Set<string>();
  const wanted = SPLITS.reduce((n, s) => n + options.sizes[s], 0);
  let tries = 0;
  while (SPLITS.some((s) => out[s].length < options.sizes[s])) {
    if (++tries > MAX_TRIES_PER_EXAMPLE * wanted) throw new Error(`the synthetic corpus cannot hold ${JSON.stringify(options.sizes)} distinct scenes`);
    const scene = randomScene(random);
    const key = sceneKey(scene);
    if (seen.has(key)) continue;
    const split = splitOf(key);
    if (out[split].length >= options.sizes[split]) continue;
    seen.add(key);
    const captions = [...Array(options.captionsPerImage ?? 2)].map(() => caption(scene, random, options.captionStyle));
    out[split].push({ id: `${split}-${out[split].length}`, split, scene, captions, questions: questionsFor(scene, options.questionsPerImage ?? 3, random) });
  }
  return out;
}

/** `count` questions about a scene: types in a random order, skipping those the scene cannot pose. */
function questionsFor(scene: Scene, count: number, random: () => number): Question[] {
  const out: Question[] = [];
  while (out.length < count) {
    for (const t of shuffled(random, QUESTION_TYPES)) {
      if (out.length >= count) break;
      const q = question(scene, t, random);
      if (q) out.push(q);
    }
  }
  return out;
}

/** An example's image as the model reads it: [3, size, size], normalized with ImageNet's mean and std. */
export function exampleImage(e: SyntheticExample, size: number): Float32Array {
  return normalizeImage(renderScene(e.scene, size));
}

/** A synthetic example as an image with captions and questions (what pre-training and VQA batches read). */
export function imageText(e: SyntheticExample): ImageTextExample & Pick<SyntheticExample, 'questions'> {
  return { id: e.id, captions: e.captions, questions: e.questions, image: (size) => exampleImage(e, size) };
}
