import { describe, expect, it } from 'vitest';
import { relativePhrase, unplacedCaption } from '../../src/data/captions.js';
import { ANSWERS, question, QUESTION_TYPES, RELATION_NAMES, relationStatement } from '../../src/data/questions.js';
import { IMAGENET_MEAN, IMAGENET_STD, objectGeometry, renderScene } from '../../src/data/render.js';
import { BACKGROUNDS, COLOUR_NAMES, COLOURS, objectKey, sceneKey, SHAPES, SIZES, type Scene, type SceneObject } from '../../src/data/scene.js';
import { exampleImage, syntheticCorpus, type SyntheticExample } from '../../src/data/synthetic.js';
import { SYNTHETIC_VOCABULARY } from '../../src/data/vocabulary.js';
import { rng } from '../../src/ir/init.js';

const SIZES_SMALL = { train: 120, val: 20, test: 20 };

/**
 * What a caption says, read back without its templates: it is split into one chunk per
 * object at the commas, the `and`s and the sentence openings; each chunk names one size, one
 * colour, one shape and a position (top/bottom, left/right, else the middle row or column).
 */
function readCaption(caption: string): string {
  const chunks = caption.replace(/^(there (is|are)|the picture shows|the image has) /, '').split(/ , | and /);
  let previous: [number, number] | undefined;
  return chunks.map((c) => {
    const words = c.split(' ');
    const one = (options: readonly string[]): string => {
      const found = words.filter((w) => options.includes(w));
      expect(found, `${c} (in "${caption}")`).toHaveLength(1);
      return found[0]!;
    };
    const [row, col] = words.includes('it') ? offsetCell(words, previous!) : cellOf(words);
    if (row === 1 && col === 1 && !words.includes('it')) expect(words).toContain('center');
    previous = [row, col];
    return `${one(SIZES)} ${one(COLOUR_NAMES)} ${one(SHAPES)} @${row},${col}`;
  }).sort().join(' | ');
}

/** The cell a relative phrase (`just below it`, `far left of it`) names, from the cell of the object named before. */
function offsetCell(words: readonly string[], [row, col]: [number, number]): [number, number] {
  const by = words.includes('just') ? 1 : 2;
  expect(words.includes('just') !== words.includes('far')).toBe(true);
  if (words.includes('above')) return [row - by, col];
  if (words.includes('below')) return [row + by, col];
  return words.includes('left') ? [row, col - by] : [row, col + by];
}

/** The grid cell a position phrase names. */
function cellOf(words: readonly string[]): [number, number] {
  return [words.includes('top') ? 0 : words.includes('bottom') ? 2 : 1, words.includes('left') ? 0 : words.includes('right') ? 2 : 1];
}

/** The two objects a relation question names (`is the C S <relation> the C2 S2 ?`), found from the scene. */
function comparedOf(scene: Scene, q: { question: string }): [SceneObject, SceneObject] {
  const w = q.question.split(' ');
  const named = (c: string, s: string): SceneObject => scene.objects.find((o) => o.colour === c && o.shape === s)!;
  return [named(w[2]!, w[3]!), named(w[w.length - 3]!, w[w.length - 2]!)];
}

/** The object a question's referring phrase names, found from the scene (an oracle apart from questions.ts). */
function answerOf(scene: Scene, q: { type: string; question: string }): string {
  const w = q.question.split(' ');
  const has = (x: { colour: string; shape: string }, c: string, s: string): boolean => x.colour === c && x.shape === s;
  switch (q.type) {
    case 'count': return ['one', 'two', 'three'][scene.objects.length - 1]!;
    case 'exists': return scene.objects.some((o) => has(o, w[3]!, w[4]!)) ? 'yes' : 'no';
    case 'color': {
      // what color is the SIZE SHAPE <position> ?
      const [row, col] = cellOf(w.slice(6, -1));
      return scene.objects.find((o) => o.size === w[4] && o.shape === w[5] && o.row === row && o.col === col)!.colour;
    }
    case 'shape': {
      // what shape is the COLOUR object <position> ?
      const [row, col] = cellOf(w.slice(6, -1));
      return scene.objects.find((o) => o.colour === w[4] && o.row === row && o.col === col)!.shape;
    }
    default: {
      const [a, b] = comparedOf(scene, q);
      const rel = w.slice(4, -4).join(' ');
      const holds = rel === 'above' ? a.row < b.row : rel === 'below' ? a.row > b.row : rel === 'on the left of' ? a.col < b.col : a.col > b.col;
      return holds ? 'yes' : 'no';
    }
  }
}

