import { erf } from './erf.js';
import { topoOrder, type Graph } from './graph.js';
import type { BinaryFn, Node, UnaryFn } from './node.js';
import { formatType, numel, sameShape, stridesOf, type Shape } from './shape.js';
import { HostTensor } from './tensor.js';

/**
 * The reference interpreter: the living definition of every primitive. It computes in
 * Float64 whatever the declared dtype. i32 values stay integral and behave like 32-bit
 * hardware integers: results wrap (two's complement), division and modulo floor like
 * Python's // and % and give 0 for a zero divisor, and a cast to i32 truncates toward zero,
 * saturates at the i32 range and takes NaN to 0. Every backend is tested against it
 * (spec/ir.md, "Corner cases").
 */

const UNARY: Record<UnaryFn, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  tanh: Math.tanh,
  erf,
  abs: Math.abs,
  recip: (x) => 1 / x,
  floor: Math.floor,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  sin: Math.sin,
  cos: Math.cos,
  detach: (x) => x,
};

/**
 * x ** y as C99's pow (IEEE 754 pown/pow): 1 for y = ±0 or x = 1 whatever the other operand
 * (NaN included), 1 for x = -1 and y = ±inf; a negative base with an integral exponent has
 * the sign of the exponent's parity (-2 ** -1 = -0.5), with a non-integral one NaN.
 * JavaScript's Math.pow agrees except that it gives NaN for 1 ** NaN and (±1) ** ±inf.
 */
function powC(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (Math.abs(x) === 1 && (y === Infinity || y === -Infinity)) return 1;
  return Math.pow(x, y);
}

const BINARY: Record<BinaryFn, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  max: Math.max,
  min: Math.min,
  pow: powC,
  mod: (a, b) => a - Math.floor(a / b) * b,
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
};

/** i32 operations whose float form would be wrong: exact products, floor division, zero divisors. */
const INT_BINARY: Partial<Record<BinaryFn, (a: number, b: number) => number>> = {
  mul: Math.imul,
  div: (a, b) => (b === 0 ? 0 : Math.floor(a / b)),
  mod: (a, b) => (b === 0 ? 0 : a - Math.floor(a / b) * b),
};

const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;

/** float -> i32: toward zero, saturating, NaN to 0 (what WGSL's i32() and PTX's cvt.rzi.sat do). */
function toInt32Saturated(v: number): number {
  if (Number.isNaN(v)) return 0;
  return Math.min(I32_MAX, Math.max(I32_MIN, Math.trunc(v)));
}

/** Source of leaf values: inputs and params by name. */
export type LeafValues = (node: Node) => HostTensor;

/**
 * How the interpreter rounds. `exact` (the default) is the definition: every value in
 * Float64. The others model f32 hardware for the differential fuzzer's oracle: every f32/f16
 * value (leaves included) rounded to f32 after each op, and with `f32-ftz` f32 denormals
 * flushed to signed zero (WGSL and PTX's .ftz allow it).
 */
export type Rounding = 'exact' | 'f32' | 'f32-ftz';

/**
 * Replacements for unary functions, for readings that are not the definition (the fuzzer's
 * oracle: what a device may give where the spec leaves a value open, such as sin of 1e30).
 */
export type UnaryOverrides = Partial<Record<UnaryFn, (x: number) => number>>;

/** Runs a graph on named feeds (inputs and params together) and returns the named outputs. */
export function interpret(graph: Graph, feeds: ReadonlyMap<string, HostTensor>, rounding: Rounding = 'exact', unary: UnaryOverrides = {}): Map<string, HostTensor> {
  const values = evaluate(graph.outputs.map((o) => o.node), (node) => {
    const name = node.op.kind === 'input' || node.op.kind === 'param' ? node.op.name : '';
    const t = feeds.get(name);
    if (!t) throw new Error(`no value for ${node.op.kind} ${name}`);
    if (!sameShape(t.shape, node.shape)) {
      throw new Error(`${node.op.kind} ${name}: expected ${formatType(node.dtype, node.shape)}, got ${t.type}`);
    }
    return t;
  }, rounding, unary);
  return new Map(graph.outputs.map((o) => [o.name, values.get(o.node)!]));
}

