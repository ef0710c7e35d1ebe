/**
 * The offset, within `values[start .. start + length)`, of its largest value; the first of equal
 * ones (how every task reads a prediction from a row of scores: answers, cells, vocabulary).
 */
export function argmaxAt(values: ArrayLike<number>, start: number, length: number): number {
  let best = 0;
  for (let i = 1; i < length; i++) if (values[start + i]! > values[start + best]!) best = i;
  return best;
}
