/**
 * Retrieval metrics from a score matrix: `scores[i][j]` scores image i against text j, and
 * each text belongs to one image (`imageOf[j]`). Image-to-text recall@K counts the images
 * with one of their texts among their K best-scored texts; text-to-image recall@K counts the
 * texts whose image is among their K best-scored images. Ties rank against the true match
 * (a tie does not count as a hit), so a constant scorer scores no better than chance.
 */

/** Recall at each K, in both directions, as fractions in [0, 1]. */
export interface Recall {
  readonly imageToText: Readonly<Record<number, number>>;
  readonly textToImage: Readonly<Record<number, number>>;
}

/** A score as ranked: NaN ranks below every number. */
export function nanLast(x: number): number {
  return Number.isNaN(x) ? -Infinity : x;
}

/** The rank (0 = best) of `target` among `scores`: how many score at least as high, other than it. */
function rankOf(scores: ArrayLike<number>, target: number): number {
  const s = scores[target]!;
  let rank = 0;
  for (let j = 0; j < scores.length; j++) if (j !== target && !(scores[j]! < s)) rank++;
  return rank;
}

/**
 * Recall@K for each K of `ks` from an images x texts score matrix (row-major, `images` rows).
 * NaN scores rank last.
 */
export function recallAtK(scores: Float32Array | Float64Array, images: number, imageOf: readonly number[], ks: readonly number[] = [1, 5, 10]): Recall {
  const texts = imageOf.length;
  if (scores.length !== images * texts) throw new Error(`a ${images} x ${texts} score matrix has ${images * texts} scores, got ${scores.length}`);
  const bestI2T = new Array<number>(images).fill(Infinity);
  const t2iRank = new Array<number>(texts);
  const column = new Float64Array(images);
  for (let j = 0; j < texts; j++) {
    for (let i = 0; i < images; i++) column[i] = nanLast(scores[i * texts + j]!);
    t2iRank[j] = rankOf(column, imageOf[j]!);
  }
  const row = new Float64Array(texts);
  for (let i = 0; i < images; i++) {
    for (let j = 0; j < texts; j++) row[j] = nanLast(scores[i * texts + j]!);
    for (let j = 0; j < texts; j++) if (imageOf[j] === i) bestI2T[i] = Math.min(bestI2T[i]!, rankOf(row, j));
  }
  const share = (ranks: readonly number[], k: number): number => ranks.filter((r) => r < k).length / ranks.length;
  return {
    imageToText: Object.fromEntries(ks.map((k) => [k, share(bestI2T, k)])),
    textToImage: Object.fromEntries(ks.map((k) => [k, share(t2iRank, k)])),
  };
}
