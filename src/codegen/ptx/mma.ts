import { add, idx, scale, type Index } from '../../compile/index-expr.js';
import type { Plan, PlannedKernel } from '../../compile/plan.js';
import { substituteVar, type MatmulTile } from '../../compile/tile.js';
import { MMA_TILE } from '../../compile/tile-choice.js';
import type { DispatchSchedule, MatmulPrecision } from '../../compile/schedule.js';

export { MATMUL_PRECISIONS, type MatmulPrecision } from '../../compile/schedule.js';
import { entryText, type EntryText } from './scalar.js';
import { storeTileElement, tiledEntryStart, tileOrigin } from './tile-grid.js';

/**
 * Tensor-core matmul entries (sm_80 and newer): `mma.sync.aligned.m16n8k16.row.col` with f16
 * or bf16 operands and f32 accumulation. Each warp computes one 16x8 tile of a plain matmul
 * kernel; per 16 steps of k every lane evaluates its 8 elements of `a` and 4 of `b` — the
 * kernel's own operand expressions, so a fused prologue (layer norm, a scale) runs on the way
 * in — rounds them to the operand type in pairs (`cvt.rn.f16x2.f32`), and issues one mma. The
 * epilogue (bias, activation, residual) runs on the four f32 accumulators of each lane.
 *
 * Fragment layout (PTX ISA, "Matrix Fragments for mma.m16n8k16 with floating point type"),
 * with g = lane / 4 and t = lane % 4:
 *   a_i: row g (+8 for i = 2, 3, 6, 7), column 2t + (i % 2) (+8 for i >= 4)
 *   b_i: row 2t + (i % 2) (+8 for i >= 2), column g
 *   c_i: row g (+8 for i >= 2), column 2t + (i % 2)
 */

const { m: TILE_M, n: TILE_N, k: TILE_K } = MMA_TILE;

