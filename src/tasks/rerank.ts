import { recallAtK, type Recall } from './retrieval.js';

/**
 * Two-stage retrieval, as FIBER serves it: dual-encoder (ITC) scores over every candidate,
 * then the fused model's ITM score for the top k of each query only. For image-to-text the
 * queries are the images (their k best texts re-scored), for text-to-image the texts; the
 * re-scored candidates rank above every other, by ITM score.
 */

/** An image-text pair to score with the fused model. */
export interface Pair {
  readonly image: number;
  readonly text: number;
}

/** The k best-scored indices of a list (ties: lower index first). */
function topK(scores: ArrayLike<number>, k: number): number[] {
  return [...Array(scores.length).keys()].sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, k);
}

/** The pairs stage two scores: each image's k best texts and each text's k best images by ITC. */
export function rerankPairs(itc: Float64Array, images: number, texts: number, k: number): Pair[] {
  const seen = new Set<number>();
  const pairs: Pair[] = [];
  const add = (image: number, text: number): void => {
    const key = image * texts + text;
    if (!seen.has(key)) {
      seen.add(key);
      pairs.push({ image, text });
    }
  };
  for (let i = 0; i < images; i++) for (const j of topK(itc.subarray(i * texts, (i + 1) * texts), k)) add(i, j);
  const column = new Float64Array(images);
  for (let j = 0; j < texts; j++) {
    for (let i = 0; i < images; i++) column[i] = itc[i * texts + j]!;
    for (const i of topK(column, k)) add(i, j);
  }
  return pairs;
}

/**
 * Recall of ITC alone and with the top k re-scored (`itm` holds one ITM score per pair of
 * `pairs`): by the ITM score alone, as FIBER ranks (`itm`), and by the ITM score plus the
 * pair's ITC similarity times `itcWeight`, as ALBEF ranks with a weight of 1 (`itmPlusItc`),
 * which keeps the dual encoder's judgement where the ITM head is unsure. The ITM score is a
 * logit and the similarity a cosine in [-1, 1], so a larger weight (chosen on a validation
 * split) gives the dual encoder more say. `ks`: the R@k cut-offs (1, 5, 10).
 */
export function rerankedRecall(itc: Float64Array, images: number, imageOf: readonly number[], k: number, pairs: readonly Pair[], itm: ArrayLike<number>, { ks = [1, 5, 10], itcWeight = 1 }: { readonly ks?: readonly number[]; readonly itcWeight?: number } = {}): { itc: Recall; itm: Recall; itmPlusItc: Recall } {
  const texts = imageOf.length;
  const plusItc = Float64Array.from(pairs, (p, n) => itm[n]! + itcWeight * itc[p.image * texts + p.text]!);
  return { itc: recallAtK(itc, images, imageOf, ks), itm: rescoredRecall(itc, images, imageOf, k, pairs, itm, ks), itmPlusItc: rescoredRecall(itc, images, imageOf, k, pairs, plusItc, ks) };
}

/** Recall with each query's top k by ITC re-scored by `score` (one per pair) and ranked above the rest. */
function rescoredRecall(itc: Float64Array, images: number, imageOf: readonly number[], k: number, pairs: readonly Pair[], scores: ArrayLike<number>, ks: readonly number[]): Recall {
  const texts = imageOf.length;
  const score = new Map(pairs.map((p, n) => [p.image * texts + p.text, scores[n]!]));
  // Re-scored candidates sit above the rest: their score plus an offset beyond any ITC score.
  const offset = 1e6;
  const byRow = new Float64Array(itc);
  for (let i = 0; i < images; i++) for (const j of topK(itc.subarray(i * texts, (i + 1) * texts), k)) byRow[i * texts + j] = offset + score.get(i * texts + j)!;
  const byColumn = new Float64Array(itc);
  const column = new Float64Array(images);
  for (let j = 0; j < texts; j++) {
    for (let i = 0; i < images; i++) column[i] = itc[i * texts + j]!;
    for (const i of topK(column, k)) byColumn[i * texts + j] = offset + score.get(i * texts + j)!;
  }
  return { imageToText: recallAtK(byRow, images, imageOf, ks).imageToText, textToImage: recallAtK(byColumn, images, imageOf, ks).textToImage };
}
