import { describe, expect, it } from 'vitest';
import { statementInputs } from '../../src/data/statement-batch.js';
import { syntheticCorpus } from '../../src/data/synthetic.js';
import { TextTokenizer } from '../../src/data/tokenizer.js';

describe('relation statements for grounded pre-training', () => {
  const scenes = syntheticCorpus({ seed: 3, sizes: { train: 40, val: 0, test: 0 } }).train.map((e) => e.scene);
  const tokenizer = TextTokenizer.synthetic();

  it('name two objects of the image by colour and shape, with their cells; a scene that cannot pose one gets an empty text and -1', () => {
    const inputs = statementInputs(scenes, tokenizer, 24, 0, 5);
    const [ids, mask, places] = ['statement_ids', 'statement_mask', 'places'].map((n) => inputs.get(n)!);
    expect([ids.shape, mask.shape, places.shape, places.dtype]).toEqual([[40, 24], [40, 24], [40, 2], 'i32']);
    let stated = 0;
    scenes.forEach((scene, b) => {
      const length = Array.from(mask.data.slice(b * 24, (b + 1) * 24)).reduce((s, x) => s + x, 0);
      const text = tokenizer.decode(Array.from(ids.data.slice(b * 24, b * 24 + length)));
      const words = /the (\w+) (\w+) is (?:above|below|on the left of|on the right of) the (\w+) (\w+)/.exec(text);
      const cells = [places.data[2 * b], places.data[2 * b + 1]];
      if (!words) {
        expect(cells, text).toEqual([-1, -1]);
        return;
      }
      stated++;
      // The scene read by this test: each named object is the one of that colour and shape.
      const cell = (colour: string, shape: string): number => {
        const o = scene.objects.filter((x) => x.colour === colour && x.shape === shape);
        expect(o.length, `${colour} ${shape} in ${text}`).toBe(1);
        return o[0]!.row * 3 + o[0]!.col;
      };
      expect(cells, text).toEqual([cell(words[1]!, words[2]!), cell(words[3]!, words[4]!)]);
    });
    expect(stated).toBeGreaterThan(20);
    // A one-object scene compares nothing.
    const alone = scenes.findIndex((s) => s.objects.length === 1);
    expect(alone).toBeGreaterThanOrEqual(0);
    expect([places.data[2 * alone], places.data[2 * alone + 1]]).toEqual([-1, -1]);
  });

  it('depend only on seed and step: the same step draws the same statements, another step others', () => {
    const [a, b, c] = [statementInputs(scenes, tokenizer, 24, 0, 5), statementInputs(scenes, tokenizer, 24, 0, 5), statementInputs(scenes, tokenizer, 24, 0, 6)];
    for (const n of ['statement_ids', 'statement_mask', 'places']) expect(Array.from(a.get(n)!.data), n).toEqual(Array.from(b.get(n)!.data));
    expect(Array.from(a.get('statement_ids')!.data)).not.toEqual(Array.from(c.get('statement_ids')!.data));
  });
});
