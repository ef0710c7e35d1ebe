import { flatten, idx, type Index } from '../../compile/index-expr.js';
import type { Kernel } from '../../compile/kernel-ir.js';
import { replaceScalar, substituteVar, type MatmulTile } from '../../compile/tile.js';
import type { Plan } from '../../compile/plan.js';
import type { Binding } from '../../compile/bindings.js';
import { blockIndex, PtxFunction, scalarEmitter, type ScalarEmitter } from './scalar.js';

/**
 * What the tiled PTX entries (tensor cores: mma.ts; f32 register tiles: register-tile.ts)
 * share: which tile a thread or warp computes, and the epilogue and store of one output.
 */

/**
 * Decomposes tile number `tile` (row-major over the batch axes, row tiles and column tiles
 * of the kernel's output; a last, partial row tile counts as one) into registers: m0 and n0, the tile's first row and column, and the
 * batch index variables `i<a>`, which it records in `varRegs` with m0 and n0.
 */
export function tileOrigin(fn: PtxFunction, header: string[], tile: string, shape: readonly number[], tm: number, tn: number, varRegs: Map<string, string>): { m0: string; n0: string } {
  const regs = fn.regs;
  const r = shape.length;
  const [tilesM, tilesN] = [Math.ceil(shape[r - 2]! / tm), Math.ceil(shape[r - 1]! / tn)];
  const decompose = (size: number, stride: number): string => {
    const [q, v] = [regs.r(), regs.r()];
    header.push(`div.s32 ${q}, ${tile}, ${stride};`, `rem.s32 ${v}, ${q}, ${size};`);
    return v;
  };
  const [m0, n0] = [regs.r(), regs.r()];
  header.push(`mul.lo.s32 ${m0}, ${decompose(tilesM, tilesN)}, ${tm};`, `mul.lo.s32 ${n0}, ${decompose(tilesN, 1)}, ${tn};`);
  let stride = tilesM * tilesN;
  for (let a = r - 3; a >= 0; a--) {
    if (shape[a]! > 1) varRegs.set(`i${a}`, decompose(shape[a]!, stride));
    stride *= shape[a]!;
  }
  varRegs.set('m0', m0);
  varRegs.set('n0', n0);
  return { m0, n0 };
}

/**
 * Stores the output at (row, col) of the tile whose contraction value is in register `acc`:
 * the kernel's value with the contraction replaced by it (bias, activation, residual run here).
 * With `guard` (a predicate register) the store happens only where it is true.
 */
export function storeTileElement(k: Kernel, tile: MatmulTile, e: ScalarEmitter, acc: string, row: Index, col: Index, guard?: string): void {
  const shape = k.output.node.shape;
  const main = e.place.blocks[0]!;
  const name = `acc_${acc.slice(1)}`;
  e.named.set(name, acc);
  const element = replaceScalar(k.value, tile.reduce, { k: 'named', name, type: 'f32' });
  const value = e.scalar(substituteVar(substituteVar(element, tile.mVar, row), tile.nVar, col));
  const at = e.index(flatten([...shape.slice(0, -2).map((d, a) => idx.variable(`i${a}`, d)), row, col], shape));
  // The epilogue may cast to i32 (a scatter_add cast to ids): store in the output's type.
  main.push(`${guard ? `@${guard} ` : ''}st.global.${k.output.type === 'i32' ? 's32' : 'f32'} [${e.address(main, e.buffer(k.output.id), at)}], ${value};`);
}

/** The start of a tiled entry: its function, scalar emitter, and a header holding the block index. */
export function tiledEntryStart(k: Kernel, plan: Plan, bindings: readonly Binding[]): { fn: PtxFunction; emitter: ScalarEmitter; header: string[]; block: string; done: string } {
  const fn = new PtxFunction(k.name, plan, false, bindings);
  const emitter = scalarEmitter(k, fn, undefined);
  const header: string[] = [];
  const block = blockIndex(fn, header);
  return { fn, emitter, header, block, done: fn.label('exit') };
}
