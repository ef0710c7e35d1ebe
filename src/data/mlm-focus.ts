import { FileError, readUserFile } from '../files.js';
import { COLOUR_NAMES, SHAPES, SIZES } from './scene.js';
import { TokenizerError, type TextTokenizer } from './tokenizer.js';

/**
 * The words MLM focuses on (`fiberc train --mlm-focus`): besides FIBER's random 15%, every
 * caption has one of them masked (data/masking.ts), so the loss asks for what only the image
 * can tell — the words random masking reaches about once per caption in seven, among a
 * caption's articles and prepositions that the text alone predicts.
 */

/** `--mlm-focus attributes`: the synthetic corpus's size, colour and shape words. */
export const ATTRIBUTE_WORDS: readonly string[] = [...SIZES, ...COLOUR_NAMES, ...SHAPES];

/**
 * The token ids of a focus: `attributes` (ATTRIBUTE_WORDS) or a file of words, one per line
 * (blank lines and lines starting with # skipped). A word is every token the tokenizer makes
 * of it at the start of a text and after a space (a BPE vocabulary spells the two apart); a
 * word the vocabulary does not know is an error naming it.
 */
export function focusTokenIds(focus: string, tokenizer: TextTokenizer): Set<number> {
  const words = focus === 'attributes' ? ATTRIBUTE_WORDS : focusWordsFile(focus);
  const specials = new Set([tokenizer.bos, tokenizer.eos, tokenizer.pad, tokenizer.mask]);
  const ids = new Set<number>();
  for (const word of words) {
    for (const spelled of [word, ` ${word}`]) {
      const encoded = tokenizer.encode(spelled, 64);
      const inner = Array.from(encoded.ids.subarray(0, encoded.length)).filter((id) => !specials.has(id));
      if (inner.length === 0 || inner.includes(tokenizer.unk)) throw new TokenizerError(`--mlm-focus: ${tokenizer.source} has no token for '${word}'`);
      inner.forEach((id) => ids.add(id));
    }
  }
  return ids;
}

/** The words of a focus file. */
function focusWordsFile(path: string): string[] {
  const words = readUserFile(path, '--mlm-focus').toString('utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (words.length === 0) throw new FileError(`--mlm-focus ${path}: no words (one per line)`);
  return words;
}
