import { describe, expect, it } from 'vitest';
import { erf } from '../../src/ir/erf.js';
import { run1, T } from '../helpers.js';

const x23 = T([2, 3], [1, -2, 3, -4, 5, -6]);

describe('primitives against hand-computed values', () => {
  it('const and iota', () => {
    expect([...run1({}, (b) => b.constant(2.5, [2, 2], 'f32')).data]).toEqual([2.5, 2.5, 2.5, 2.5]);
    expect([...run1({}, (b) => b.iota([2, 3], 1, 'i32')).data]).toEqual([0, 1, 2, 0, 1, 2]);
    expect([...run1({}, (b) => b.iota([2, 3], 0, 'i32')).data]).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it('unary functions', () => {
    const x = T([4], [0.5, 1, 2, 4]);
    const cases: [Parameters<import('../../src/ir/builder.js').GraphBuilder['unary']>[0], (v: number) => number][] = [
      ['neg', (v) => -v], ['exp', Math.exp], ['log', Math.log], ['sqrt', Math.sqrt], ['rsqrt', (v) => 1 / Math.sqrt(v)],
      ['tanh', Math.tanh], ['abs', Math.abs], ['recip', (v) => 1 / v], ['floor', Math.floor], ['sigmoid', (v) => 1 / (1 + Math.exp(-v))],
    ];
    for (const [fn, ref] of cases) {
      expect([...run1({ x }, (b, n) => b.unary(fn, n.x!)).data], fn).toEqual([0.5, 1, 2, 4].map(ref));
    }
  });

  it('erf matches tabulated values to double precision', () => {
    // Abramowitz & Stegun table 7.1 and high-precision references.
    expect(erf(0)).toBe(0);
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 15);
    expect(erf(1)).toBeCloseTo(0.8427007929497149, 15);
    expect(erf(2)).toBeCloseTo(0.9953222650189527, 15);
    expect(erf(-3)).toBeCloseTo(-0.9999779095030014, 15);
    expect(erf(7)).toBe(1);
  });

  it('binary functions, including integer floor division and modulo', () => {
    const a = T([4], [7, -7, 2, 3]);
    const c = T([4], [2, 2, 3, 3]);
    const r = (fn: Parameters<import('../../src/ir/builder.js').GraphBuilder['binary']>[0], dtype: 'f32' | 'i32' = 'f32') =>
      [...run1({ a: T([4], [...a.data], dtype), c: T([4], [...c.data], dtype) }, (b, n) => b.binary(fn, n.a!, n.c!)).data];
    expect(r('add')).toEqual([9, -5, 5, 6]);
    expect(r('sub')).toEqual([5, -9, -1, 0]);
    expect(r('mul')).toEqual([14, -14, 6, 9]);
    expect(r('div')).toEqual([3.5, -3.5, 2 / 3, 1]);
    expect(r('div', 'i32')).toEqual([3, -4, 0, 1]);
    expect(r('mod', 'i32')).toEqual([1, 1, 2, 0]);
    expect(r('max')).toEqual([7, 2, 3, 3]);
    expect(r('min')).toEqual([2, -7, 2, 3]);
    expect(r('pow')).toEqual([49, 49, 8, 27]);
    expect(r('lt')).toEqual([0, 1, 1, 0]);
    expect(r('le')).toEqual([0, 1, 1, 1]);
    expect(r('gt')).toEqual([1, 0, 0, 0]);
    expect(r('ge')).toEqual([1, 0, 0, 1]);
    expect(r('eq')).toEqual([0, 0, 0, 1]);
    expect(r('ne')).toEqual([1, 1, 1, 0]);
  });

  it('broadcasting binary ops and where', () => {
    const row = T([3], [10, 20, 30]);
    expect([...run1({ x: x23, row }, (b, n) => b.binaryBroadcast('add', n.x!, n.row!)).data]).toEqual([11, 18, 33, 6, 25, 24]);
    const cond = T([2, 1], [1, 0]);
    expect([...run1({ cond, x: x23, row }, (b, n) => b.where(n.cond!, n.x!, n.row!)).data]).toEqual([1, -2, 3, 10, 20, 30]);
  });

  it('reductions keep reduced axes as size 1', () => {
    const s = run1({ x: x23 }, (b, n) => b.reduce('sum', n.x!, [1]));
    expect(s.shape).toEqual([2, 1]);
    expect([...s.data]).toEqual([2, -5]);
    expect([...run1({ x: x23 }, (b, n) => b.reduce('sum', n.x!, [0])).data]).toEqual([-3, 3, -3]);
    expect([...run1({ x: x23 }, (b, n) => b.reduce('max', n.x!, [1])).data]).toEqual([3, 5]);
    expect([...run1({ x: x23 }, (b, n) => b.reduce('sum', n.x!, [0, 1])).data]).toEqual([-3]);
  });

  it('batched matmul', () => {
    const a = T([2, 1, 2], [1, 2, 3, 4]);
    const w = T([2, 2, 1], [5, 6, 7, 8]);
    expect([...run1({ a, w }, (b, n) => b.matmul(n.a!, n.w!)).data]).toEqual([17, 53]);
    const m = T([2, 3], [1, 2, 3, 4, 5, 6]);
    const k = T([3, 2], [7, 8, 9, 10, 11, 12]);
    expect([...run1({ m, k }, (b, n) => b.matmul(n.m!, n.k!)).data]).toEqual([58, 64, 139, 154]);
  });

  it('movement: reshape, permute, broadcast, slice, pad, roll, concat', () => {
    expect(run1({ x: x23 }, (b, n) => b.reshape(n.x!, [3, -1])).shape).toEqual([3, 2]);
    expect([...run1({ x: x23 }, (b, n) => b.permute(n.x!, [1, 0])).data]).toEqual([1, -4, -2, 5, 3, -6]);
    expect([...run1({ x: T([2, 1], [1, 2]) }, (b, n) => b.broadcastTo(n.x!, [2, 3])).data]).toEqual([1, 1, 1, 2, 2, 2]);
    expect([...run1({ x: x23 }, (b, n) => b.slice(n.x!, [1, 1], [1, 2])).data]).toEqual([5, -6]);
    expect([...run1({ x: T([2], [1, 2]) }, (b, n) => b.pad(n.x!, [1], [2])).data]).toEqual([0, 1, 2, 0, 0]);
    // torch.roll semantics: out[i] = x[i - shift].
    expect([...run1({ x: T([4], [1, 2, 3, 4]) }, (b, n) => b.roll(n.x!, 1, 0)).data]).toEqual([4, 1, 2, 3]);
    expect([...run1({ x: T([4], [1, 2, 3, 4]) }, (b, n) => b.roll(n.x!, -1, 0)).data]).toEqual([2, 3, 4, 1]);
    expect([...run1({ x: x23 }, (b, n) => b.roll(n.x!, 1, 1)).data]).toEqual([3, 1, -2, -6, -4, 5]);
    expect([...run1({ a: T([1, 2], [1, 2]), c: T([1, 1], [9]) }, (b, n) => b.concat([n.a!, n.c!], 1)).data]).toEqual([1, 2, 9]);
  });

  it('gather, scatter_add and cast', () => {
    const table = T([3, 2], [1, 2, 3, 4, 5, 6]);
    const idx = T([2, 2], [2, 0, 1, 2], 'i32');
    const g = run1({ table, idx }, (b, n) => b.gather(n.table!, n.idx!));
    expect(g.shape).toEqual([2, 2, 2]);
    expect([...g.data]).toEqual([5, 6, 1, 2, 3, 4, 5, 6]);
    const s = run1({ idx: T([3], [1, 1, 0], 'i32'), u: T([3, 2], [1, 2, 3, 4, 5, 6]) }, (b, n) => b.scatterAdd(n.idx!, n.u!, 3));
    expect([...s.data]).toEqual([5, 6, 4, 6, 0, 0]);
    expect([...run1({ x: T([3], [1.7, -1.7, 2]) }, (b, n) => b.cast(n.x!, 'i32')).data]).toEqual([1, -1, 2]);
  });

  it('shape errors name both operand types', () => {
    expect(() => run1({ a: x23, c: T([4], [1, 2, 3, 4]) }, (b, n) => b.binaryBroadcast('add', n.a!, n.c!))).toThrow('cannot broadcast f32[2,3] with f32[4]');
    expect(() => run1({ a: x23, c: x23 }, (b, n) => b.matmul(n.a!, n.c!))).toThrow('matmul inner dimensions differ (3 vs 2): f32[2,3] @ f32[2,3]');
    expect(() => run1({ a: x23, c: T([2, 3], [1, 2, 3, 4, 5, 6], 'i32') }, (b, n) => b.binary('add', n.a!, n.c!))).toThrow('dtype mismatch in add: f32[2,3] and i32[2,3]');
    expect(() => run1({ a: x23 }, (b, n) => b.reshape(n.a!, [4, 2]))).toThrow('cannot reshape f32[2,3] to [4,2]');
  });
});
