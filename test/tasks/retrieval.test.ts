import { describe, expect, it } from 'vitest';
import { recallAtK } from '../../src/tasks/retrieval.js';
import { rerankedRecall, rerankPairs } from '../../src/tasks/rerank.js';

describe('recall@K', () => {
  it('counts a hit when the true match is among the K best, in each direction', () => {
    // 3 images, 4 texts: texts 0, 1 of image 0, text 2 of image 1, text 3 of image 2.
    const imageOf = [0, 0, 1, 2];
    const scores = Float64Array.from([
      0.1, 0.9, 0.5, 0.2, // image 0: best text 1 (its own) -> rank 0
      0.8, 0.1, 0.3, 0.2, // image 1: its text 2 ranks 1 (after text 0)
      0.0, 0.1, 0.2, 0.05, // image 2: its text 3 ranks 3 (last)
    ]);
    const r = recallAtK(scores, 3, imageOf, [1, 2, 4]);
    expect(r.imageToText).toEqual({ 1: 1 / 3, 2: 2 / 3, 4: 1 });
    // Text 0: image 1 (0.8) beats image 0 (0.1): rank 1. Text 1: image 0 best. Text 2: image 0
    // (0.5) beats image 1 (0.3): rank 1. Text 3: image 0 (0.2) and 1 (0.2) beat image 2 (0.05): rank 2.
    expect(r.textToImage).toEqual({ 1: 1 / 4, 2: 3 / 4, 4: 1 });
  });

  it('ranks ties and NaN against the true match: a constant scorer gets nothing at K = 1', () => {
    const flat = recallAtK(new Float64Array(9).fill(0.5), 3, [0, 1, 2], [1, 3]);
    expect(flat.imageToText[1]).toBe(0);
    expect(flat.textToImage[1]).toBe(0);
    expect(flat.textToImage[3]).toBe(1);
    const nan = recallAtK(Float64Array.from([NaN, 0, 0, 1]), 2, [0, 1], [1]);
    expect(nan.imageToText[1]).toBe(0.5);
  });

  it('rejects a score matrix of the wrong size', () => {
    expect(() => recallAtK(new Float64Array(5), 2, [0, 1, 1])).toThrow('a 2 x 3 score matrix has 6 scores, got 5');
  });
});

describe('ITM re-ranking of the ITC top k', () => {
  it('scores each query\'s k best candidates once, and ranks them by ITM above the rest', () => {
    // 3 images, 3 texts (text j belongs to image j). ITC ranks text 1 first for image 0 and
    // image 0 first for text 1: both wrong.
    const itc = Float64Array.from([
      0.2, 0.9, 0.1,
      0.1, 0.8, 0.3,
      0.0, 0.2, 0.5,
    ]);
    const pairs = rerankPairs(itc, 3, 3, 2);
    // Rows: image 0 -> texts 1, 0; image 1 -> 1, 2; image 2 -> 2, 1. Columns: text 0 -> images
    // 0, 1 (adds 1,0); text 1 -> 0, 1; text 2 -> 2, 1. Each pair once.
    expect(new Set(pairs.map((p) => `${p.image},${p.text}`))).toEqual(new Set(['0,1', '0,0', '1,1', '1,2', '2,2', '2,1', '1,0']));
    // A perfect matcher: 1 for a true pair, 0 otherwise.
    const itm = pairs.map((p) => (p.image === p.text ? 1 : 0));
    const r = rerankedRecall(itc, 3, [0, 1, 2], 2, pairs, itm, { ks: [1] });
    expect(r.itc.imageToText[1]).toBeCloseTo(2 / 3, 12);
    expect(r.itm.imageToText[1]).toBe(1);
    expect(r.itc.textToImage[1]).toBeCloseTo(2 / 3, 12);
    expect(r.itm.textToImage[1]).toBe(1);
  });

  it('ranks by ITM plus ITC similarity (ALBEF) where asked, which keeps ITC\'s order when ITM cannot tell', () => {
    const itc = Float64Array.from([
      0.9, 0.2, 0.1,
      0.1, 0.8, 0.3,
      0.0, 0.6, 0.5,
    ]);
    const pairs = rerankPairs(itc, 3, 3, 2);
    // An ITM head that scores every pair alike but prefers image 2 with text 1 a little.
    const itm = pairs.map((p) => (p.image === 2 && p.text === 1 ? 0.05 : 0));
    const r = rerankedRecall(itc, 3, [0, 1, 2], 2, pairs, itm, { ks: [1] });
    // ITM alone loses ITC's order: its ties count against the true match, and text 1's
    // candidates, images 1 (ITC 0.8) and 2 (0.6), become 0 and 0.05 — image 2 first, wrong.
    expect(r.itm.imageToText[1]).toBe(0);
    expect(r.itm.textToImage[1]).toBe(0);
    // ITM + ITC: 0.8 against 0.65 for text 1; every other query keeps ITC's answer.
    expect(r.itmPlusItc.imageToText[1]).toBeCloseTo(r.itc.imageToText[1]!, 12);
    expect(r.itmPlusItc.textToImage[1]).toBe(1);
    expect(r.itc.textToImage[1]).toBe(1);
    // The weight on ITC: 0 ranks by ITM alone, a weight past the ITM scores' spread keeps ITC's order.
    const itmOnly = rerankedRecall(itc, 3, [0, 1, 2], 2, pairs, itm, { ks: [1], itcWeight: 0 }).itmPlusItc;
    expect(itmOnly).toEqual(r.itm);
    const itcOrder = rerankedRecall(itc, 3, [0, 1, 2], 2, pairs, pairs.map((p) => (p.image === p.text ? 0 : 0.5)), { ks: [1], itcWeight: 100 }).itmPlusItc;
    expect(itcOrder).toEqual(r.itc);
  });
});
