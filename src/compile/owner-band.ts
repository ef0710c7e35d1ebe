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
 * axes split evenly by rows.
 */
export function ownerBandView(k: Kernel, owners: number): Kernel | undefined {
  const shape = k.output.node.shape;
  if (shape.length !== 2 || owners < 2 || k.attention || k.values.size > 0) return undefined;
  const [rows, cols] = shape as [number, number];
  if (rows % owners !== 0 || rows / owners < 2) return undefined;
  const band = rows / owners;
  // Columns move from i1 to i2 first, then row i0 becomes owner i0's row i1 of its band.
  const columns = substituteVar(k.value, 'i1', idx.variable('i2', cols));
  const value = substituteVar(columns, 'i0', add(scale(idx.variable('i0', owners), band), idx.variable('i1', band)));
  return {
    ...k,
    output: { ...k.output, node: { ...k.output.node, shape: [owners, band, cols] } },
    outputIndex: [idx.variable('i0', owners), idx.variable('i1', band), idx.variable('i2', cols)],
    value,
  };
}
