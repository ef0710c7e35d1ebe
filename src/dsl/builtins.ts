import type { GraphBuilder } from '../ir/builder.js';
import { isDType, type DType } from '../ir/dtype.js';
import { erf } from '../ir/erf.js';
import type { Node, UnaryFn } from '../ir/node.js';
import { formatType, normAxis, ShapeError } from '../ir/shape.js';
import { einsum } from './einsum.js';
import { BuiltinValue, describe, DTypeValue, TensorValue, UnitValue, type BuiltinParam, type Value } from './values.js';

/**
 * The built-in functions of .fib: thin wrappers over the IR primitives plus compile-time
 * helpers (len, int, assert, ...). Everything else (softmax, LayerNorm, attention, window
 * partition) is written in .fib in std/. A built-in reports misuse by throwing ShapeError;
 * the elaborator turns it into a diagnostic at the call.
 */

function fail(message: string): never {
  throw new ShapeError(message);
}

function isTensor(v: Value | undefined): v is TensorValue {
  return v instanceof TensorValue;
}

/** A tensor operand; numbers become scalar constants in the dtype of `like` (or f32). */
export function toNode(b: GraphBuilder, v: Value | undefined, what: string, like?: Node): Node {
  if (isTensor(v)) return v.node;
  if (typeof v === 'number') {
    const dtype: DType = like?.dtype ?? (Number.isInteger(v) ? 'f32' : 'f32');
    if (dtype === 'i32' && !Number.isInteger(v)) fail(`${what}: ${v} is not an integer and the tensor is ${formatType(like!.dtype, like!.shape)}`);
    return b.constant(v, [], dtype);
  }
  if (typeof v === 'boolean') return b.constant(v ? 1 : 0, [], like?.dtype ?? 'f32');
  if (Array.isArray(v)) return literalTensor(b, v, like?.dtype ?? 'f32', what);
  return fail(`${what}: expected a tensor or number, got ${v === undefined ? 'nothing' : describe(v)}`);
}

/** Largest tensor literal: bigger constants belong in params or inputs. */
export const MAX_LITERAL_ELEMENTS = 4096;

/**
 * A tensor from a (nested) list of numbers, `[[1.0, 0.5], [0.25, 0.0]]`. There is no
 * constant-tensor primitive: the value is a balanced tree of selects on the flat index
 * (depth log2 n), so every backend computes it from `iota`, `const` and `where`, and runs
 * of equal values cost nothing.
 */
export function literalTensor(b: GraphBuilder, v: readonly Value[], dtype: DType, what: string): Node {
  const shape: number[] = [];
  for (let level: Value = v; Array.isArray(level); level = level[0]!) {
    shape.push(level.length);
    if (level.length === 0) break;
  }
  const values: number[] = [];
  const walk = (x: Value, depth: number, path: string): void => {
    if (depth === shape.length) {
      const n = typeof x === 'boolean' ? Number(x) : x;
      if (typeof n !== 'number') fail(`${what}: the literal holds ${describe(x)} at ${path}, not a number`);
      if (dtype === 'i32' && !Number.isInteger(n)) fail(`${what}: ${n} at ${path} is not an integer and the tensor is i32`);
      values.push(n);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[depth]) fail(`${what}: the literal is ragged at ${path} (expected a list of ${shape[depth]})`);
    x.forEach((item, i) => walk(item, depth + 1, `${path}[${i}]`));
  };
  walk(v, 0, '');
  if (values.length > MAX_LITERAL_ELEMENTS) fail(`${what}: a tensor literal of ${values.length} elements; larger constants belong in params or inputs (at most ${MAX_LITERAL_ELEMENTS})`);
  if (values.length === 0) return b.constant(0, shape, dtype);
  const flat = [values.length];
  const index = b.iota(flat, 0, 'i32');
  const build = (lo: number, hi: number): Node => {
    if (values.slice(lo, hi).every((x) => Object.is(x, values[lo]))) return b.constant(values[lo]!, flat, dtype);
    const mid = (lo + hi) >> 1;
    return b.where(b.binary('lt', index, b.constant(mid, flat, 'i32')), build(lo, mid), build(mid, hi));
  };
  return b.reshape(build(0, values.length), shape);
}

function asInt(v: Value | undefined, what: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  return fail(`${what}: expected an int, got ${v === undefined ? 'nothing' : describe(v)}`);
}

