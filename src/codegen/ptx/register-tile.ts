import { add, idx, type Index } from '../../compile/index-expr.js';
import type { Plan, PlannedKernel } from '../../compile/plan.js';
import { substituteVar, type MatmulTile } from '../../compile/tile.js';
import type { DispatchSchedule } from '../../compile/schedule.js';
import { entryText, type EntryText } from './scalar.js';
import { storeTileElement, tiledEntryStart, tileOrigin } from './tile-grid.js';

/**
 * f32 register-tiled matmul entries (CUDA cores): each thread computes a TM x TN tile of a
 * plain matmul kernel's output, loading TM values of `a` and TN of `b` per step of k — the
 * kernel's own operand expressions, so a fused prologue runs on the way in — and keeping TM x
 * TN accumulators in registers (`fma.rn.f32`); the epilogue (bias, activation, residual) runs
 * per accumulator. Per multiply-add a thread loads (TM + TN) / (TM * TN) values instead of
 * two, as the WGSL register tiles do (codegen/wgsl/tiled.ts).
 */

/** The register-tiled entry for a plain matmul kernel whose schedule chose `tile` (see compile/tile-choice.ts, ptxRegisterTile). */
export function registerTileEntry(pk: PlannedKernel, plan: Plan, tile: MatmulTile, { threads, items: tiles, bindings }: DispatchSchedule): EntryText {
  const k = pk.kernel;
  const { fn, emitter, header, block, done } = tiledEntryStart(k, plan, bindings);
  const { scalar, place, varRegs, loopRegs } = emitter;
  const regs = fn.regs;
  const shape = k.output.node.shape;
  const [m, n] = shape.slice(-2) as [number, number];

  // Which tile this thread computes (consecutive threads: consecutive column tiles).
  const [tid, tileReg] = [regs.r(), regs.r()];
  const past = regs.p();
  header.push(`mov.u32 ${tid}, %tid.x;`, `mad.lo.s32 ${tileReg}, ${block}, ${threads}, ${tid};`, `setp.ge.s32 ${past}, ${tileReg}, ${tiles};`, `@${past} bra ${done};`);
  tileOrigin(fn, header, tileReg, shape, tile.tm, tile.tn, varRegs);
  const rowAt = (i: number): Index => add(idx.variable('m0', m), idx.constant(i));
  const colAt = (j: number): Index => add(idx.variable('n0', n), idx.constant(j));

  // The k loop: TM values of `a`, TN of `b`, TM x TN fused multiply-adds.
  const loop = tile.reduce.loop;
  const rows = [...Array(tile.tm).keys()];
  const cols = [...Array(tile.tn).keys()];
  const acc = rows.map(() => cols.map(() => regs.f()));
  const counter = regs.r();
  const finished = regs.p();
  const [top, end] = [fn.label('k_top'), fn.label('k_end')];
  place.blocks[0]!.push(...acc.flat().map((c) => `mov.f32 ${c}, 0f00000000;`), `mov.s32 ${counter}, 0;`);
  loopRegs.set(loop.name, counter);
  place.open(loop.name);
  const a = rows.map((i) => scalar(substituteVar(tile.a, tile.mVar, rowAt(i))));
  const b = cols.map((j) => scalar(substituteVar(tile.b, tile.nVar, colAt(j))));
  const body = place.close();
  for (const i of rows) for (const j of cols) body.push(`fma.rn.f32 ${acc[i]![j]}, ${a[i]}, ${b[j]}, ${acc[i]![j]};`);
  place.blocks[0]!.push(`${top}:`, `setp.ge.s32 ${finished}, ${counter}, ${loop.size};`, `@${finished} bra ${end};`, ...body, `add.s32 ${counter}, ${counter}, 1;`, `bra ${top};`, `${end}:`);

  for (const i of rows) for (const j of cols) storeTileElement(k, tile, emitter, acc[i]![j]!, rowAt(i), colAt(j));
  const lines = [...header, ...place.blocks[0]!, `${done}:`, 'ret;'];
  const comment = `${k.name}: ${pk.reason}; fuses ${k.fused.length} op(s); ${tile.tm}x${tile.tn} register tile per thread`;
  return { lines: entryText(fn, comment, threads, lines), fn };
}
