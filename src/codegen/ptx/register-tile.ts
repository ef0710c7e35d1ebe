import { add, idx, type Index } from '../../compile/index-expr.js';
import type { Plan, PlannedKernel } from '../../compile/plan.js';
import { findMatmulTile, substituteVar, type MatmulTile } from '../../compile/tile.js';
import type { Kernel } from '../../compile/kernel-ir.js';
import { numel } from '../../ir/shape.js';
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

/** Rows and columns of outputs per thread. */
const TILE = 4;
/** Threads per block. */
const THREADS = 128;

/**
 * The kernel's contraction when a register-tile entry can compute it: an f32 matmul tile
 * whose rows and columns split into whole TILE x TILE tiles (so no thread reads past its
 * operands: PTX loads are not clamped as WebGPU's are).
 */
export function registerTile(k: Kernel): MatmulTile | undefined {
  const tile = findMatmulTile(k, [TILE, TILE]);
  if (!tile || tile.reduce.type !== 'f32') return undefined;
  const [m, n] = k.output.node.shape.slice(-2) as [number, number];
  return m % TILE === 0 && n % TILE === 0 ? tile : undefined;
}

/** The register-tiled entry for a plain matmul kernel, or undefined when registerTile refuses it. */
export function registerTileEntry(pk: PlannedKernel, plan: Plan): EntryText | undefined {
  const k = pk.kernel;
  const tile = registerTile(k);
  if (!tile) return undefined;
  const { fn, emitter, header, block, done } = tiledEntryStart(k, plan);
  const { scalar, place, varRegs, loopRegs } = emitter;
  const regs = fn.regs;
  const shape = k.output.node.shape;
  const [m, n] = shape.slice(-2) as [number, number];
  const tiles = numel(shape) / (TILE * TILE);
  const groups = Math.ceil(tiles / THREADS);
  const bx = Math.min(groups, 65535);

  // Which tile this thread computes (consecutive threads: consecutive column tiles).
  const [tid, tileReg] = [regs.r(), regs.r()];
  const past = regs.p();
  header.push(`mov.u32 ${tid}, %tid.x;`, `mad.lo.s32 ${tileReg}, ${block}, ${THREADS}, ${tid};`, `setp.ge.s32 ${past}, ${tileReg}, ${tiles};`, `@${past} bra ${done};`);
  tileOrigin(fn, header, tileReg, shape, TILE, TILE, varRegs);
  const rowAt = (i: number): Index => add(idx.variable('m0', m), idx.constant(i));
  const colAt = (j: number): Index => add(idx.variable('n0', n), idx.constant(j));

  // The k loop: TILE values of each operand, TILE x TILE fused multiply-adds.
  const loop = tile.reduce.loop;
  const range = [...Array(TILE).keys()];
  const acc = range.map(() => range.map(() => regs.f()));
  const counter = regs.r();
  const finished = regs.p();
  const [top, end] = [fn.label('k_top'), fn.label('k_end')];
  place.blocks[0]!.push(...acc.flat().map((c) => `mov.f32 ${c}, 0f00000000;`), `mov.s32 ${counter}, 0;`);
  loopRegs.set(loop.name, counter);
  place.open(loop.name);
  const a = range.map((i) => scalar(substituteVar(tile.a, tile.mVar, rowAt(i))));
  const b = range.map((j) => scalar(substituteVar(tile.b, tile.nVar, colAt(j))));
  const body = place.close();
  for (const i of range) for (const j of range) body.push(`fma.rn.f32 ${acc[i]![j]}, ${a[i]}, ${b[j]}, ${acc[i]![j]};`);
  place.blocks[0]!.push(`${top}:`, `setp.ge.s32 ${finished}, ${counter}, ${loop.size};`, `@${finished} bra ${end};`, ...body, `add.s32 ${counter}, ${counter}, 1;`, `bra ${top};`, `${end}:`);

  for (const i of range) for (const j of range) storeTileElement(k, tile, emitter, acc[i]![j]!, rowAt(i), colAt(j));
  const lines = [...header, ...place.blocks[0]!, `${done}:`, 'ret;'];
  const comment = `${k.name}: ${pk.reason}; fuses ${k.fused.length} op(s); ${TILE}x${TILE} register tile per thread`;
  return { lines: entryText(fn, comment, THREADS, lines), fn, threads: THREADS, blocks: [Math.max(1, bx), Math.max(1, Math.ceil(groups / bx))] };
}
