import { GraphBuilder } from '../ir/builder.js';
import { isFloat } from '../ir/dtype.js';
import { Graph } from '../ir/graph.js';
import type { BinaryFn, Node, UnaryFn } from '../ir/node.js';
import { numel } from '../ir/shape.js';

/**
 * Random programs for the differential fuzzer. A program is a list of small integer records
 * (steps), so a property-testing library can shrink a failing one step by step; each step
 * applies one primitive to nodes picked from the pool built so far. Steps whose operands do
 * not fit the op are skipped, never errors: any list of steps is a valid program.
 */

/** Dims of the program's inputs; `batch` may be 0 (empty tensors). */
export interface FuzzDims {
  readonly batch: number;
  readonly rows: number;
  readonly cols: number;
  readonly inner: number;
}

/** One step: which op (`op`), which operands (`a`, `b`: pool positions), an axis and an amount. */
export interface FuzzStep {
  readonly op: number;
  readonly a: number;
  readonly b: number;
  readonly axis: number;
  readonly amount: number;
}

/** A whole fuzz case: dims, how each input's values are drawn, the steps and the value seed. */
export interface FuzzCase {
  readonly dims: FuzzDims;
  /** Per float input, the value profile (see values.ts). */
  readonly profiles: readonly number[];
  readonly steps: readonly FuzzStep[];
  readonly seed: number;
}

/** Rows of the gathered/scattered table. */
export const TABLE_ROWS = 5;

const UNARY: readonly UnaryFn[] = ['neg', 'exp', 'log', 'sqrt', 'rsqrt', 'tanh', 'erf', 'abs', 'recip', 'floor', 'sigmoid', 'sin', 'cos'];
const ARITH: readonly BinaryFn[] = ['add', 'sub', 'mul', 'div', 'max', 'min', 'pow'];
const COMPARE: readonly BinaryFn[] = ['lt', 'le', 'gt', 'ge', 'eq', 'ne'];
const I32_ARITH: readonly BinaryFn[] = ['add', 'sub', 'mul', 'div', 'mod', 'max', 'min'];
/** Constants the steps combine with: the exponents and divisors where backends tend to differ. */
const CONSTANTS = [0, -0, 1, -1, 2, 3, -2, 0.5, -0.5, 2.5, -3.5, 1e-3, 1e30, -1e30];
const INT_CONSTANTS = [0, 1, -1, 2, 3, -3, 7, 2147483647, -2147483647];

/** The float inputs (in `profiles` order) and the i32 id input, by name and shape. */
export function fuzzInputs(d: FuzzDims): { name: string; shape: number[]; dtype: 'f32' | 'i32' }[] {
  return [
    { name: 'x0', shape: [d.batch, d.rows, d.cols], dtype: 'f32' },
    { name: 'x1', shape: [d.batch, d.rows, d.cols], dtype: 'f32' },
    { name: 'x2', shape: [d.batch, d.cols, d.inner], dtype: 'f32' },
    { name: 'ids', shape: [d.batch, d.rows], dtype: 'i32' },
  ];
}

/** The params: a table for gathers and a weight for matmuls. */
export function fuzzParams(d: FuzzDims): { name: string; shape: number[] }[] {
  return [
    { name: 'table', shape: [TABLE_ROWS, d.cols] },
    { name: 'w', shape: [d.cols, d.inner] },
  ];
}

/** Largest tensor a step may create: keeps the PTX simulator and the interpreter quick. */
const MAX_ELEMENTS = 2048;

/** Builds the graph of a fuzz case: its outputs are the last node and one from the middle. */
export function buildFuzzGraph(c: FuzzCase): Graph {
  const b = new GraphBuilder();
  const inputs = fuzzInputs(c.dims).map((i) => b.input(i.name, i.shape, i.dtype));
  const params = fuzzParams(c.dims).map((p) => b.param(p.name, p.shape, 'f32', { kind: 'normal', std: 1, mean: 0 }));
  const [ids] = inputs.slice(3) as [Node];
  const [table, w] = params as [Node, Node];
  const pool: Node[] = [...inputs.slice(0, 3), ids, table];
  for (const st of c.steps) {
    let y: Node | undefined;
    try {
      y = applyStep(b, st, pool, { ids, table, w });
    } catch {
      y = undefined; // the operands did not fit this op: skip the step
    }
    if (y && numel(y.shape) <= MAX_ELEMENTS && !pool.includes(y)) pool.push(y);
  }
  const made = pool.slice(5);
  const outs = made.length > 0 ? [made[made.length - 1]!, made[(made.length - 1) >> 1]!] : [pool[0]!];
  return new Graph(inputs, params, [...new Set(outs)].map((node, i) => ({ name: `o${i}`, node })));
}

