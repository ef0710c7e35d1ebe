import { isFloat, type DType } from './dtype.js';
import { COMPARISONS, Node, type BinaryFn, type Init, type Op, type ReduceFn, type SourceLoc, type UnaryFn } from './node.js';
import { broadcastShapes, checkShape, formatType, normAxis, numel, sameShape, ShapeError, type Shape } from './shape.js';

/** Where new nodes come from: the module instance path, module name and source position. */
export interface Origin {
  scope: string;
  module: string;
  loc?: SourceLoc;
}

/**
 * Creates IR nodes with shape and dtype inference. Every check throws a ShapeError whose
 * message names the operand types; callers that know a source position turn it into a
 * diagnostic. The builder also applies trivial simplifications (identity reshapes,
 * permutes and broadcasts return their input) so the graphs stay readable.
 */
export class GraphBuilder {
  origin: Origin = { scope: '', module: '' };

  private make(op: Op, inputs: readonly Node[], shape: Shape, dtype: DType): Node {
    return new Node(op, inputs, Object.freeze([...shape]), dtype, this.origin.scope, this.origin.module, this.origin.loc);
  }

  input(name: string, shape: Shape, dtype: DType): Node {
    checkShape(shape, `input ${name}`);
    return this.make({ kind: 'input', name }, [], shape, dtype);
  }

  param(name: string, shape: Shape, dtype: DType, init: Init): Node {
    checkShape(shape, `param ${name}`);
    return this.make({ kind: 'param', name, init }, [], shape, dtype);
  }

  constant(value: number, shape: Shape, dtype: DType): Node {
    checkShape(shape, 'constant');
    if (dtype === 'i32' && !Number.isInteger(value)) {
      throw new ShapeError(`constant ${value} is not an integer and cannot be ${dtype}`);
    }
    return this.make({ kind: 'const', value }, [], shape, dtype);
  }

  iota(shape: Shape, axis: number, dtype: DType): Node {
    checkShape(shape, 'iota');
    return this.make({ kind: 'iota', axis: normAxis(axis, shape.length) }, [], shape, dtype);
  }

  unary(fn: UnaryFn, x: Node): Node {
    if (!isFloat(x.dtype) && fn !== 'neg' && fn !== 'abs') {
      throw new ShapeError(`${fn} needs a floating-point tensor, got ${formatType(x.dtype, x.shape)}`);
    }
    return this.make({ kind: 'unary', fn }, [x], x.shape, x.dtype);
  }

  /** Element-wise op on operands of identical shape and dtype. */
  binary(fn: BinaryFn, a: Node, b: Node): Node {
    if (a.dtype !== b.dtype) {
      throw new ShapeError(`dtype mismatch in ${fn}: ${formatType(a.dtype, a.shape)} and ${formatType(b.dtype, b.shape)}`);
    }
    if (!sameShape(a.shape, b.shape)) {
      throw new ShapeError(`shape mismatch in ${fn}: ${formatType(a.dtype, a.shape)} and ${formatType(b.dtype, b.shape)}`);
    }
    if (fn === 'mod' && isFloat(a.dtype)) throw new ShapeError(`% needs integer tensors, got ${formatType(a.dtype, a.shape)}`);
    return this.make({ kind: 'binary', fn }, [a, b], a.shape, a.dtype);
  }

  /** Element-wise op with NumPy broadcasting of the operands. */
  binaryBroadcast(fn: BinaryFn, a: Node, b: Node): Node {
    if (a.dtype !== b.dtype) {
      throw new ShapeError(`dtype mismatch in ${fn}: ${formatType(a.dtype, a.shape)} and ${formatType(b.dtype, b.shape)}`);
    }
    const shape = broadcastShapes(a.shape, b.shape, a.dtype, b.dtype);
    return this.binary(fn, this.broadcastTo(a, shape), this.broadcastTo(b, shape));
  }

  /** True when fn is a comparison (result 0/1, no gradient). */
  isComparison(fn: BinaryFn): boolean {
    return COMPARISONS.has(fn);
  }

  where(cond: Node, a: Node, b: Node): Node {
    if (a.dtype !== b.dtype) {
      throw new ShapeError(`where: branches differ in dtype: ${formatType(a.dtype, a.shape)} and ${formatType(b.dtype, b.shape)}`);
    }
    const shape = broadcastShapes(broadcastShapes(cond.shape, a.shape, cond.dtype, a.dtype), b.shape, a.dtype, b.dtype);
    return this.make({ kind: 'where' }, [this.broadcastTo(cond, shape), this.broadcastTo(a, shape), this.broadcastTo(b, shape)], shape, a.dtype);
  }