/** The tensor-core entry for a plain matmul kernel whose schedule chose `tile` (see compile/tile-choice.ts, tensorCoreTile). */
export function mmaEntry(pk: PlannedKernel, plan: Plan, tile: MatmulTile, precision: Exclude<MatmulPrecision, 'f32'>, { threads, items: tiles, bindings }: DispatchSchedule): EntryText {
  const k = pk.kernel;
  const { fn, emitter, header, block, done } = tiledEntryStart(k, plan, bindings);
  const { scalar, place, varRegs, loopRegs } = emitter;
  const regs = fn.regs;
  const shape = k.output.node.shape;
  const [m, n] = shape.slice(-2) as [number, number];
  const warps = threads / 32;

  // Which tile this warp computes; a warp past the last tile leaves as a whole (mma.sync needs every lane).
  const [tid, warp, lane, tileReg, g, t] = [regs.r(), regs.r(), regs.r(), regs.r(), regs.r(), regs.r()];
  const past = regs.p();
  header.push(`mov.u32 ${tid}, %tid.x;`, `shr.u32 ${warp}, ${tid}, 5;`, `and.b32 ${lane}, ${tid}, 31;`, `mad.lo.s32 ${tileReg}, ${block}, ${warps}, ${warp};`,
    `setp.ge.s32 ${past}, ${tileReg}, ${tiles};`, `@${past} bra ${done};`, `shr.u32 ${g}, ${lane}, 2;`, `and.b32 ${t}, ${lane}, 3;`);
  tileOrigin(fn, header, tileReg, shape, TILE_M, TILE_N, varRegs);
  varRegs.set('g', g);
  varRegs.set('t', t);
  // Rows g and g + 8 of the tile; with a partial last row tile, clamped to the last row for
  // reading, and a predicate per row for storing.
  const ragged = m % TILE_M !== 0;
  const rowGuards: (string | undefined)[] = [undefined, undefined];
  if (ragged) {
    ['row_lo', 'row_hi'].forEach((name, h) => {
      const [row, clamped] = [regs.r(), regs.r()];
      const inside = regs.p();
      header.push(`add.s32 ${row}, ${varRegs.get('m0')}, ${g};`, `add.s32 ${row}, ${row}, ${8 * h};`, `setp.lt.s32 ${inside}, ${row}, ${m};`, `min.s32 ${clamped}, ${row}, ${m - 1};`);
      varRegs.set(name, clamped);
      rowGuards[h] = inside;
    });
  }
  const rowOf = (plus8: boolean): Index =>
    ragged ? idx.variable(plus8 ? 'row_hi' : 'row_lo', m) : add(add(idx.variable('m0', m), idx.variable('g', 8)), idx.constant(plus8 ? 8 : 0));
  const colOf = (c: number): Index => add(add(idx.variable('n0', n), scale(idx.variable('t', 4), 2)), idx.constant(c));
  const column = add(idx.variable('n0', n), idx.variable('g', 8));
  const loop = tile.reduce.loop;
  const kAt = (c: number): Index => add(add(scale(idx.variable('kb', loop.size / TILE_K), TILE_K), scale(idx.variable('t', 4), 2)), idx.constant(c));
  const aAt = (row: Index, c: number): string => scalar(substituteVar(substituteVar(tile.a, tile.mVar, row), loop.name, kAt(c)));
  const bAt = (c: number): string => scalar(substituteVar(substituteVar(tile.b, tile.nVar, column), loop.name, kAt(c)));

  const acc = [regs.f(), regs.f(), regs.f(), regs.f()];
  const counter = regs.r();
  const finished = regs.p();
  const [top, end] = [fn.label('k_top'), fn.label('k_end')];
  place.blocks[0]!.push(...acc.map((c) => `mov.f32 ${c}, 0f00000000;`), `mov.s32 ${counter}, 0;`);
  loopRegs.set('kb', counter);
  place.open('kb');
  const aValues = [aAt(rowOf(false), 0), aAt(rowOf(false), 1), aAt(rowOf(true), 0), aAt(rowOf(true), 1), aAt(rowOf(false), 8), aAt(rowOf(false), 9), aAt(rowOf(true), 8), aAt(rowOf(true), 9)];
  const bValues = [bAt(0), bAt(1), bAt(8), bAt(9)];
  const body = place.close();
  // Pairs of f32 rounded to the operand type, the lower index in the low half.
  const pack = (lo: string, hi: string): string => {
    const reg = regs.r();
    body.push(`cvt.rn.${precision}x2.f32 ${reg}, ${hi}, ${lo};`);
    return reg;
  };
  const aRegs = [0, 2, 4, 6].map((i) => pack(aValues[i]!, aValues[i + 1]!));
  const bRegs = [0, 2].map((i) => pack(bValues[i]!, bValues[i + 1]!));
  body.push(`mma.sync.aligned.m16n8k16.row.col.f32.${precision}.${precision}.f32 {${acc.join(', ')}}, {${aRegs.join(', ')}}, {${bRegs.join(', ')}}, {${acc.join(', ')}};`);
  place.blocks[0]!.push(`${top}:`, `setp.ge.s32 ${finished}, ${counter}, ${loop.size / TILE_K};`, `@${finished} bra ${end};`, ...body, `add.s32 ${counter}, ${counter}, 1;`, `bra ${top};`, `${end}:`);

  // The epilogue per accumulator, then its store.
  acc.forEach((reg, i) => storeTileElement(k, tile, emitter, reg, rowOf(i >= 2), colOf(i % 2), rowGuards[i >= 2 ? 1 : 0]));
  const main = place.blocks[0]!;
  const lines = [...header, ...main, `${done}:`, 'ret;'];
  const comment = `${k.name}: ${pk.reason}; fuses ${k.fused.length} op(s); tensor cores: one 16x8 tile per warp, ${precision} operands, f32 accumulators`;
  return { lines: entryText(fn, comment, threads, lines), fn };
}
