import { describe, expect, it } from 'vitest';
import { ATTRIBUTES, attributeBatch, sceneAttributes } from '../../src/data/attributes.js';
import { imageText, syntheticCorpus } from '../../src/data/synthetic.js';

describe('image-tower labels', () => {
  it('marks the colours, shapes and sizes a scene holds', () => {
    const scene = { background: 0, noise: 1, objects: [
      { shape: 'circle', colour: 'red', size: 'small', row: 0, col: 0, jitter: [0, 0] },
      { shape: 'cross', colour: 'red', size: 'large', row: 1, col: 2, jitter: [0, 0] },
    ] } as const;
    const labels = sceneAttributes(scene);
    expect(ATTRIBUTES.filter((_, i) => labels[i] === 1)).toEqual(['red', 'circle', 'cross', 'small', 'large']);
    expect(ATTRIBUTES.length).toBe(13);
  });

  it('batches images with their labels, the same for the same seed and step', () => {
    const images = syntheticCorpus({ seed: 3, sizes: { train: 10, val: 0, test: 0 } }).train.map((e) => ({ ...imageText(e), scene: e.scene }));
    const a = attributeBatch(images, { seed: 1, batch: 4, imageSize: 32 }, 2);
    const b = attributeBatch(images, { seed: 1, batch: 4, imageSize: 32 }, 2);
    expect(a.get('pixels')!.shape).toEqual([4, 3, 32, 32]);
    expect(a.get('targets')!.shape).toEqual([4, 13]);
    expect([...a.get('targets')!.data]).toEqual([...b.get('targets')!.data]);
    // Every scene has at least one object: a colour, a shape and a size each.
    for (let r = 0; r < 4; r++) expect([...a.get('targets')!.data.slice(r * 13, r * 13 + 13)].filter((x) => x === 1).length).toBeGreaterThanOrEqual(3);
  });
});