  /** Reduction over `axes`, keeping them as size 1. */
  reduce(fn: ReduceFn, x: Node, axes: readonly number[]): Node {
    const norm = [...new Set(axes.map((a) => normAxis(a, x.shape.length)))].sort((p, q) => p - q);
    if (norm.length === 0) return x;
    const shape = x.shape.map((d, i) => (norm.includes(i) ? 1 : d));
    if (fn === 'max' && norm.some((a) => x.shape[a] === 0)) {
      throw new ShapeError(`max over an empty axis of ${formatType(x.dtype, x.shape)}`);
    }
    return this.make({ kind: 'reduce', fn, axes: norm }, [x], shape, x.dtype);
  }

  /** Batched matmul; batch dims are broadcast NumPy-style. */
  matmul(a: Node, b: Node): Node {
    const what = `${formatType(a.dtype, a.shape)} @ ${formatType(b.dtype, b.shape)}`;
    if (a.shape.length < 2 || b.shape.length < 2) throw new ShapeError(`matmul needs operands of rank >= 2: ${what}`);
    if (a.dtype !== b.dtype) throw new ShapeError(`dtype mismatch in matmul: ${what}`);
    const [m, k] = a.shape.slice(-2) as [number, number];
    const [k2, n] = b.shape.slice(-2) as [number, number];
    if (k !== k2) throw new ShapeError(`matmul inner dimensions differ (${k} vs ${k2}): ${what}`);
    let batch: number[];
    try {
      batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), a.dtype, b.dtype);
    } catch {
      throw new ShapeError(`matmul batch dimensions do not broadcast: ${what}`);
    }
    const aa = this.broadcastTo(a, [...batch, m, k]);
    const bb = this.broadcastTo(b, [...batch, k, n]);
    return this.make({ kind: 'matmul' }, [aa, bb], [...batch, m, n], a.dtype);
  }

  /** Reshape; one size may be -1 and is inferred. */
  reshape(x: Node, shape: Shape): Node {
    const target = [...shape];
    const unknown = target.filter((d) => d === -1).length;
    if (unknown > 1) throw new ShapeError(`reshape: at most one size may be -1, got [${shape.join(',')}]`);
    if (unknown === 1) {
      const known = numel(target.filter((d) => d !== -1));
      const idx = target.indexOf(-1);
      if (known === 0 || numel(x.shape) % known !== 0) {
        throw new ShapeError(`cannot reshape ${formatType(x.dtype, x.shape)} to [${shape.join(',')}]`);
      }
      target[idx] = numel(x.shape) / known;
    }
    checkShape(target, 'reshape');
    if (numel(target) !== numel(x.shape)) {
      throw new ShapeError(`cannot reshape ${formatType(x.dtype, x.shape)} to [${shape.join(',')}]: ${numel(x.shape)} elements vs ${numel(target)}`);
    }
    if (sameShape(target, x.shape)) return x;
    if (x.op.kind === 'const') return this.constant(x.op.value, target, x.dtype);
    return this.make({ kind: 'reshape' }, [x], target, x.dtype);
  }

  permute(x: Node, perm: readonly number[]): Node {
    const rank = x.shape.length;
    const norm = perm.map((p) => normAxis(p, rank, 'permutation axis'));
    if (norm.length !== rank || new Set(norm).size !== rank) {
      throw new ShapeError(`[${perm.join(',')}] is not a permutation of the axes of ${formatType(x.dtype, x.shape)}`);
    }
    if (norm.every((p, i) => p === i)) return x;
    return this.make({ kind: 'permute', perm: norm }, [x], norm.map((p) => x.shape[p]!), x.dtype);
  }

  /** NumPy-style broadcast to `shape` (prepends size-1 axes as needed). */
  broadcastTo(x: Node, shape: Shape): Node {
    if (sameShape(x.shape, shape)) return x;
    if (x.shape.length > shape.length) {
      throw new ShapeError(`cannot broadcast ${formatType(x.dtype, x.shape)} to [${shape.join(',')}]`);
    }
    const padded = [...new Array<number>(shape.length - x.shape.length).fill(1), ...x.shape];
    padded.forEach((d, i) => {
      if (d !== 1 && d !== shape[i]) throw new ShapeError(`cannot broadcast ${formatType(x.dtype, x.shape)} to [${shape.join(',')}]`);
    });
    // A scalar constant is just re-created at the wider shape: graphs stay readable.
    if (x.op.kind === 'const') return this.constant(x.op.value, shape, x.dtype);
    const r = this.reshape(x, padded);
    if (sameShape(padded, shape)) return r;
    return this.make({ kind: 'broadcast' }, [r], shape, x.dtype);
  }

  /** Contiguous slice: `starts[i] .. starts[i] + shape[i]` along every axis. */
  slice(x: Node, starts: readonly number[], shape: Shape): Node {
    if (starts.length !== x.shape.length || shape.length !== x.shape.length) {
      throw new ShapeError(`slice rank does not match ${formatType(x.dtype, x.shape)}`);
    }
    starts.forEach((s, i) => {
      if (!Number.isInteger(s) || s < 0 || s + shape[i]! > x.shape[i]! || shape[i]! < 0) {
        throw new ShapeError(`slice [${s}, ${s + shape[i]!}) is out of range for axis ${i} of ${formatType(x.dtype, x.shape)}`);
      }
    });
    if (sameShape(shape, x.shape)) return x;
    return this.make({ kind: 'slice', starts: [...starts] }, [x], shape, x.dtype);
  }

  pad(x: Node, lo: readonly number[], hi: readonly number[]): Node {
    if (lo.length !== x.shape.length || hi.length !== x.shape.length) throw new ShapeError(`pad rank does not match ${formatType(x.dtype, x.shape)}`);
    if ([...lo, ...hi].some((p) => !Number.isInteger(p) || p < 0)) throw new ShapeError(`pad amounts must be non-negative integers`);
    if ([...lo, ...hi].every((p) => p === 0)) return x;
    return this.make({ kind: 'pad', lo: [...lo], hi: [...hi] }, [x], x.shape.map((d, i) => d + lo[i]! + hi[i]!), x.dtype);
  }

  roll(x: Node, shift: number, axis: number): Node {
    const ax = normAxis(axis, x.shape.length);
    if (!Number.isInteger(shift)) throw new ShapeError(`roll shift must be an integer, got ${shift}`);
    const n = x.shape[ax]!;
    const s = n === 0 ? 0 : ((shift % n) + n) % n;
    if (s === 0) return x;
    return this.make({ kind: 'roll', shift: s, axis: ax }, [x], x.shape, x.dtype);
  }

  gather(table: Node, idx: Node): Node {
    if (table.shape.length < 1) throw new ShapeError(`gather needs a table of rank >= 1, got ${formatType(table.dtype, table.shape)}`);
    if (idx.dtype !== 'i32') throw new ShapeError(`gather indices must be i32, got ${formatType(idx.dtype, idx.shape)}`);
    return this.make({ kind: 'gather' }, [table, idx], [...idx.shape, ...table.shape.slice(1)], table.dtype);
  }

  scatterAdd(idx: Node, upd: Node, rows: number): Node {
    if (idx.dtype !== 'i32') throw new ShapeError(`scatter_add indices must be i32`);
    if (!sameShape(upd.shape.slice(0, idx.shape.length), idx.shape)) {
      throw new ShapeError(`scatter_add: updates ${formatType(upd.dtype, upd.shape)} do not start with index shape [${idx.shape.join(',')}]`);
    }
    return this.make({ kind: 'scatter_add', rows }, [idx, upd], [rows, ...upd.shape.slice(idx.shape.length)], upd.dtype);
  }

  concat(xs: readonly Node[], axis: number): Node {
    if (xs.length === 0) throw new ShapeError('concat of no tensors');
    const first = xs[0]!;
    const ax = normAxis(axis, first.shape.length);
    for (const x of xs) {
      const fits = x.dtype === first.dtype && x.shape.length === first.shape.length && x.shape.every((d, i) => i === ax || d === first.shape[i]);
      if (!fits) throw new ShapeError(`concat along axis ${ax}: ${formatType(first.dtype, first.shape)} and ${formatType(x.dtype, x.shape)} do not fit`);
    }
    if (xs.length === 1) return first;
    const shape = [...first.shape];
    shape[ax] = xs.reduce((s, x) => s + x.shape[ax]!, 0);
    return this.make({ kind: 'concat', axis: ax }, xs, shape, first.dtype);
  }

  cast(x: Node, dtype: DType): Node {
    if (x.dtype === dtype) return x;
    return this.make({ kind: 'cast' }, [x], x.shape, dtype);
  }

  // --- helpers built from the primitives -------------------------------------------------

  scalarLike(value: number, like: Node): Node {
    return this.constant(value, like.shape, like.dtype);
  }

  /** Swaps two axes. */
  transpose(x: Node, a: number, b: number): Node {
    const rank = x.shape.length;
    const perm = [...Array(rank).keys()];
    const i = normAxis(a, rank);
    const j = normAxis(b, rank);
    perm[i] = j;
    perm[j] = i;
    return this.permute(x, perm);
  }
}