describe('the synthetic corpus', () => {
  const corpus = syntheticCorpus({ seed: 7, sizes: SIZES_SMALL });
  const all: SyntheticExample[] = [...corpus.train, ...corpus.val, ...corpus.test];

  it('is the same for the same seed, images included, and another for another seed', () => {
    const again = syntheticCorpus({ seed: 7, sizes: SIZES_SMALL });
    expect(again).toEqual(corpus);
    expect(exampleImage(again.test[3]!, 64)).toEqual(exampleImage(corpus.test[3]!, 64));
    const other = syntheticCorpus({ seed: 8, sizes: SIZES_SMALL });
    expect(other.train.map((e) => sceneKey(e.scene))).not.toEqual(corpus.train.map((e) => sceneKey(e.scene)));
    for (const s of ['train', 'val', 'test'] as const) expect(corpus[s]).toHaveLength(SIZES_SMALL[s]);
  });

  it('holds no two scenes a caption could describe both of; a scene\'s split does not depend on the split sizes', () => {
    const keys = all.map((e) => sceneKey(e.scene));
    expect(new Set(keys).size).toBe(keys.length);
    const bigger = syntheticCorpus({ seed: 7, sizes: { train: 600, val: 100, test: 1000 } });
    expect(bigger.test).toHaveLength(1000);
    const splitOf = new Map<string, string>();
    for (const c of [corpus, bigger]) for (const e of [...c.train, ...c.val, ...c.test]) {
      const key = sceneKey(e.scene);
      expect(splitOf.get(key) ?? e.split, key).toBe(e.split);
      splitOf.set(key, e.split);
    }
  });

  it('captions name every object truthfully (size, colour, shape, cell) in varied words and orders', () => {
    const texts = new Set<string>();
    for (const e of all) {
      expect(e.captions).toHaveLength(2);
      for (const c of e.captions) {
        expect(readCaption(c)).toBe(sceneKey(e.scene));
        texts.add(c.split(' ').slice(0, 2).join(' '));
      }
    }
    // Openings differ: several sentence and object templates are in use.
    expect(texts.size).toBeGreaterThan(10);
  });

  it('draws exactly the captions it drew before relative captions existed', () => {
    expect([corpus.train[0]!.captions, corpus.test[19]!.captions]).toEqual([
      ['there is a purple cross of large size at the top left', 'the image has a large purple cross at the top left'],
      ['the picture shows a white square of small size on the right and a small yellow circle at the top right', 'the picture shows a yellow circle of small size at the top right and a white square of small size on the right'],
    ]);
  });

  it('relative captions place some objects by their exact offset from the one named before, and still name the scene', () => {
    const relative = syntheticCorpus({ seed: 7, sizes: SIZES_SMALL, captionStyle: 'relative' });
    const captions = [...relative.train, ...relative.val, ...relative.test].flatMap((e) => e.captions.map((c) => ({ c, key: sceneKey(e.scene) })));
    for (const { c, key } of captions) expect(readCaption(c), c).toBe(key);
    const phrases = captions.flatMap(({ c }) => c.match(/(just|far) (above|below|left of|right of) it/g) ?? []);
    // About a quarter of the captions: half the objects after the first that share a row or column.
    expect(phrases.length / captions.length).toBeGreaterThan(0.15);
    expect(phrases.length / captions.length).toBeLessThan(0.45);
    expect(new Set(phrases).size).toBe(8);
    const words = new Set(captions.flatMap(({ c }) => c.split(' ')));
    for (const w of words) expect(SYNTHETIC_VOCABULARY, w).toContain(w);
  });

  it('unplaced captions name every object by size, colour and shape in the order they list, and no place', () => {
    const random = rng(3);
    const byKey = (objects: readonly SceneObject[]): SceneObject[] => [...objects].sort((a, b) => objectKey(a).localeCompare(objectKey(b)));
    const openings = new Set<string>();
    for (const e of all) {
      const { text, objects } = unplacedCaption(e.scene, random);
      expect(byKey(objects)).toEqual(byKey(e.scene.objects));
      const words = text.split(' ');
      // The k-th shape word is the k-th object's, and the phrase it ends or starts holds that object's size and colour.
      expect(words.filter((w) => (SHAPES as readonly string[]).includes(w))).toEqual(objects.map((o) => o.shape));
      const chunks = text.replace(/^(there (is|are)|the picture shows|the image has) /, '').split(/ , | and /);
      chunks.forEach((c, k) => expect(c.split(' '), c).toEqual(expect.arrayContaining([objects[k]!.size, objects[k]!.colour, objects[k]!.shape])));
      for (const place of ['top', 'bottom', 'left', 'right', 'center', 'it']) expect(words, text).not.toContain(place);
      for (const w of words) expect(SYNTHETIC_VOCABULARY, w).toContain(w);
      openings.add(words.slice(0, 3).join(' '));
    }
    expect(openings.size).toBeGreaterThan(10);
  });

  it('states a relation as its question asks it, true about half the time, where the scene poses one', () => {
    const random = rng(11);
    let [posed, holding] = [0, 0];
    for (const e of all) {
      const statement = relationStatement(e.scene, random);
      expect(statement === undefined).toBe(question(e.scene, 'relation', rng(0)) === undefined);
      if (statement === undefined) continue;
      // The statement read as its question (`the C S is REL the C2 S2` -> `is the C S REL the C2 S2 ?`) by the oracle.
      const asked = { type: 'relation', question: `is ${statement.text.replace(/^the (\S+ \S+) is /, 'the $1 ')} ?` };
      expect(answerOf(e.scene, asked), statement.text).toBe(statement.holds ? 'yes' : 'no');
      expect(statement.compared).toEqual(comparedOf(e.scene, asked));
      for (const w of statement.text.split(' ')) expect(SYNTHETIC_VOCABULARY, w).toContain(w);
      posed++;
      if (statement.holds) holding++;
    }
    expect(posed).toBeGreaterThan(all.length / 2);
    expect(holding / posed).toBeGreaterThan(0.3);
    expect(holding / posed).toBeLessThan(0.7);
  });

  it('says an offset only along a row or a column', () => {
    const at = (row: number, col: number): SceneObject => ({ shape: 'circle', colour: 'red', size: 'small', row, col, jitter: [0, 0] });
    expect(relativePhrase(at(2, 1), at(0, 1))).toBe('far below it');
    expect(relativePhrase(at(1, 0), at(1, 1))).toBe('just left of it');
    expect(relativePhrase(at(0, 2), at(1, 1))).toBeUndefined();
  });

  it('answers every question correctly, from the classes, with yes and no both common', () => {
    const counts = new Map<string, number>();
    for (const e of all) {
      expect(e.questions).toHaveLength(3);
      for (const q of e.questions) {
        expect(QUESTION_TYPES).toContain(q.type);
        expect(ANSWERS).toContain(q.answer);
        expect(answerOf(e.scene, q), q.question).toBe(q.answer);
        expect(q.compared, q.question).toEqual(q.type === 'relation' ? comparedOf(e.scene, q) : undefined);
        // The relation asked, as its words say it ("on the left of" is RELATION_NAMES' "left of").
        const asked = q.question.split(' ').slice(4, -4).join(' ').replace(/^on the /, '');
        expect(q.relation, q.question).toBe(q.type === 'relation' ? RELATION_NAMES.indexOf(asked as (typeof RELATION_NAMES)[number]) : undefined);
        if (q.type === 'relation') expect(q.relation, q.question).toBeGreaterThanOrEqual(0);
        counts.set(q.answer, (counts.get(q.answer) ?? 0) + 1);
      }
    }
    const [yes, no] = [counts.get('yes') ?? 0, counts.get('no') ?? 0];
    expect(yes / (yes + no)).toBeGreaterThan(0.3);
    expect(yes / (yes + no)).toBeLessThan(0.7);
  });

  it('uses only the words of its vocabulary, which FiberTiny\'s 64-entry table holds, padding at id 1', () => {
    const words = new Set(all.flatMap((e) => [...e.captions, ...e.questions.map((q) => q.question)]).flatMap((t) => t.split(' ')));
    for (const w of words) expect(SYNTHETIC_VOCABULARY, w).toContain(w);
    expect(SYNTHETIC_VOCABULARY.length).toBeLessThanOrEqual(64);
    expect(new Set(SYNTHETIC_VOCABULARY).size).toBe(SYNTHETIC_VOCABULARY.length);
    expect(SYNTHETIC_VOCABULARY.indexOf('<pad>')).toBe(1);
  });

  it('draws each object in its colour at its centre on the scene\'s background, normalized as FIBER does', () => {
    for (const e of corpus.test) {
      const raw = renderScene(e.scene, 64);
      const normalized = exampleImage(e, 64);
      const at = (img: Float32Array, c: number, x: number, y: number): number => img[c * 64 * 64 + Math.floor(y) * 64 + Math.floor(x)]!;
      for (const o of e.scene.objects) {
        const { cx, cy } = objectGeometry(o, 64);
        for (let c = 0; c < 3; c++) {
          expect(at(raw, c, cx, cy), `${objectKey(o)} channel ${c}`).toBeCloseTo(COLOURS[o.colour][c]! / 255, 5);
          expect(at(normalized, c, cx, cy)).toBeCloseTo((COLOURS[o.colour][c]! / 255 - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!, 4);
        }
      }
      // A corner no object reaches is the background's gradient, within its noise.
      const empty = e.scene.objects.every((o) => o.row !== 0 || o.col !== 0);
      if (empty) {
        const [top] = BACKGROUNDS[e.scene.background]!;
        for (let c = 0; c < 3; c++) expect(Math.abs(at(raw, c, 0, 0) - top[c]! / 255)).toBeLessThanOrEqual(0.041);
      }
    }
  });
});
