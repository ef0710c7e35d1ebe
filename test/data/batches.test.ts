import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../src/dsl/entry.js';
import { loadProgram } from '../../src/dsl/loader.js';
import { IGNORE_LABEL, maskTokens } from '../../src/data/masking.js';
import { ATTRIBUTE_WORDS, focusTokenIds } from '../../src/data/mlm-focus.js';
import { maskingVocabulary, PretrainBatches } from '../../src/data/pretrain-batch.js';
import { imageText, syntheticCorpus } from '../../src/data/synthetic.js';
import { TextTokenizer } from '../../src/data/tokenizer.js';
import { rng } from '../../src/ir/init.js';

const tokenizer = TextTokenizer.synthetic();
const corpus = syntheticCorpus({ seed: 5, sizes: { train: 40, val: 4, test: 4 } });
const options = { seed: 11, batch: 8, imageSize: 64, textLength: 16 };

describe('MLM masking', () => {
  it('chooses 15% of the real ordinary tokens: 80% <mask>, 10% a random ordinary token, 10% kept; labels only there', () => {
    const vocab = maskingVocabulary(tokenizer);
    const random = rng(1);
    let [real, chosen, masked, replaced, kept] = [0, 0, 0, 0, 0];
    for (let n = 0; n < 4000; n++) {
      const e = tokenizer.encode('there are a small red circle at the top and a large blue cross on the left', 24);
      const m = maskTokens(e.ids, e.mask, vocab, random);
      for (let i = 0; i < 24; i++) {
        const special = vocab.specials.has(e.ids[i]!);
        if (special || e.mask[i] === 0) {
          expect(m.labels[i]).toBe(IGNORE_LABEL);
          expect(m.ids[i]).toBe(e.ids[i]);
          continue;
        }
        real++;
        if (m.labels[i] === IGNORE_LABEL) {
          expect(m.ids[i]).toBe(e.ids[i]);
          continue;
        }
        chosen++;
        expect(m.labels[i]).toBe(e.ids[i]);
        if (m.ids[i] === tokenizer.mask) masked++;
        else if (m.ids[i] === e.ids[i]) kept++;
        else replaced++;
        expect(vocab.specials.has(m.ids[i]!) && m.ids[i] !== tokenizer.mask).toBe(false);
      }
    }
    expect(chosen / real).toBeCloseTo(0.15, 2);
    expect(masked / chosen).toBeCloseTo(0.8, 1);
    // A random replacement can draw the original token (1 in 45): kept then counts it.
    expect(replaced / chosen).toBeGreaterThan(0.08);
    expect(replaced / chosen).toBeLessThan(0.12);
    expect(kept / chosen).toBeGreaterThan(0.08);
    expect(kept / chosen).toBeLessThan(0.12);
  });
});