/** Wraps integral values to the i32 range in place (two's complement). */
function wrapInt32(data: Float64Array): Float64Array {
  for (let i = 0; i < data.length; i++) data[i] = data[i]! | 0;
  return data;
}

/** Smallest normal f32 magnitude: below it, `f32-ftz` flushes to zero. */
const F32_MIN_NORMAL = 2 ** -126;

/** One value rounded as `roundToF32` does. */
function roundScalar(v: number, ftz: boolean): number {
  const r = Math.fround(v);
  return ftz && Math.abs(r) < F32_MIN_NORMAL ? r * 0 : r;
}

/** Rounds `data` (an f32/f16 node's values) to f32 in place. */
function roundToF32(data: Float64Array, ftz: boolean): void {
  for (let i = 0; i < data.length; i++) data[i] = roundScalar(data[i]!, ftz);
}

/** Evaluates `roots` and everything they depend on; leaves come from `leaf`. */
export function evaluate(roots: readonly Node[], leaf: LeafValues, rounding: Rounding = 'exact', unary: UnaryOverrides = {}): Map<Node, HostTensor> {
  const order = topoOrder(roots);
  const uses = new Map<Node, number>();
  for (const n of order) for (const i of n.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);
  // In the f32 readings, products and partial sums inside a matmul or reduction round too:
  // an f32 dot product overflows to inf term by term (inf - inf = NaN) where Float64 does not.
  const roundOne: Round = rounding === 'exact' ? undefined : (v) => roundScalar(v, rounding === 'f32-ftz');
  const keep = new Set(roots);
  const data = new Map<Node, Float64Array>();
  for (const node of order) {
    const args = node.inputs.map((i) => data.get(i)!);
    let value = evalNode(node, args, leaf, node.dtype === 'i32' ? undefined : roundOne, unary);
    // i32 results wrap like 32-bit hardware (leaves are checked where they are fed).
    if (node.dtype === 'i32' && node.inputs.length > 0) value = args.includes(value) ? value : wrapInt32(value);
    if (rounding !== 'exact' && node.dtype !== 'i32') {
      // Views and leaves share their operand's array: round a copy.
      if (node.inputs.length === 0 || args.includes(value)) value = value.slice();
      roundToF32(value, rounding === 'f32-ftz');
    }
    data.set(node, value);
    // Free intermediates after their last use: FIBER-B graphs hold hundreds of MB otherwise.
    for (const i of node.inputs) {
      const left = uses.get(i)! - 1;
      uses.set(i, left);
      if (left === 0 && !keep.has(i)) data.delete(i);
    }
  }
  return new Map(roots.map((r) => [r, new HostTensor(r.shape, r.dtype, data.get(r)!)]));
}

/** Rounding of one arithmetic result inside a reduction or a matmul (undefined: exact). */
type Round = ((x: number) => number) | undefined;

