import type { GraphBuilder } from '../ir/builder.js';
import type { Node } from '../ir/node.js';
import { formatType, ShapeError } from '../ir/shape.js';

/** A subscript with its bounds evaluated: an index, a slice (ends optional), or `...`. */
export type EvaluatedSubscript =
  | { readonly kind: 'at'; readonly index: number }
  | { readonly kind: 'slice'; readonly start: number | null; readonly end: number | null }
  | { readonly kind: 'ellipsis' };

/**
 * NumPy basic indexing of a tensor, lowered to `slice` and `reshape`: one subscript per
 * leading axis (missing trailing ones are `:`), `...` standing for as many `:` as needed; an
 * index `i` selects and drops its axis, a slice `a:b` keeps it. Negative indices count from
 * the end; slice ends are clamped into the axis as in Python, an index out of range is an
 * error naming both.
 */
export function indexTensor(b: GraphBuilder, x: Node, subscripts: readonly EvaluatedSubscript[]): Node {
  const rank = x.shape.length;
  const type = formatType(x.dtype, x.shape);
  const ellipses = subscripts.filter((s) => s.kind === 'ellipsis').length;
  if (ellipses > 1) throw new ShapeError(`an index can hold at most one '...', got ${ellipses}`);
  const explicit = subscripts.length - ellipses;
  if (explicit > rank) throw new ShapeError(`${explicit} subscripts for ${type}, which has ${rank} axes`);
  const full: EvaluatedSubscript[] = [];
  for (const s of subscripts) {
    if (s.kind === 'ellipsis') for (let k = 0; k < rank - explicit; k++) full.push({ kind: 'slice', start: null, end: null });
    else full.push(s);
  }
  while (full.length < rank) full.push({ kind: 'slice', start: null, end: null });
  const starts: number[] = [];
  const sizes: number[] = [];
  const kept: number[] = [];
  full.forEach((s, axis) => {
    const n = x.shape[axis]!;
    if (s.kind === 'at') {
      const i = s.index < 0 ? s.index + n : s.index;
      if (i < 0 || i >= n) throw new ShapeError(`index ${s.index} is out of range for axis ${axis} of ${type}`);
      starts.push(i);
      sizes.push(1);
      return;
    }
    if (s.kind === 'ellipsis') return;
    const [start, end] = sliceBounds(s.start, s.end, n);
    starts.push(start);
    sizes.push(end - start);
    kept.push(end - start);
  });
  const sliced = b.slice(x, starts, sizes);
  return b.reshape(sliced, kept);
}

/**
 * Python's bounds of `a:b` over `n` items: omitted ends are 0 and n, negative ones count from
 * the end, both are clamped into [0, n], and the end is never before the start.
 */
export function sliceBounds(start: number | null, end: number | null, n: number): [number, number] {
  const clamp = (v: number | null, fallback: number): number => (v === null ? fallback : Math.min(n, Math.max(0, v < 0 ? v + n : v)));
  const from = clamp(start, 0);
  return [from, Math.max(from, clamp(end, n))];
}
