import { formatType } from './shape.js';
import type { HostTensor } from './tensor.js';

/** Largest |x| of a tensor (a loop: spreading large arrays into Math.max overflows the stack). */
export function maxAbs(t: HostTensor): number {
  let m = 0;
  for (const v of t.data) m = Math.max(m, Math.abs(v));
  return m;
}

/** Largest |a - b| over two tensors of the same shape. */
export function maxAbsDifference(a: HostTensor, b: HostTensor): number {
  if (a.shape.join() !== b.shape.join()) throw new Error(`shapes differ: ${formatType(a.dtype, a.shape)} vs ${formatType(b.dtype, b.shape)}`);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m;
}

/**
 * How far `actual` is from `expected`, relative to the largest magnitude in `expected` (at
 * least `floor`): the measure every backend-vs-interpreter check uses.
 */
export function relativeMaxError(actual: HostTensor, expected: HostTensor, floor = 1e-6): number {
  return maxAbsDifference(actual, expected) / Math.max(floor, maxAbs(expected));
}
