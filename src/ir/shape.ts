import type { DType } from './dtype.js';

/** A concrete tensor shape: sizes per axis, outermost first. */
export type Shape = readonly number[];

/**
 * Raised by IR builders when operand shapes or dtypes do not fit an op. The DSL elaborator
 * catches it and re-raises it as a positioned diagnostic at the call site.
 */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
}

/** Number of elements in a shape. */
export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** `f32[2,3]` — how shapes appear in every message and in the IR printout. */
export function formatType(dtype: DType, shape: Shape): string {
  return `${dtype}[${shape.join(',')}]`;
}

/** Element-wise equality of two shapes. */
export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Normalises a possibly negative axis against a rank, or throws a ShapeError. */
export function normAxis(axis: number, rank: number, what = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ShapeError(`${what} ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** NumPy broadcasting of two shapes; throws a ShapeError naming both when they do not fit. */
export function broadcastShapes(a: Shape, b: Shape, dtypeA: DType, dtypeB: DType): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`cannot broadcast ${formatType(dtypeA, a)} with ${formatType(dtypeB, b)}`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Checks that every size is a non-negative integer. */
export function checkShape(shape: Shape, what: string): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${what}: invalid size ${d} in shape [${shape.join(',')}]`);
    }
  }
}
