import { add, idx, scale } from './index-expr.js';
import type { Kernel } from './kernel-ir.js';
import { substituteVar } from './tile.js';

/**
 * A [rows, cols] phase of an owner-phased dispatch, whose owners each compute a band of
 * rows / owners consecutive rows, viewed as [owners, rows / owners, cols]: the same elements at
 * the same flat positions, with the owner as a batch axis. A register tile then stays inside
 * one owner's band even where the band is not a whole number of tile rows (a text layer's 38
 * tokens per example in 4-row tiles): the tile grid's last row tile of each band is partial,
 * and partial tiles are guarded as at any output's edge. Undefined when the output is not two
 * axes (after any leading axes of size 1) split evenly by rows.
 */
export function ownerBandView(k: Kernel, owners: number): Kernel | undefined {
  const shape = k.output.node.shape;
  // Leading axes of size 1 (a weight gradient kept as [1, rows, cols]) are dropped in the view.
  const lead = shape.length - 2;
  if (lead < 0 || shape.slice(0, lead).some((d) => d !== 1) || owners < 2 || k.attention || k.values.size > 0) return undefined;
  const [rows, cols] = shape.slice(lead) as [number, number];
  if (rows % owners !== 0 || rows / owners < 2) return undefined;
  const band = rows / owners;
  // Rows and columns move to names the view does not use, the size-1 axes to 0; then the
  // columns become i2 and row r becomes owner i0's row i1 of its band.
  let value = substituteVar(substituteVar(k.value, `i${lead}`, idx.variable('band_row', rows)), `i${lead + 1}`, idx.variable('band_col', cols));
  for (let a = 0; a < lead; a++) value = substituteVar(value, `i${a}`, idx.constant(0));
  value = substituteVar(value, 'band_col', idx.variable('i2', cols));
  value = substituteVar(value, 'band_row', add(scale(idx.variable('i0', owners), band), idx.variable('i1', band)));
  return {
    ...k,
    output: { ...k.output, node: { ...k.output.node, shape: [owners, band, cols] } },
    outputIndex: [idx.variable('i0', owners), idx.variable('i1', band), idx.variable('i2', cols)],
    value,
  };
}
