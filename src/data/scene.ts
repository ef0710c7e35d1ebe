import { pick } from './random.js';

/**
 * Scenes of the built-in synthetic corpus: a few objects — a shape of a colour and a size —
 * in the cells of a 3 x 3 grid, on a background. A scene is the truth its image is drawn from
 * and its captions and questions are written from (see spec/data.md).
 */

export const SHAPES = ['circle', 'square', 'triangle', 'cross'] as const;
export type Shape = (typeof SHAPES)[number];

/** Object colours (sRGB, 0-255), far apart and far from every background. */
export const COLOURS = {
  red: [220, 40, 40],
  green: [40, 180, 60],
  blue: [50, 90, 235],
  yellow: [235, 215, 40],
  purple: [160, 70, 210],
  orange: [245, 140, 30],
  white: [240, 240, 240],
} as const satisfies Record<string, readonly [number, number, number]>;
export type Colour = keyof typeof COLOURS;
export const COLOUR_NAMES = Object.keys(COLOURS) as Colour[];

export const SIZES = ['small', 'large'] as const;
export type Size = (typeof SIZES)[number];

/** Dark, muted backgrounds (top and bottom of a vertical gradient). */
export const BACKGROUNDS: readonly (readonly [readonly [number, number, number], readonly [number, number, number]])[] = [
  [[25, 25, 25], [60, 60, 60]],
  [[70, 70, 75], [35, 35, 40]],
  [[45, 30, 20], [80, 55, 35]],
  [[15, 25, 50], [40, 50, 80]],
  [[50, 20, 40], [25, 15, 30]],
  [[20, 45, 35], [45, 70, 55]],
];

/** Grid rows top to bottom and columns left to right. */
export const GRID = 3;

export interface SceneObject {
  readonly shape: Shape;
  readonly colour: Colour;
  readonly size: Size;
  /** Grid cell: row 0 (top) to 2 (bottom), column 0 (left) to 2 (right). */
  readonly row: number;
  readonly col: number;
  /** Offset of the centre from the cell's centre, in fractions of a cell (|x| <= 0.1). */
  readonly jitter: readonly [number, number];
}

export interface Scene {
  /** Index into BACKGROUNDS. */
  readonly background: number;
  /** Seed of the background's pixel noise. */
  readonly noise: number;
  /** One to three objects, each in its own cell. */
  readonly objects: readonly SceneObject[];
}

/** Most objects in a scene. */
export const MAX_OBJECTS = 3;

/** One object as its canonical words: `large red circle @0,2`. */
export function objectKey(o: SceneObject): string {
  return `${o.size} ${o.colour} ${o.shape} @${o.row},${o.col}`;
}

/**
 * What a caption can say of a scene, as one string: its objects' sizes, colours, shapes and
 * cells, in a fixed order. Two scenes with one key have interchangeable captions (the
 * background and the jitter are not described); the corpus never holds two such scenes.
 */
export function sceneKey(s: Scene): string {
  return s.objects.map(objectKey).sort().join(' | ');
}

/** A random scene: one to MAX_OBJECTS objects in distinct cells. */
export function randomScene(random: () => number): Scene {
  const count = 1 + Math.floor(random() * MAX_OBJECTS);
  const cells = [...Array(GRID * GRID).keys()];
  const objects: SceneObject[] = [];
  for (let i = 0; i < count; i++) {
    const cell = cells.splice(Math.floor(random() * cells.length), 1)[0]!;
    objects.push({
      shape: pick(random, SHAPES), colour: pick(random, COLOUR_NAMES), size: pick(random, SIZES),
      row: Math.floor(cell / GRID), col: cell % GRID, jitter: [(random() - 0.5) * 0.2, (random() - 0.5) * 0.2],
    });
  }
  return { background: Math.floor(random() * BACKGROUNDS.length), noise: Math.floor(random() * 2 ** 31), objects };
}
