/**
 * Masked language modelling's input corruption, as Hugging Face's
 * DataCollatorForLanguageModeling (FIBER's): each real, non-special token is chosen with
 * probability 0.15; a chosen token is replaced by `<mask>` 80% of the time, by a random
 * ordinary token 10% and kept 10%; the labels hold the original ids of the chosen tokens and
 * -100 (ignored by the loss) everywhere else, padding and special tokens included.
 *
 * With a focus (src/data/mlm-focus.ts), each text also has one of its focus tokens chosen,
 * drawn uniformly among them, on top of the random 15% (ERNIE-ViL's masking of a caption's
 * objects and attributes, in its simplest form): the words only the image can fill in. With a
 * focus probability, each focus token is chosen with that chance instead, and one drawn
 * uniformly when none was: several of a caption's words asked of the image at once.
 */

/** The label of a position the loss ignores (cross_entropy's default ignore index). */
export const IGNORE_LABEL = -100;

/** What masking needs to know of a vocabulary. */
export interface MaskingVocabulary {
  readonly mask: number;
  readonly vocabSize: number;
  /** Ids never chosen and never drawn as replacements (`<s>`, `</s>`, `<pad>`, `<unk>`, `<mask>`). */
  readonly specials: ReadonlySet<number>;
}

export interface MaskedText {
  readonly ids: Int32Array;
  readonly labels: Int32Array;
}

export interface MaskingOptions {
  /** The chance of each real, non-special token to be chosen (FIBER: 0.15). */
  readonly probability?: number;
  /** Token ids of which each text has one more chosen, when it has any (absent: none). */
  readonly focus?: ReadonlySet<number>;
  /** The chance of each focus token to be chosen, at least one always is (absent: exactly one). */
  readonly focusProbability?: number;
}

/** Corrupts one encoded text (its ids and real-token mask) for MLM. */
export function maskTokens(ids: Int32Array, real: Float32Array, vocab: MaskingVocabulary, random: () => number, options: MaskingOptions = {}): MaskedText {
  if (vocab.specials.size >= vocab.vocabSize) throw new Error('the vocabulary has no ordinary token to draw');
  const { probability = 0.15, focus, focusProbability } = options;
  const out = Int32Array.from(ids);
  const labels = new Int32Array(ids.length).fill(IGNORE_LABEL);
  // Without a focus no draw is added, so FIBER's masking stays what it was for a seed.
  const focused = focus ? focusPositions(ids, real, vocab, focus, focusProbability, random) : new Set<number>();
  for (let i = 0; i < ids.length; i++) {
    if (real[i] === 0 || vocab.specials.has(ids[i]!)) continue;
    if (random() >= probability && !focused.has(i)) continue;
    labels[i] = ids[i]!;
    const action = random();
    if (action < 0.8) out[i] = vocab.mask;
    else if (action < 0.9) out[i] = ordinaryToken(vocab, random);
  }
  return { ids: out, labels };
}

/**
 * The positions holding focus tokens that are chosen: each with `chance`, or one drawn
 * uniformly when none was (or when there is no chance); none when the text has no focus token.
 * Without a chance exactly one draw is made, so runs from before the chance reproduce.
 */
function focusPositions(ids: Int32Array, real: Float32Array, vocab: MaskingVocabulary, focus: ReadonlySet<number>, chance: number | undefined, random: () => number): Set<number> {
  const at = [...ids.keys()].filter((i) => real[i] !== 0 && !vocab.specials.has(ids[i]!) && focus.has(ids[i]!));
  if (at.length === 0) return new Set();
  const chosen = new Set(chance === undefined ? [] : at.filter(() => random() < chance));
  if (chosen.size === 0) chosen.add(at[Math.floor(random() * at.length)]!);
  return chosen;
}

/** A uniformly drawn id that is not special. */
function ordinaryToken(vocab: MaskingVocabulary, random: () => number): number {
  for (;;) {
    const id = Math.floor(random() * vocab.vocabSize);
    if (!vocab.specials.has(id)) return id;
  }
}
