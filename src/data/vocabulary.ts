import { COLOUR_NAMES, SHAPES, SIZES } from './scene.js';

/**
 * The synthetic corpus's vocabulary: RoBERTa's special tokens at RoBERTa's ids (so padding
 * is id 1, as the text embeddings expect), then every word and punctuation mark its captions
 * and questions use. FiberTiny's 64-entry embedding table holds it.
 */
export const SPECIAL_TOKENS = { bos: '<s>', pad: '<pad>', eos: '</s>', unk: '<unk>', mask: '<mask>' } as const;

const WORDS: readonly string[] = [
  // captions
  'a', 'an', 'and', ',', 'there', 'is', 'are', 'the', 'picture', 'image', 'shows', 'has', 'of', 'size', 'in', 'at', 'on',
  'top', 'bottom', 'left', 'right', 'center',
  ...SIZES, ...COLOUR_NAMES, ...SHAPES,
  // questions
  'what', 'color', 'shape', 'object', 'objects', 'how', 'many', 'above', 'below', '?',
  // relative captions (appended, so the ids above stay as checkpoints learned them)
  'just', 'far', 'it',
];

/** Tokens in id order. */
export const SYNTHETIC_VOCABULARY: readonly string[] = [...Object.values(SPECIAL_TOKENS), ...WORDS];
