import { fromBfloatBits, fromHalfBits } from './half.js';
import type { Thread } from './instructions.js';

/** Operand register lists of an mma.sync, by register index (all %f except a and b: %r). */
export interface MmaSpec {
  readonly d: readonly number[];
  readonly a: readonly number[];
  readonly b: readonly number[];
  readonly c: readonly number[];
  /** Operand element type: f16 or bf16. */
  readonly type: 'f16' | 'bf16';
}

/**
 * One m16n8k16 mma.sync for a warp (lanes in order), by the PTX ISA's fragment layout: lane
 * L = 4g + t holds A rows g and g + 8 at columns 2t, 2t + 1 (+ 8), B rows (k) 2t, 2t + 1 (+ 8)
 * at column g, and C/D rows g and g + 8 at columns 2t, 2t + 1. Products are exact (f16 and
 * bf16 fit f32's mantissa) and sums accumulate in f64 then round to f32.
 */
export function warpMma(lanes: readonly Thread[], spec: MmaSpec): void {
  const half = spec.type === 'f16' ? fromHalfBits : fromBfloatBits;
  const A: number[][] = Array.from({ length: 16 }, () => new Array<number>(16).fill(0));
  const B: number[][] = Array.from({ length: 16 }, () => new Array<number>(8).fill(0));
  const C: number[][] = Array.from({ length: 16 }, () => new Array<number>(8).fill(0));
  lanes.forEach((lane, l) => {
    const g = l >> 2;
    const tg = l & 3;
    const unpack = (reg: number): [number, number] => {
      const v = lane.r[reg]!;
      return [half(v & 0xffff), half((v >>> 16) & 0xffff)];
    };
    const aPairs = spec.a.map(unpack);
    const at: [number, number][] = [[g, 2 * tg], [g + 8, 2 * tg], [g, 2 * tg + 8], [g + 8, 2 * tg + 8]];
    at.forEach(([row, col], i) => {
      A[row]![col] = aPairs[i]![0];
      A[row]![col + 1] = aPairs[i]![1];
    });
    spec.b.map(unpack).forEach(([lo, hi], i) => {
      B[2 * tg + 8 * i]![g] = lo;
      B[2 * tg + 8 * i + 1]![g] = hi;
    });
    spec.c.forEach((reg, i) => {
      C[g + (i >> 1) * 8]![2 * tg + (i & 1)] = lane.f[reg]!;
    });
  });
  lanes.forEach((lane, l) => {
    const g = l >> 2;
    const tg = l & 3;
    spec.d.forEach((reg, i) => {
      const row = g + (i >> 1) * 8;
      const col = 2 * tg + (i & 1);
      let sum = C[row]![col]!;
      for (let k = 0; k < 16; k++) sum += A[row]![k]! * B[k]![col]!;
      lane.f[reg] = sum;
    });
  });
}