describe('MLM focus (--mlm-focus)', () => {
  const vocab = maskingVocabulary(tokenizer);
  const caption = 'there are a small red circle at the top and a large blue cross on the left';

  it('resolves the attribute words and a words file to token ids, and names a word the vocabulary lacks', () => {
    const attributes = focusTokenIds('attributes', tokenizer);
    expect([...attributes].map((id) => tokenizer.decode([id])).sort()).toEqual([...ATTRIBUTE_WORDS].sort());
    const dir = mkdtempSync(join(tmpdir(), 'fiberc-focus-'));
    writeFileSync(join(dir, 'words.txt'), '# what only the image tells\nred\n\n  circle  \n');
    expect([...focusTokenIds(join(dir, 'words.txt'), tokenizer)].map((id) => tokenizer.decode([id])).sort()).toEqual(['circle', 'red']);
    writeFileSync(join(dir, 'odd.txt'), 'red\nteapot\n');
    expect(() => focusTokenIds(join(dir, 'odd.txt'), tokenizer)).toThrow(/--mlm-focus: .* has no token for 'teapot'/);
    writeFileSync(join(dir, 'empty.txt'), '# nothing\n');
    expect(() => focusTokenIds(join(dir, 'empty.txt'), tokenizer)).toThrow(/--mlm-focus .*empty\.txt: no words \(one per line\)/);
    expect(() => focusTokenIds(join(dir, 'missing.txt'), tokenizer)).toThrow(/--mlm-focus .*missing\.txt: no such file/);
  });

  it('chooses one focus word of every caption besides the random 15%, each as often; without a focus the draws are FIBER masking\'s', () => {
    const focus = focusTokenIds('attributes', tokenizer);
    const e = tokenizer.encode(caption, 24);
    const attributeAt = [...e.ids.keys()].filter((i) => e.mask[i] === 1 && focus.has(e.ids[i]!));
    expect(attributeAt.length).toBe(6);
    const focused = rng(3);
    const times = new Array<number>(24).fill(0);
    let others = 0;
    const n = 6000;
    for (let k = 0; k < n; k++) {
      const m = maskTokens(e.ids, e.mask, vocab, focused, { focus });
      expect(attributeAt.some((i) => m.labels[i] !== IGNORE_LABEL)).toBe(true);
      attributeAt.forEach((i) => (times[i]! += m.labels[i] !== IGNORE_LABEL ? 1 : 0));
      others += [...m.labels.keys()].filter((i) => !attributeAt.includes(i) && m.labels[i] !== IGNORE_LABEL).length;
    }
    // Each attribute: 1/6 as the focus, else 15% at random.
    for (const i of attributeAt) expect(times[i]! / n).toBeCloseTo(1 / 6 + (5 / 6) * 0.15, 1);
    expect(others / n / (e.length - 2 - attributeAt.length)).toBeCloseTo(0.15, 1);
    // A caption without a focus word is masked as FIBER masks it; no focus adds no draw.
    const none = tokenizer.encode('there is a picture', 24);
    const [a, b] = [rng(9), rng(9)];
    for (let k = 0; k < 50; k++) expect(maskTokens(none.ids, none.mask, vocab, a, { focus })).toEqual(maskTokens(none.ids, none.mask, vocab, b));
  });

  it('with no random masking (probability 0) chooses exactly the one focus word', () => {
    const focus = focusTokenIds('attributes', tokenizer);
    const e = tokenizer.encode(caption, 24);
    const random = rng(4);
    for (let k = 0; k < 200; k++) {
      const chosen = [...maskTokens(e.ids, e.mask, vocab, random, { focus, probability: 0 }).labels].filter((l) => l !== IGNORE_LABEL);
      expect(chosen.length).toBe(1);
      expect(focus.has(chosen[0]!)).toBe(true);
    }
  });

  it('with a focus probability chooses each focus word with that chance, and one when the draws chose none', () => {
    const focus = focusTokenIds('attributes', tokenizer);
    const e = tokenizer.encode(caption, 24);
    const attributeAt = [...e.ids.keys()].filter((i) => e.mask[i] === 1 && focus.has(e.ids[i]!));
    const random = rng(6);
    const times = new Array<number>(24).fill(0);
    let [alone, others] = [0, 0];
    const n = 6000;
    for (let k = 0; k < n; k++) {
      const m = maskTokens(e.ids, e.mask, vocab, random, { focus, probability: 0, focusProbability: 0.25 });
      const chosen = attributeAt.filter((i) => m.labels[i] !== IGNORE_LABEL);
      expect(chosen.length).toBeGreaterThanOrEqual(1);
      if (chosen.length === 1) alone++;
      chosen.forEach((i) => times[i]!++);
      others += [...m.labels.keys()].filter((i) => !attributeAt.includes(i) && m.labels[i] !== IGNORE_LABEL).length;
    }
    expect(others).toBe(0);
    // Each of the 6: 0.25, plus 1/6 of the 0.75^6 draws that chose none.
    const none = 0.75 ** 6;
    for (const i of attributeAt) expect(times[i]! / n).toBeCloseTo(0.25 + none / 6, 1);
    // One alone: exactly one drawn, or none drawn and one added.
    expect(alone / n).toBeCloseTo(6 * 0.25 * 0.75 ** 5 + none, 1);
    // Probability 1 chooses every focus word.
    const all = maskTokens(e.ids, e.mask, vocab, random, { focus, probability: 0, focusProbability: 1 });
    expect(attributeAt.every((i) => all.labels[i] === e.ids[i])).toBe(true);
  });

  it('reaches every caption of a batch', () => {
    const focus = focusTokenIds('attributes', tokenizer);
    const batch = new PretrainBatches(corpus.train.map(imageText), tokenizer, { ...options, masking: { focus } }).batch(3);
    const labels = batch.get('mlm_labels')!.data;
    for (let b = 0; b < options.batch; b++) {
      const row = Array.from(labels.subarray(b * options.textLength, (b + 1) * options.textLength));
      expect(row.some((id) => focus.has(id)), `row ${b}`).toBe(true);
    }
  });
});

describe('pre-training batches', () => {
  const examples = corpus.train.map(imageText);

  it('are the inputs FiberTinyPretraining expects', () => {
    const graph = buildGraph(loadProgram(join(resolve(__dirname, '../../examples'), 'fiber_pretrain.fib')), 'FiberTinyPretraining', { bindings: { B: 8, T: 16 } });
    const batch = new PretrainBatches(examples, tokenizer, options).batch(0);
    expect(graph.inputs.map((n) => [(n.op as { name: string }).name, n.dtype, n.shape])).toEqual([...batch].map(([name, t]) => [name, t.dtype, t.shape]));
  });

  it('depend only on the seed and the step: a resumed run reads the batch an uninterrupted one would', () => {
    const a = new PretrainBatches(examples, tokenizer, options);
    const seen = [0, 1, 2, 3, 4, 5, 6].map((t) => a.batch(t));
    const resumed = new PretrainBatches(examples, tokenizer, options);
    expect(resumed.batch(6)).toEqual(seen[6]);
    expect(resumed.batch(2)).toEqual(seen[2]);
    expect(seen[1]!.get('ids')).not.toEqual(seen[2]!.get('ids'));
    const other = new PretrainBatches(examples, tokenizer, { ...options, seed: 12 });
    expect(other.batch(0).get('pixels')).not.toEqual(seen[0]!.get('pixels'));
  });

  it('visit every example once per epoch, in a new order each epoch', () => {
    const b = new PretrainBatches(examples, tokenizer, options);
    expect(b.stepsPerEpoch).toBe(5);
    const epoch = (e: number): string[] => [0, 1, 2, 3, 4].flatMap((t) => b.examplesAt(e * 5 + t).map((x) => x.id));
    expect([...epoch(0)].sort()).toEqual(examples.map((x) => x.id).sort());
    expect([...epoch(1)].sort()).toEqual(examples.map((x) => x.id).sort());
    expect(epoch(1)).not.toEqual(epoch(0));
  });
});
