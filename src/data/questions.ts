import { article, positionPhrase } from './captions.js';
import { pick } from './random.js';
import { COLOUR_NAMES, SHAPES, type Scene, type SceneObject } from './scene.js';

/**
 * VQA questions about a synthetic scene, each answered from the scene itself: an object's
 * colour, an object's shape, how many objects there are, whether a colour and shape is
 * present, and whether one object is above, below, left or right of another. Every answer is
 * one of ANSWERS (the classifier's classes).
 */

export const QUESTION_TYPES = ['color', 'shape', 'count', 'exists', 'relation'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

const COUNTS = ['one', 'two', 'three'] as const;

/** Every answer, in class order. */
export const ANSWERS: readonly string[] = [...COLOUR_NAMES, ...SHAPES, ...COUNTS, 'yes', 'no'];

export interface Question {
  readonly type: QuestionType;
  readonly question: string;
  readonly answer: string;
  /** For a relation question, the two objects it compares, in the order it names them. */
  readonly compared?: readonly [SceneObject, SceneObject];
  /** For a relation question, which relation it asks: an index of RELATION_NAMES. */
  readonly relation?: number;
}

/** The relations a relation question may ask, in the order `Question.relation` numbers them. */
export const RELATION_NAMES = ['above', 'below', 'left of', 'right of'] as const;

/** Objects that a colour and a shape name alone (no other object has both). */
function namedByColourAndShape(scene: Scene): SceneObject[] {
  return scene.objects.filter((o) => scene.objects.filter((x) => x.colour === o.colour && x.shape === o.shape).length === 1);
}

/** Relations between two objects in different rows or columns, as words and their truth. */
const RELATIONS: readonly { readonly words: string; readonly holds: (a: SceneObject, b: SceneObject) => boolean; readonly applies: (a: SceneObject, b: SceneObject) => boolean }[] = [
  { words: 'above', holds: (a, b) => a.row < b.row, applies: (a, b) => a.row !== b.row },
  { words: 'below', holds: (a, b) => a.row > b.row, applies: (a, b) => a.row !== b.row },
  { words: 'on the left of', holds: (a, b) => a.col < b.col, applies: (a, b) => a.col !== b.col },
  { words: 'on the right of', holds: (a, b) => a.col > b.col, applies: (a, b) => a.col !== b.col },
];

/**
 * Two objects of the scene that a colour and a shape name apart and a relation between their
 * places, drawn uniformly among all such (the same draw for a relation question and a
 * statement); undefined when the scene has none.
 */
function drawRelation(scene: Scene, random: () => number): { readonly a: SceneObject; readonly b: SceneObject; readonly r: (typeof RELATIONS)[number] } | undefined {
  const named = namedByColourAndShape(scene);
  const pairs = named.flatMap((a) => named.filter((b) => b !== a).map((b) => [a, b] as const));
  const options = pairs.flatMap(([a, b]) => RELATIONS.filter((r) => r.applies(a, b)).map((r) => ({ a, b, r })));
  return options.length === 0 ? undefined : pick(random, options);
}

/** A statement that one object is above, below, left or right of another, true or not. */
export interface RelationStatement {
  readonly text: string;
  readonly holds: boolean;
  /** The two objects it compares, in the order it names them. */
  readonly compared: readonly [SceneObject, SceneObject];
}

/**
 * A relation question's claim as a caption ("the red circle is above the blue square"), drawn
 * as the question is, so about half are false: with its truth, a matching label that only an
 * image-text model comparing the two named objects' places can give (an ITM example whose
 * negative has exactly the words of a positive). Undefined when the scene cannot pose one.
 */
export function relationStatement(scene: Scene, random: () => number): RelationStatement | undefined {
  const drawn = drawRelation(scene, random);
  if (drawn === undefined) return undefined;
  const { a, b, r } = drawn;
  return { text: `the ${a.colour} ${a.shape} is ${r.words} the ${b.colour} ${b.shape}`, holds: r.holds(a, b), compared: [a, b] };
}

/** One question of the given type about the scene, or undefined when the scene cannot pose it (a relation needs two nameable objects). */
export function question(scene: Scene, type: QuestionType, random: () => number): Question | undefined {
  switch (type) {
    case 'color': {
      const o = pick(random, scene.objects);
      return { type, question: `what color is the ${o.size} ${o.shape} ${positionPhrase(o.row, o.col)} ?`, answer: o.colour };
    }
    case 'shape': {
      const o = pick(random, scene.objects);
      return { type, question: `what shape is the ${o.colour} object ${positionPhrase(o.row, o.col)} ?`, answer: o.shape };
    }
    case 'count':
      return { type, question: 'how many objects are there ?', answer: COUNTS[scene.objects.length - 1]! };
    case 'exists': {
      // Half the time an object of the scene, else any colour and shape (present or not).
      const o = random() < 0.5 ? pick(random, scene.objects) : { colour: pick(random, COLOUR_NAMES), shape: pick(random, SHAPES) };
      const present = scene.objects.some((x) => x.colour === o.colour && x.shape === o.shape);
      return { type, question: `is there ${article(o.colour)} ${o.colour} ${o.shape} ?`, answer: present ? 'yes' : 'no' };
    }
    case 'relation': {
      const drawn = drawRelation(scene, random);
      if (drawn === undefined) return undefined;
      const { a, b, r } = drawn;
      return { type, question: `is the ${a.colour} ${a.shape} ${r.words} the ${b.colour} ${b.shape} ?`, answer: r.holds(a, b) ? 'yes' : 'no', compared: [a, b], relation: RELATIONS.indexOf(r) };
    }
  }
}