function asNumber(v: Value | undefined, what: string): number {
  if (typeof v === 'number') return v;
  return fail(`${what}: expected a number, got ${v === undefined ? 'nothing' : describe(v)}`);
}

function asBool(v: Value | undefined, what: string, fallback?: boolean): boolean {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v === 'boolean') return v;
  return fail(`${what}: expected a bool, got ${v === undefined ? 'nothing' : describe(v)}`);
}

function asIntList(v: Value | undefined, what: string): number[] {
  if (typeof v === 'number') return [asInt(v, what)];
  if (Array.isArray(v)) return v.map((x, i) => asInt(x, `${what}[${i}]`));
  return fail(`${what}: expected a list of ints, got ${v === undefined ? 'nothing' : describe(v)}`);
}

function asTensor(v: Value | undefined, what: string): Node {
  if (isTensor(v)) return v.node;
  return fail(`${what}: expected a tensor, got ${v === undefined ? 'nothing' : describe(v)}`);
}

function asDType(v: Value | undefined, what: string, fallback: DType): DType {
  if (v === undefined) return fallback;
  if (v instanceof DTypeValue) return v.dtype;
  if (typeof v === 'string' && isDType(v)) return v;
  return fail(`${what}: expected a dtype (f32, f16, i32), got ${describe(v)}`);
}

/** Axes for a reduction: all when omitted. */
function axesOf(x: Node, v: Value | undefined, what: string): number[] {
  if (v === undefined) return x.shape.map((_, i) => i);
  return asIntList(v, what).map((a) => normAxis(a, x.shape.length));
}

function squeezeAxes(b: GraphBuilder, x: Node, axes: number[]): Node {
  return b.reshape(x, x.shape.filter((_, i) => !axes.includes(i)));
}

const t = (v: Node): TensorValue => new TensorValue(v);
const p = (name: string, optional = false): BuiltinParam => ({ name, optional });

