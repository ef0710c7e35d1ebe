import { describe, expect, it } from 'vitest';
import { ANSWERS, type Question } from '../../src/data/questions.js';
import { syntheticCorpus, imageText } from '../../src/data/synthetic.js';
import { TextTokenizer } from '../../src/data/tokenizer.js';
import { questionPlaces, vqaBatch, vqaItems } from '../../src/data/vqa-batch.js';
import { placeAccuracy, predictedAnswers, vqaAccuracy } from '../../src/tasks/vqa.js';
import type { RunConfig } from '../../src/train/train-run.js';
import { vqaTask } from '../../src/train/vqa-finetune.js';

describe('VQA', () => {
  it('accuracy overall and per question type, from the top-scored answer', () => {
    const qs: Question[] = [
      { type: 'color', question: 'q', answer: 'red' },
      { type: 'color', question: 'q', answer: 'blue' },
      { type: 'count', question: 'q', answer: 'two' },
      { type: 'exists', question: 'q', answer: 'no' },
    ];
    const logits = new Float32Array(4 * ANSWERS.length);
    const top = ['red', 'green', 'two', 'yes'];
    top.forEach((a, r) => (logits[r * ANSWERS.length + ANSWERS.indexOf(a)] = 3));
    const acc = vqaAccuracy(predictedAnswers(logits, 4), qs);
    expect(acc.overall).toBe(0.5);
    expect(acc.byType.color).toEqual({ accuracy: 0.5, count: 2, mostPredicted: { answer: 'red', share: 0.5 } });
    expect(acc.byType.count).toEqual({ accuracy: 1, count: 1, mostPredicted: { answer: 'two', share: 1 } });
    expect(acc.byType.exists).toEqual({ accuracy: 0, count: 1, mostPredicted: { answer: 'yes', share: 1 } });
    // Types no question has are left out (not shown as 0%).
    expect(Object.keys(acc.byType)).not.toContain('relation');
  });

  it('place accuracy: the largest of each compared object\'s cell logits against its cell, rows comparing nothing left out', () => {
    const row = (first: number, second: number): Float32Array => {
      const logits = new Float32Array(18).fill(-1);
      logits[first] = 2;
      logits[9 + second] = 2;
      return logits;
    };
    const acc = placeAccuracy([row(0, 8), row(4, 4), row(3, 3)], [[0, 7], [-1, -1], [3, 3]]);
    expect(acc).toEqual({ accuracy: 3 / 4, count: 4 });
    expect(placeAccuracy([row(1, 1)], [[-1, -1]])).toEqual({ accuracy: 0, count: 0 });
  });

  it('batches hold the image, the question as text and a one-hot target; they depend only on seed and step', () => {
    const corpus = syntheticCorpus({ seed: 2, sizes: { train: 10, val: 2, test: 2 } });
    const items = vqaItems(corpus.train.map(imageText));
    expect(items).toHaveLength(30);
    const tokenizer = TextTokenizer.synthetic();
    const options = { seed: 1, batch: 4, imageSize: 32, textLength: 16 };
    const b = vqaBatch(items, tokenizer, options, 3);
    expect([...b].map(([n, t]) => [n, t.shape])).toEqual([['pixels', [4, 3, 32, 32]], ['ids', [4, 16]], ['mask', [4, 16]], ['targets', [4, ANSWERS.length]]]);
    const targets = b.get('targets')!.data;
    for (let r = 0; r < 4; r++) expect(Array.from(targets.slice(r * ANSWERS.length, (r + 1) * ANSWERS.length)).reduce((s, x) => s + x, 0)).toBe(1);
    expect(vqaBatch(items, tokenizer, options, 3)).toEqual(b);
    // The question's words are in the text.
    const first = tokenizer.decode(b.get('ids')!.data.slice(0, 16));
    expect(items.some((i) => i.question.question === first)).toBe(true);
  });

  it('with a place weight, batches also hold the compared objects\' cells (-1 for other questions) and the weight', () => {
    const corpus = syntheticCorpus({ seed: 3, sizes: { train: 40, val: 0, test: 0 } });
    const items = vqaItems(corpus.train.map(imageText));
    const b = vqaBatch(items, TextTokenizer.synthetic(), { seed: 1, batch: 4, imageSize: 32, textLength: 16, placeWeight: 4 }, 0);
    expect(b.get('place_weight')!.data[0]).toBe(4);
    expect([b.get('places')!.shape, b.get('places')!.dtype]).toEqual([[4, 2], 'i32']);
    // Every item's cells, against the scene read by this test: the objects the question names by colour and shape.
    const places = questionPlaces(items).data;
    let relations = 0;
    items.forEach((item, r) => {
      const words = /^is the (\w+) (\w+) (?:above|below|on the left of|on the right of) the (\w+) (\w+) \?$/.exec(item.question.question);
      if (!words) return expect([places[2 * r], places[2 * r + 1]], item.question.question).toEqual([-1, -1]);
      relations++;
      const scene = corpus.train[Math.floor(r / 3)]!.scene;
      const cell = (colour: string, shape: string): number => {
        const o = scene.objects.find((x) => x.colour === colour && x.shape === shape)!;
        return o.row * 3 + o.col;
      };
      expect([places[2 * r], places[2 * r + 1]]).toEqual([cell(words[1]!, words[2]!), cell(words[3]!, words[4]!)]);
    });
    expect(relations).toBeGreaterThan(10);
  });

  it('an opening phase draws its steps\' batches from its question types alone (micro-batches counted with accumulation), then every question', () => {
    const corpus = syntheticCorpus({ seed: 3, sizes: { train: 60, val: 0, test: 0 } });
    const items = vqaItems(corpus.train.map(imageText));
    const tokenizer = TextTokenizer.synthetic();
    const config: RunConfig = {
      entry: 'FiberMicroVQAGrounded', seed: 1, batch: 4, textLength: 16, imageSize: 32, steps: 10, lr: 1e-4, warmup: 0,
      betas: [0.9, 0.98], weightDecay: 0.01, headLrScale: 50, checkpointEvery: 100, placeWeight: 2, accumulate: 2,
      opening: { steps: 3, types: ['relation'] },
    };
    const task = vqaTask(config, items, tokenizer, new Map(), 'no checkpoint');
    const questions = (index: number): string[] => Array.from({ length: 4 }, (_, r) => tokenizer.decode(task.batch(index).get('ids')!.data.slice(r * 16, (r + 1) * 16)));
    const typeOf = new Map(items.map((i) => [i.question.question, i.question.type]));
    // Steps 1-3 of 2 micro-batches each: micro-batches 0-5, every row a relation question (its places named).
    for (let index = 0; index < 6; index++) {
      expect(questions(index).map((q) => typeOf.get(q))).toEqual(['relation', 'relation', 'relation', 'relation']);
      expect(Array.from(task.batch(index).get('places')!.data).every((c) => c >= 0)).toBe(true);
    }
    // From step 4 on, the batches every question draws: those of the run without an opening.
    const { opening: _, ...plain } = config;
    const natural = vqaTask(plain, items, tokenizer, new Map(), 'no checkpoint');
    const later = Array.from({ length: 14 }, (_, k) => 6 + k);
    for (const index of later) expect(task.batch(index)).toEqual(natural.batch(index));
    expect(new Set(later.flatMap((index) => questions(index).map((q) => typeOf.get(q)))).size).toBeGreaterThan(2);
    // Too few questions of the opening's types for one batch: refused before any step.
    expect(() => vqaTask({ ...config, opening: { steps: 3, types: ['none'] } }, items, tokenizer, new Map(), 'x')).toThrow(/the opening phase draws batches of 4 from the questions of type none: the training set holds 0/);
  });
});