function applyStep(b: GraphBuilder, st: FuzzStep, pool: readonly Node[], leaves: { ids: Node; table: Node; w: Node }): Node | undefined {
  const pick = (i: number): Node => pool[i % pool.length]!;
  const x = pick(st.a);
  const o = pick(st.b);
  const rank = x.shape.length;
  const axis = rank > 0 ? st.axis % rank : 0;
  const amount = st.amount;
  const float = isFloat(x.dtype);
  switch (st.op % 20) {
    case 0: return float ? b.unary(UNARY[amount % UNARY.length]!, x) : b.unary(amount % 2 ? 'abs' : 'neg', x);
    case 1: return b.binaryBroadcast(float ? ARITH[amount % ARITH.length]! : I32_ARITH[amount % I32_ARITH.length]!, x, o);
    case 2: {
      // An op with a constant operand: pow(x, -1), x / 0, x ** 0.5, ids % 7, ...
      const fn = float ? ARITH[amount % ARITH.length]! : I32_ARITH[amount % I32_ARITH.length]!;
      const c = float ? CONSTANTS[(amount >> 3) % CONSTANTS.length]! : INT_CONSTANTS[(amount >> 3) % INT_CONSTANTS.length]!;
      const k = b.constant(c, x.shape, x.dtype);
      return st.axis % 2 ? b.binary(fn, k, x) : b.binary(fn, x, k);
    }
    case 3: return b.binaryBroadcast(COMPARE[amount % COMPARE.length]!, x, o);
    case 4: return b.where(b.binaryBroadcast(COMPARE[amount % COMPARE.length]!, x, o), x, o);
    case 5: return b.reduce(amount % 2 ? 'sum' : 'max', x, [axis]);
    case 6: return b.permute(x, permutation(rank, amount));
    case 7: return reshaped(b, x, amount);
    case 8: return b.broadcastTo(b.reduce('sum', x, [axis]), x.shape);
    case 9: {
      const n = x.shape[axis]!;
      const start = n === 0 ? 0 : amount % n;
      const len = n === 0 ? 0 : (amount >> 2) % (n - start + 1);
      return b.slice(x, x.shape.map((_, i) => (i === axis ? start : 0)), x.shape.map((d, i) => (i === axis ? len : d)));
    }
    case 10: return b.pad(x, x.shape.map((_, i) => (i === axis ? amount % 3 : 0)), x.shape.map((_, i) => (i === axis ? (amount >> 2) % 2 : 0)));
    case 11: return b.roll(x, (amount % 7) - 3, axis);
    case 12: return amount % 2 ? b.matmul(x, b.transpose(o, -1, -2)) : b.matmul(x, leaves.w);
    case 13: return b.concat([x, o], axis);
    case 14: return b.gather(amount % 2 ? leaves.table : x, float ? leaves.ids : x);
    case 15: return b.scatterAdd(leaves.ids, x, TABLE_ROWS - 1 + (amount % 3));
    case 16: return b.cast(x, float ? 'i32' : 'f32');
    case 17: return b.binary('add', x, b.iota(x.shape, axis, x.dtype));
    case 18: return b.matmul(x, b.constant(CONSTANTS[amount % 4]!, [x.shape[rank - 1]!, (amount >> 2) % 3], x.dtype));
    case 19: return b.binaryBroadcast('mul', x, b.reduce('max', o, [axis]));
  }
  return undefined;
}

/** The `amount`-th permutation of `rank` axes (by a Lehmer-code walk). */
function permutation(rank: number, amount: number): number[] {
  const left = [...Array(rank).keys()];
  const perm: number[] = [];
  let k = amount;
  while (left.length > 0) {
    perm.push(left.splice(k % left.length, 1)[0]!);
    k = Math.floor(k / (left.length + 1));
  }
  return perm;
}

/** Flatten, merge the last two axes, or split the last axis in two. */
function reshaped(b: GraphBuilder, x: Node, amount: number): Node {
  const s = x.shape;
  switch (amount % 3) {
    case 0: return b.reshape(x, [numel(s)]);
    case 1: return s.length >= 2 ? b.reshape(x, [...s.slice(0, -2), s[s.length - 2]! * s[s.length - 1]!]) : x;
    default: {
      const last = s[s.length - 1] ?? 1;
      const f = [2, 3, 5].find((p) => last % p === 0 && last > p);
      return f ? b.reshape(x, [...s.slice(0, -1), f, last / f]) : b.reshape(x, [...s, 1]);
    }
  }
}