/** All built-ins, bound to the builder that receives their nodes. */
export function makeBuiltins(b: GraphBuilder): Map<string, BuiltinValue> {
  const table = new Map<string, BuiltinValue>();
  const def = (name: string, params: BuiltinParam[], impl: (a: readonly (Value | undefined)[]) => Value): void => {
    table.set(name, new BuiltinValue(name, params, impl));
  };

  const unaryMath: [string, UnaryFn, (x: number) => number][] = [
    ['exp', 'exp', Math.exp], ['log', 'log', Math.log], ['sqrt', 'sqrt', Math.sqrt], ['rsqrt', 'rsqrt', (x) => 1 / Math.sqrt(x)],
    ['tanh', 'tanh', Math.tanh], ['erf', 'erf', erf], ['abs', 'abs', Math.abs], ['sigmoid', 'sigmoid', (x) => 1 / (1 + Math.exp(-x))],
    ['floor', 'floor', Math.floor], ['recip', 'recip', (x) => 1 / x], ['sin', 'sin', Math.sin], ['cos', 'cos', Math.cos],
  ];
  for (const [name, fn, num] of unaryMath) {
    def(name, [p('x')], ([x]) => (typeof x === 'number' ? num(x) : t(b.unary(fn, asTensor(x, `${name}(x)`)))));
  }
  // The value of x, through which autodiff passes no gradient (jax.lax.stop_gradient, torch's detach).
  def('stop_gradient', [p('x')], ([x]) => (typeof x === 'number' ? x : t(b.unary('detach', asTensor(x, 'stop_gradient(x)')))));

  for (const [name, fn, num] of [['maximum', 'max', Math.max], ['minimum', 'min', Math.min], ['pow', 'pow', Math.pow]] as const) {
    def(name, [p('a'), p('b')], ([x, y]) => {
      if (typeof x === 'number' && typeof y === 'number') return num(x, y);
      const like = isTensor(x) ? x.node : isTensor(y) ? y.node : undefined;
      return t(b.binaryBroadcast(fn, toNode(b, x, `${name}(a)`, like), toNode(b, y, `${name}(b)`, like)));
    });
  }

  def('where', [p('cond'), p('a'), p('b')], ([c, x, y]) => {
    const like = isTensor(x) ? x.node : isTensor(y) ? y.node : undefined;
    return t(b.where(asTensor(c, 'where(cond)'), toNode(b, x, 'where(a)', like), toNode(b, y, 'where(b)', like)));
  });

  const reduction = (name: string, fn: 'sum' | 'max', negate: boolean): void => {
    def(name, [p('x'), p('axis', true), p('keepdims', true)], ([x, axis, keep]) => {
      if (Array.isArray(x) && fn === 'max') return negate ? Math.min(...x.map((v, i) => asNumber(v, `${name}[${i}]`))) : Math.max(...x.map((v, i) => asNumber(v, `${name}[${i}]`)));
      if (Array.isArray(x) && fn === 'sum') return x.reduce<number>((s, v, i) => s + asNumber(v, `${name}[${i}]`), 0);
      const node = asTensor(x, `${name}(x)`);
      const axes = axesOf(node, axis, `${name}(axis)`);
      const input = negate ? b.unary('neg', node) : node;
      let r = b.reduce(fn, input, axes);
      if (negate) r = b.unary('neg', r);
      return t(asBool(keep, `${name}(keepdims)`, false) ? r : squeezeAxes(b, r, axes));
    });
  };
  reduction('sum', 'sum', false);
  reduction('max', 'max', false);
  reduction('min', 'max', true);

  def('matmul', [p('a'), p('b')], ([x, y]) => t(b.matmul(asTensor(x, 'matmul(a)'), asTensor(y, 'matmul(b)'))));
  def('reshape', [p('x'), p('shape')], ([x, s]) => t(b.reshape(asTensor(x, 'reshape(x)'), asIntList(s, 'reshape(shape)'))));
  def('permute', [p('x'), p('perm')], ([x, s]) => t(b.permute(asTensor(x, 'permute(x)'), asIntList(s, 'permute(perm)'))));
  def('transpose', [p('x'), p('a', true), p('b', true)], ([x, i, j]) =>
    t(b.transpose(asTensor(x, 'transpose(x)'), i === undefined ? -2 : asInt(i, 'transpose(a)'), j === undefined ? -1 : asInt(j, 'transpose(b)'))));
  def('broadcast_to', [p('x'), p('shape')], ([x, s]) => {
    const shape = asIntList(s, 'broadcast_to(shape)');
    return t(b.broadcastTo(toNode(b, x, 'broadcast_to(x)'), shape));
  });
  def('unsqueeze', [p('x'), p('axis')], ([x, a]) => {
    const node = asTensor(x, 'unsqueeze(x)');
    const axis = normAxis(asInt(a, 'unsqueeze(axis)'), node.shape.length + 1);
    const shape = [...node.shape];
    shape.splice(axis, 0, 1);
    return t(b.reshape(node, shape));
  });
  def('squeeze', [p('x'), p('axis')], ([x, a]) => {
    const node = asTensor(x, 'squeeze(x)');
    const axes = axesOf(node, a, 'squeeze(axis)');
    for (const ax of axes) if (node.shape[ax] !== 1) fail(`squeeze: axis ${ax} of ${formatType(node.dtype, node.shape)} is not 1`);
    return t(squeezeAxes(b, node, axes));
  });
  def('slice', [p('x'), p('axis'), p('start'), p('end')], ([x, a, s, e]) => {
    const node = asTensor(x, 'slice(x)');
    const axis = normAxis(asInt(a, 'slice(axis)'), node.shape.length);
    const start = asInt(s, 'slice(start)');
    const end = asInt(e, 'slice(end)');
    if (end < start) fail(`slice: end ${end} is before start ${start}`);
    const starts = node.shape.map((_, i) => (i === axis ? start : 0));
    const shape = node.shape.map((d, i) => (i === axis ? end - start : d));
    return t(b.slice(node, starts, shape));
  });
  def('pad', [p('x'), p('axis'), p('lo'), p('hi')], ([x, a, l, h]) => {
    const node = asTensor(x, 'pad(x)');
    const axis = normAxis(asInt(a, 'pad(axis)'), node.shape.length);
    const lo = node.shape.map((_, i) => (i === axis ? asInt(l, 'pad(lo)') : 0));
    const hi = node.shape.map((_, i) => (i === axis ? asInt(h, 'pad(hi)') : 0));
    return t(b.pad(node, lo, hi));
  });
  def('roll', [p('x'), p('shift'), p('axis')], ([x, s, a]) => t(b.roll(asTensor(x, 'roll(x)'), asInt(s, 'roll(shift)'), asInt(a, 'roll(axis)'))));
  def('gather', [p('table'), p('idx')], ([x, i]) => t(b.gather(asTensor(x, 'gather(table)'), asTensor(i, 'gather(idx)'))));
  def('concat', [p('xs'), p('axis', true)], ([xs, a]) => {
    if (!Array.isArray(xs)) fail(`concat: expected a list of tensors, got ${xs === undefined ? 'nothing' : describe(xs)}`);
    return t(b.concat(xs.map((x, i) => asTensor(x, `concat(xs[${i}])`)), a === undefined ? 0 : asInt(a, 'concat(axis)')));
  });
  def('tensor', [p('values'), p('dtype', true)], ([v, d]) => {
    if (!Array.isArray(v)) fail(`tensor: expected a list of numbers, got ${v === undefined ? 'nothing' : describe(v)}`);
    return t(literalTensor(b, v, asDType(d, 'tensor(dtype)', 'f32'), 'tensor(values)'));
  });
  def('stack', [p('xs'), p('axis', true)], ([xs, a]) => {
    if (!Array.isArray(xs) || xs.length === 0) fail(`stack: expected a non-empty list of tensors, got ${xs === undefined ? 'nothing' : describe(xs)}`);
    const nodes = xs.map((x, i) => asTensor(x, `stack(xs[${i}])`));
    const axis = normAxis(a === undefined ? 0 : asInt(a, 'stack(axis)'), nodes[0]!.shape.length + 1);
    for (const n of nodes) {
      if (n.shape.join() !== nodes[0]!.shape.join()) fail(`stack: ${formatType(nodes[0]!.dtype, nodes[0]!.shape)} and ${formatType(n.dtype, n.shape)} differ in shape`);
    }
    const lifted = nodes.map((n) => {
      const shape = [...n.shape];
      shape.splice(axis, 0, 1);
      return b.reshape(n, shape);
    });
    return t(b.concat(lifted, axis));
  });
  def('einsum', [p('spec'), p('a'), p('b', true)], ([s, x, y]) => {
    if (typeof s !== 'string') fail(`einsum: the first argument is the spec string, such as "ij,jk->ik"; got ${s === undefined ? 'nothing' : describe(s)}`);
    const operands = [asTensor(x, 'einsum(a)'), ...(y === undefined ? [] : [asTensor(y, 'einsum(b)')])];
    return t(einsum(b, s, operands));
  });
  def('cast', [p('x'), p('dtype')], ([x, d]) => t(b.cast(asTensor(x, 'cast(x)'), asDType(d, 'cast(dtype)', 'f32'))));

  def('zeros', [p('shape'), p('dtype', true)], ([s, d]) => t(b.constant(0, asIntList(s, 'zeros(shape)'), asDType(d, 'zeros(dtype)', 'f32'))));
  def('ones', [p('shape'), p('dtype', true)], ([s, d]) => t(b.constant(1, asIntList(s, 'ones(shape)'), asDType(d, 'ones(dtype)', 'f32'))));
  def('full', [p('shape'), p('value'), p('dtype', true)], ([s, v, d]) =>
    t(b.constant(asNumber(v, 'full(value)'), asIntList(s, 'full(shape)'), asDType(d, 'full(dtype)', 'f32'))));
  def('iota', [p('shape'), p('axis'), p('dtype', true)], ([s, a, d]) =>
    t(b.iota(asIntList(s, 'iota(shape)'), asInt(a, 'iota(axis)'), asDType(d, 'iota(dtype)', 'i32'))));
  def('arange', [p('n'), p('dtype', true)], ([n, d]) => t(b.iota([asInt(n, 'arange(n)')], 0, asDType(d, 'arange(dtype)', 'i32'))));

  def('shape', [p('x')], ([x]) => [...asTensor(x, 'shape(x)').shape]);
  def('rank', [p('x')], ([x]) => asTensor(x, 'rank(x)').shape.length);
  def('dim', [p('x'), p('axis')], ([x, a]) => {
    const node = asTensor(x, 'dim(x)');
    return node.shape[normAxis(asInt(a, 'dim(axis)'), node.shape.length)]!;
  });
  def('len', [p('xs')], ([xs]) => (Array.isArray(xs) ? xs.length : fail(`len: expected a list, got ${xs === undefined ? 'nothing' : describe(xs)}`)));
  def('int', [p('x')], ([x]) => Math.trunc(asNumber(x, 'int(x)')));
  def('float', [p('x')], ([x]) => asNumber(x, 'float(x)'));
  def('assert', [p('cond'), p('message', true)], ([c, m]) => {
    if (!asBool(c, 'assert(cond)')) fail(`assertion failed${typeof m === 'string' ? `: ${m}` : ''}`);
    return UnitValue.instance;
  });
  return table;
}