function evalNode(node: Node, args: Float64Array[], leaf: LeafValues, round: Round, unary: UnaryOverrides): Float64Array {
  const op = node.op;
  const n = numel(node.shape);
  switch (op.kind) {
    case 'input':
    case 'param':
      return leaf(node).float64();
    case 'const':
      return new Float64Array(n).fill(op.value);
    case 'iota': {
      const out = new Float64Array(n);
      const stride = stridesOf(node.shape)[op.axis]!;
      const size = node.shape[op.axis]!;
      for (let i = 0; i < n; i++) out[i] = Math.floor(i / stride) % size;
      return out;
    }
    case 'unary': {
      const f = unary[op.fn] ?? UNARY[op.fn];
      const x = args[0]!;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = f(x[i]!);
      return out;
    }
    case 'binary': {
      const f = node.dtype === 'i32' ? (INT_BINARY[op.fn] ?? BINARY[op.fn]) : BINARY[op.fn];
      const [a, b] = args as [Float64Array, Float64Array];
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = f(a[i]!, b[i]!);
      return out;
    }
    case 'where': {
      const [c, a, b] = args as [Float64Array, Float64Array, Float64Array];
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = c[i] !== 0 ? a[i]! : b[i]!;
      return out;
    }
    case 'reduce':
      return reduce(args[0]!, node.inputs[0]!.shape, op.axes, op.fn, node.dtype === 'i32' ? wrapAdd : round);
    case 'matmul':
      return node.dtype === 'i32' ? matmulInt32(args[0]!, args[1]!, node.inputs[0]!.shape, node.inputs[1]!.shape) : matmul(args[0]!, args[1]!, node.inputs[0]!.shape, node.inputs[1]!.shape, round);
    case 'reshape':
      return args[0]!;
    case 'cast':
      return node.dtype === 'i32' ? args[0]!.map(toInt32Saturated) : args[0]!;
    case 'permute': {
      const inStrides = stridesOf(node.inputs[0]!.shape);
      return gatherStrided(args[0]!, node.shape, op.perm.map((p) => inStrides[p]!), 0);
    }
    case 'broadcast': {
      const inShape = node.inputs[0]!.shape;
      const inStrides = stridesOf(inShape);
      return gatherStrided(args[0]!, node.shape, inStrides.map((s, i) => (inShape[i] === 1 ? 0 : s)), 0);
    }
    case 'slice': {
      const inStrides = stridesOf(node.inputs[0]!.shape);
      const base = op.starts.reduce((s, st, i) => s + st * inStrides[i]!, 0);
      return gatherStrided(args[0]!, node.shape, inStrides, base);
    }
    case 'pad':
      return pad(args[0]!, node.inputs[0]!.shape, node.shape, op.lo);
    case 'roll':
      return roll(args[0]!, node.shape, op.shift, op.axis);
    case 'gather':
      return gather(args[0]!, args[1]!, node.inputs[0]!.shape);
    case 'scatter_add':
      return scatterAdd(args[0]!, args[1]!, node.shape);
    case 'concat':
      return concat(args, node.inputs.map((i) => i.shape), node.shape, op.axis);
  }
}

/**
 * Visits the elements of `shape` in row-major order with, for each, the offset
 * `base + sum_k idx_k * strides[k]` into another buffer: the one loop behind permute,
 * broadcast, slice, pad and reduce.
 */
function forEachOffset(shape: Shape, strides: readonly number[], base: number, visit: (i: number, offset: number) => void): void {
  const n = numel(shape);
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  let off = base;
  for (let i = 0; i < n; i++) {
    visit(i, off);
    for (let k = rank - 1; k >= 0; k--) {
      idx[k]!++;
      off += strides[k]!;
      if (idx[k]! < shape[k]!) break;
      off -= strides[k]! * shape[k]!;
      idx[k] = 0;
    }
  }
}

/** out[i] = x[base + sum_k idx_k * strides[k]] over the multi-index of `shape`. */
function gatherStrided(x: Float64Array, shape: Shape, strides: readonly number[], base: number): Float64Array {
  const out = new Float64Array(numel(shape));
  forEachOffset(shape, strides, base, (i, off) => {
    out[i] = x[off]!;
  });
  return out;
}

function reduce(x: Float64Array, shape: Shape, axes: readonly number[], fn: 'sum' | 'max', round: Round): Float64Array {
  const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = new Float64Array(numel(outShape)).fill(fn === 'sum' ? 0 : -Infinity);
  const outStrides = stridesOf(outShape).map((s, i) => (axes.includes(i) ? 0 : s));
  forEachOffset(shape, outStrides, 0, (i, o) => {
    const v = x[i]!;
    if (fn === 'sum') out[o] = round ? round(out[o]! + v) : out[o]! + v;
    else if (v > out[o]! || Number.isNaN(v)) out[o] = v;
  });
  return out;
}

/** i32 partial sums wrap at every step, like the hardware's (exact: a Float64 sum of big products is not). */
const wrapAdd = (v: number): number => v | 0;

/** An i32 matmul: products by Math.imul, sums wrapped at 32 bits (two's complement). */
function matmulInt32(a: Float64Array, b: Float64Array, sa: Shape, sb: Shape): Float64Array {
  const m = sa[sa.length - 2]!;
  const k = sa[sa.length - 1]!;
  const n = sb[sb.length - 1]!;
  const batch = numel(sa.slice(0, -2));
  const out = new Float64Array(batch * m * n);
  for (let bi = 0; bi < batch; bi++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) acc = (acc + Math.imul(a[bi * m * k + i * k + p]!, b[bi * k * n + p * n + j]!)) | 0;
        out[bi * m * n + i * n + j] = acc;
      }
    }
  }
  return out;
}

