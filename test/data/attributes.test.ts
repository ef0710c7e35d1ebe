import { describe, expect, it } from 'vitest';
import { ATTRIBUTES, attributeBatch, CELL_LABELS, sceneCellAttributes } from '../../src/data/attributes.js';
import { imageText, syntheticCorpus } from '../../src/data/synthetic.js';

describe('image-tower labels', () => {
  it('marks, for each grid cell, the colour, shape and size of the object there', () => {
    const scene = { background: 0, noise: 1, objects: [
      { shape: 'circle', colour: 'red', size: 'small', row: 0, col: 0, jitter: [0, 0] },
      { shape: 'cross', colour: 'red', size: 'large', row: 1, col: 2, jitter: [0, 0] },
    ] } as const;
    const labels = sceneCellAttributes(scene);
    expect(ATTRIBUTES.length).toBe(13);
    expect(labels.length).toBe(CELL_LABELS);
    const cell = (row: number, col: number): string[] => ATTRIBUTES.filter((_, i) => labels[(row * 3 + col) * 13 + i] === 1);
    expect(cell(0, 0)).toEqual(['red', 'circle', 'small']);
    expect(cell(1, 2)).toEqual(['red', 'cross', 'large']);
    // The other seven cells are empty.
    expect(labels.reduce((s, x) => s + x, 0)).toBe(6);
  });

  it('batches images with their labels, the same for the same seed and step', () => {
    const images = syntheticCorpus({ seed: 3, sizes: { train: 10, val: 0, test: 0 } }).train.map((e) => ({ ...imageText(e), scene: e.scene }));
    const a = attributeBatch(images, { seed: 1, batch: 4, imageSize: 32 }, 2);
    const b = attributeBatch(images, { seed: 1, batch: 4, imageSize: 32 }, 2);
    expect(a.get('pixels')!.shape).toEqual([4, 3, 32, 32]);
    expect(a.get('targets')!.shape).toEqual([4, CELL_LABELS]);
    expect([...a.get('targets')!.data]).toEqual([...b.get('targets')!.data]);
    // Every scene has one to three objects: a colour, a shape and a size each.
    for (let r = 0; r < 4; r++) expect([3, 6, 9]).toContain([...a.get('targets')!.data.slice(r * CELL_LABELS, (r + 1) * CELL_LABELS)].filter((x) => x === 1).length);
  });
});
