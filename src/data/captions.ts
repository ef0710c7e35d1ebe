import type { WordKind } from '../tasks/retrieval-errors.js';
import { pick, shuffled } from './random.js';
import { COLOUR_NAMES, SHAPES, SIZES, type Scene, type SceneObject } from './scene.js';

/**
 * Captions of a synthetic scene. Every caption names every object with its size, colour,
 * shape and grid cell, so a caption determines its scene's key (scene.ts, sceneKey); the
 * templates vary the word order, the order of the objects and the sentence around them.
 * Words and punctuation are separated by single spaces.
 */

/** Where a grid cell is, as a phrase. */
const POSITIONS = [
  ['at the top left', 'at the top', 'at the top right'],
  ['on the left', 'in the center', 'on the right'],
  ['at the bottom left', 'at the bottom', 'at the bottom right'],
] as const;

export function positionPhrase(row: number, col: number): string {
  return POSITIONS[row]![col]!;
}

/**
 * The kinds of word a caption describes its scene with: how many objects (one shape word
 * each), their sizes, colours, shapes and positions. Two captions with the same words of every
 * kind can still differ in which object has which (retrieval-errors.ts counts those apart).
 */
export const CAPTION_WORD_KINDS: readonly WordKind[] = [
  { name: 'objects', words: SHAPES, compare: 'count' },
  { name: 'size', words: SIZES },
  { name: 'colour', words: COLOUR_NAMES },
  { name: 'shape', words: SHAPES },
  { name: 'position', words: ['top', 'bottom', 'left', 'right', 'center'] },
];

/** `a` or `an`, for the word that follows. */
export function article(next: string): string {
  return /^[aeiou]/.test(next) ? 'an' : 'a';
}

/** Ways to name one object by size, colour and shape, without saying where it is. */
const OBJECT_PHRASES: readonly ((o: SceneObject) => string)[] = [
  (o) => `a ${o.size} ${o.colour} ${o.shape}`,
  (o) => `${article(o.colour)} ${o.colour} ${o.shape} of ${o.size} size`,
  (o) => `a ${o.size} ${o.shape} in ${o.colour}`,
];

/** Ways to name one object and its place (`p` is its position phrase). */
const OBJECT_TEMPLATES: readonly ((o: SceneObject, p: string) => string)[] = [
  (o, p) => `${OBJECT_PHRASES[0]!(o)} ${p}`,
  (o, p) => `${p} ${OBJECT_PHRASES[0]!(o)}`,
  (o, p) => `${OBJECT_PHRASES[1]!(o)} ${p}`,
  (o, p) => `${OBJECT_PHRASES[2]!(o)} ${p}`,
];

/** The templates that say the position after the object: the ones a relative position (`... just below it`) reads well in. */
const POSITION_LAST = [0, 2, 3].map((i) => OBJECT_TEMPLATES[i]!);

/**
 * How a caption says where its objects are: each by its grid cell (`absolute`, the default),
 * or, half the time for an object that shares a row or column with the one named before it,
 * by its exact offset from that object (`relative`: `just below it`, `far left of it`). Both
 * determine the scene's key; only `relative` asks the model to compare two objects' places.
 */
export const CAPTION_STYLES = ['absolute', 'relative'] as const;
export type CaptionStyle = (typeof CAPTION_STYLES)[number];

/**
 * Where `o` is from `from` in exact words — `just` one cell, `far` two — when they share a row
 * or a column; undefined when they do not (the offset would take two directions).
 */
export function relativePhrase(o: SceneObject, from: SceneObject): string | undefined {
  const [dr, dc] = [o.row - from.row, o.col - from.col];
  if (dr !== 0 && dc !== 0) return undefined;
  const way = dr > 0 ? 'below' : dr < 0 ? 'above' : dc > 0 ? 'right of' : 'left of';
  return `${Math.abs(dr + dc) === 1 ? 'just' : 'far'} ${way} it`;
}

/** Ways to join the object phrases into a caption. */
const SENTENCES: readonly ((parts: readonly string[]) => string)[] = [
  (parts) => list(parts),
  (parts) => `there ${parts.length > 1 ? 'are' : 'is'} ${list(parts)}`,
  (parts) => `the picture shows ${list(parts)}`,
  (parts) => `the image has ${list(parts)}`,
];

function list(parts: readonly string[]): string {
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(' , ')} and ${parts[parts.length - 1]}`;
}

/**
 * A caption that names the scene's objects by size, colour and shape but not where they are,
 * with the objects in the order it names them: phrases for grounding (a model told which
 * object a phrase names must find its cell in the image, as FIBER's fine-grained pre-training
 * finds a phrase's box). Each object's phrase holds its shape word once, so the k-th shape word
 * of the text names `objects[k]`. Not a retrieval caption: it does not determine the scene's key.
 */
export function unplacedCaption(scene: Scene, random: () => number): { readonly text: string; readonly objects: readonly SceneObject[] } {
  const objects = shuffled(random, scene.objects);
  return { text: pick(random, SENTENCES)(objects.map((o) => pick(random, OBJECT_PHRASES)(o))), objects };
}

/**
 * A caption of the scene, its templates and object order drawn from `random`. The `absolute`
 * style draws exactly the numbers it drew before `relative` existed, so its corpus is unchanged.
 */
export function caption(scene: Scene, random: () => number, style: CaptionStyle = 'absolute'): string {
  const objects = shuffled(random, scene.objects);
  const parts = objects.map((o, i) => {
    const relative = style === 'relative' && i > 0 ? relativePhrase(o, objects[i - 1]!) : undefined;
    if (relative !== undefined && random() < 0.5) return pick(random, POSITION_LAST)(o, relative);
    return pick(random, OBJECT_TEMPLATES)(o, positionPhrase(o.row, o.col));
  });
  return pick(random, SENTENCES)(parts);
}