function matmul(a: Float64Array, b: Float64Array, sa: Shape, sb: Shape, round: Round): Float64Array {
  const m = sa[sa.length - 2]!;
  const k = sa[sa.length - 1]!;
  const n = sb[sb.length - 1]!;
  const batch = numel(sa.slice(0, -2));
  const out = new Float64Array(batch * m * n);
  // A zero of A skips its row of B (one-hot operands are common) unless that row holds a
  // non-finite value, which 0 * inf = NaN must reach.
  const finiteRow = new Uint8Array(batch * k);
  for (let r = 0; r < batch * k; r++) {
    let ok = 1;
    for (let j = 0; j < n && ok; j++) if (!Number.isFinite(b[r * n + j]!)) ok = 0;
    finiteRow[r] = ok;
  }
  for (let bi = 0; bi < batch; bi++) {
    const ao = bi * m * k;
    const bo = bi * k * n;
    const oo = bi * m * n;
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < k; p++) {
        const av = a[ao + i * k + p]!;
        if (av === 0 && finiteRow[bi * k + p]) continue;
        const brow = bo + p * n;
        const orow = oo + i * n;
        if (round) for (let j = 0; j < n; j++) out[orow + j] = round(out[orow + j]! + round(av * b[brow + j]!));
        else for (let j = 0; j < n; j++) out[orow + j] += av * b[brow + j]!;
      }
    }
  }
  return out;
}

function pad(x: Float64Array, inShape: Shape, outShape: Shape, lo: readonly number[]): Float64Array {
  const out = new Float64Array(numel(outShape));
  const outStrides = stridesOf(outShape);
  const base = lo.reduce((s, l, i) => s + l * outStrides[i]!, 0);
  forEachOffset(inShape, outStrides, base, (i, off) => {
    out[off] = x[i]!;
  });
  return out;
}

function roll(x: Float64Array, shape: Shape, shift: number, axis: number): Float64Array {
  const out = new Float64Array(x.length);
  const stride = stridesOf(shape)[axis]!;
  const size = shape[axis]!;
  for (let i = 0; i < x.length; i++) {
    const j = Math.floor(i / stride) % size;
    const dst = i + (((j + shift) % size) - j) * stride;
    out[dst] = x[i]!;
  }
  return out;
}

function gather(table: Float64Array, idx: Float64Array, tableShape: Shape): Float64Array {
  const rows = tableShape[0]!;
  const row = numel(tableShape.slice(1));
  const out = new Float64Array(idx.length * row);
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i]!;
    // Out-of-range rows read as zeros: the defined behaviour every backend must match.
    if (r < 0 || r >= rows) continue;
    out.set(table.subarray(r * row, (r + 1) * row), i * row);
  }
  return out;
}

/**
 * out[r] = sum_i [idx_i == r] * upd_i, with IEEE products: the one-hot contraction every
 * backend computes (it register-tiles like a matmul). For finite updates this is the plain
 * scatter (out-of-range ids dropped); a non-finite update also reaches every other row as
 * 0 * inf = NaN, which the second loop adds without the rows x positions work.
 */
function scatterAdd(idx: Float64Array, upd: Float64Array, outShape: Shape): Float64Array {
  const rows = outShape[0]!;
  const row = numel(outShape.slice(1));
  const out = new Float64Array(rows * row);
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i]!;
    if (r < 0 || r >= rows) continue;
    for (let j = 0; j < row; j++) out[r * row + j] += upd[i * row + j]!;
  }
  for (let i = 0; i < idx.length; i++) {
    for (let j = 0; j < row; j++) {
      const u = upd[i * row + j]!;
      if (Number.isFinite(u)) continue;
      for (let r = 0; r < rows; r++) if (r !== idx[i]) out[r * row + j] += 0 * u;
    }
  }
  return out;
}

function concat(parts: Float64Array[], shapes: Shape[], outShape: Shape, axis: number): Float64Array {
  const out = new Float64Array(numel(outShape));
  const outer = numel(outShape.slice(0, axis));
  const inner = numel(outShape.slice(axis + 1));
  const outRow = outShape[axis]! * inner;
  let offset = 0;
  parts.forEach((p, pi) => {
    const w = shapes[pi]![axis]! * inner;
    for (let o = 0; o < outer; o++) out.set(p.subarray(o * w, (o + 1) * w), o * outRow + offset);
    offset += w;
  });
  return out;
}
