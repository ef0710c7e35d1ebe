import { nodeFlops, tensorBytes } from '../ir/cost.js';
import type { Node } from '../ir/node.js';
import { numel } from '../ir/shape.js';
import { add, div, flatten, idx, key, mod, range, substitute, unflatten, type Index } from './index-expr.js';
import { mapIndices } from './tile.js';
import type { AttentionMatch } from './attention.js';
import type { Bound, Kernel, Loop, Scalar, ScalarType, TensorRef } from './kernel-ir.js';

const typeOf = (n: Node): ScalarType => (n.dtype === 'i32' ? 'i32' : 'f32');

/** A stable structural key for hash-consing scalars. */
function skey(s: Scalar, ids: WeakMap<Scalar, number>): string {
  const id = (x: Scalar): number => ids.get(x)!;
  switch (s.k) {
    case 'load': return `L${s.tensor}[${key(s.index)}]`;
    case 'const': return `C${s.type}${s.value}`;
    case 'index': return `I${s.type}(${key(s.index)})`;
    case 'unary': return `U${s.fn}(${id(s.a)})`;
    case 'binary': return `B${s.fn}(${id(s.a)},${id(s.b)})`;
    case 'where': return `W(${id(s.c)},${id(s.a)},${id(s.b)})`;
    case 'cast': return `T${s.type}(${id(s.a)})`;
    case 'guard': return `G(${s.bounds.map((b) => `${key(b.index)}:${b.lo}:${b.hi}`).join(';')})(${id(s.a)})`;
    case 'reduce': return `R${s.fn}${s.loop.name}:${s.loop.size}(${id(s.body)})`;
    case 'named': return `N${s.name}`;
  }
}

/**
 * Lowers graph nodes into one kernel. Nodes for which `materialized` gives a tensor ref are
 * loaded; every other node is inlined: element-wise ops become scalar ops, movement ops
 * become index arithmetic, reductions and matmuls become loops.
 */
export class KernelLowering {
  private readonly consed = new Map<string, Scalar>();
  private readonly ids = new WeakMap<Scalar, number>();
  private nextId = 0;
  private nextLoop = 0;
  private readonly reads = new Map<number, TensorRef>();
  private readonly fused = new Set<Node>();
  readonly values = new Map<number, Scalar>();

  /**
   * `deferred`: attentions (by their value matmul) computed as `(E @ V) / rowsum(E)` instead
   * of `(E / rowsum(E)) @ V` (see compile/attention.ts), so the probabilities are never formed.
   */
  constructor(
    private readonly materialized: (node: Node) => TensorRef | undefined,
    private readonly deferred: ReadonlyMap<Node, AttentionMatch> = new Map(),
  ) {}

  private mk(s: Scalar): Scalar {
    const k = skey(s, this.ids);
    const found = this.consed.get(k);
    if (found) return found;
    this.ids.set(s, this.nextId++);
    this.consed.set(k, s);
    return s;
  }

  /** Builds the kernel computing `node` (which must not be a leaf). */
  kernel(name: string, node: Node, output: TensorRef): Kernel {
    const outputIndex = node.shape.map((d, i) => idx.variable(`i${i}`, d));
    // A materialized root is a leaf copied to an output: load it; anything else is computed.
    const value = this.materialized(node) ? this.at(node, outputIndex) : this.compute(node, outputIndex);
    const reads = [...this.reads.values()];
    const fused = [...this.fused];
    return {
      name, output, outputIndex, value, values: this.values, reads, fused,
      flops: fused.reduce((s, n) => s + nodeFlops(n), 0),
      bytesRead: reads.reduce((s, r) => s + tensorBytes(r.node), 0),
      bytesWritten: tensorBytes(node),
    };
  }

  /**
   * Builds the attention-template kernel for a matched attention (see attention.ts): the
   * score at (row, key) and the value at (key, column), with the key loop shared.
   */
  attentionKernel(name: string, m: AttentionMatch, output: TensorRef): Kernel {
    const p = m.output;
    const r = p.shape.length;
    const outputIndex = p.shape.map((d, i) => idx.variable(`i${i}`, d));
    const keys = this.loop(m.values.shape[m.values.shape.length - 2]!);
    const key = idx.variable(keys.name, keys.size);
    // The probability operand at (row, key), followed down its reshapes to the softmax.
    let index: Index[] = [...outputIndex.slice(0, r - 1), key];
    for (let a = m.probs; a !== m.division; a = a.inputs[0]!) index = unflatten(flatten(index, a.shape), a.inputs[0]!.shape);
    const score = this.at(m.scores, index);
    const value = this.at(m.values, [...outputIndex.slice(0, r - 2), key, outputIndex[r - 1]!]);
    for (const n of m.internal) this.fused.add(n);
    this.fused.add(p);
    const reads = [...this.reads.values()];
    const fused = [...this.fused];
    return {
      name, output, outputIndex, value: score, values: this.values, reads, fused,
      attention: { score, value, keys, columns: p.shape[r - 1]! },
      flops: fused.reduce((s, n) => s + nodeFlops(n), 0),
      bytesRead: reads.reduce((s, rr) => s + tensorBytes(rr.node), 0),
      bytesWritten: tensorBytes(p),
    };
  }

  /** The value of `node` at `index`: a load if it is materialized, else its computation. */
  private at(node: Node, index: readonly Index[]): Scalar {
    const ref = this.materialized(node);
    if (ref) {
      this.reads.set(ref.id, ref);
      return this.mk({ k: 'load', tensor: ref.id, index: flatten(index, node.shape), type: ref.type });
    }
    // The same node at the same index is one scalar: a reduction reached along two paths
    // (GELU's two uses of a matmul) is then one loop, not two with different loop variables.
    const memoKey = `${node.id}:${index.map(key).join(',')}`;
    const known = this.computed.get(memoKey);
    if (known) return known;
    const value = this.compute(node, index);
    this.computed.set(memoKey, value);
    return value;
  }

  /** Scalars already computed, by node id and index (see `at`). */
  private readonly computed = new Map<string, Scalar>();

  private loop(size: number): Loop {
    return { name: `r${this.nextLoop++}`, size };
  }

  private compute(node: Node, index: readonly Index[]): Scalar {
    this.fused.add(node);
    const op = node.op;
    const type = typeOf(node);
    const [x, y] = node.inputs;
    switch (op.kind) {
      case 'input':
      case 'param':
        throw new Error(`leaf ${op.name} must be materialized`);
      case 'const':
        return this.mk({ k: 'const', value: op.value, type });
      case 'iota':
        return this.mk({ k: 'index', index: index[op.axis]!, type });
      case 'unary':
        // stop_gradient only matters to autodiff: in a kernel it is its operand.
        if (op.fn === 'detach') return this.at(x!, index);
        return this.mk({ k: 'unary', fn: op.fn, a: this.at(x!, index), type });
      case 'binary':
        return this.mk({ k: 'binary', fn: op.fn, a: this.at(x!, index), b: this.at(y!, index), type });
      case 'where':
        return this.mk({ k: 'where', c: this.at(x!, index), a: this.at(y!, index), b: this.at(node.inputs[2]!, index), type });
      case 'cast':
        return this.mk({ k: 'cast', a: this.at(x!, index), type });
      case 'reshape':
        return this.at(x!, unflatten(flatten(index, node.shape), x!.shape));
      case 'permute': {
        const inIndex = new Array<Index>(op.perm.length);
        op.perm.forEach((p, i) => (inIndex[p] = index[i]!));
        return this.at(x!, inIndex);
      }
      case 'broadcast':
        return this.at(x!, index.map((ix, i) => (x!.shape[i] === 1 && node.shape[i] !== 1 ? idx.constant(0) : ix)));
      case 'slice':
        return this.at(x!, index.map((ix, i) => add(ix, idx.constant(op.starts[i]!))));
      case 'pad': {
        const inIndex = index.map((ix, i) => add(ix, idx.constant(-op.lo[i]!)));
        const bounds = inIndex.flatMap((ix, i) => (op.lo[i] === 0 && op.hi[i] === 0 ? [] : [{ index: ix, lo: 0, hi: x!.shape[i]! }]));
        return this.guard(bounds, this.at(x!, inIndex), type);
      }
      case 'roll': {
        const n = node.shape[op.axis]!;
        return this.at(x!, index.map((ix, i) => (i === op.axis ? mod(add(ix, idx.constant(n - op.shift)), n) : ix)));
      }
      case 'reduce': {
        const loop = this.loop(op.axes.reduce((s, a) => s * x!.shape[a]!, 1));
        const parts = unflatten(idx.variable(loop.name, loop.size), op.axes.map((a) => x!.shape[a]!));
        const inIndex = index.map((ix, i) => (op.axes.includes(i) ? parts[op.axes.indexOf(i)]! : ix));
        const body = this.at(x!, inIndex);
        if (op.fn === 'sum') {
          const merged = this.mergedContraction(loop, body);
          if (merged) return merged;
        }
        return this.mk({ k: 'reduce', fn: op.fn, loop, body, type });
      }
      case 'matmul': {
        const r = x!.shape.length;
        const loop = this.loop(x!.shape[r - 1]!);
        const kk = idx.variable(loop.name, loop.size);
        const b = this.at(y!, [...index.slice(0, r - 2), kk, index[r - 1]!]);
        const m = this.deferred.get(node);
        if (m) {
          // (E / rowsum(E)) @ V as (E @ V) / rowsum(E): E is read through the reshapes to the
          // softmax division, and the row sum divides the accumulated row once.
          let at: Index[] = [...index.slice(0, r - 2), index[r - 2]!, kk];
          for (let p = m.probs; p !== m.division; p = p.inputs[0]!) at = unflatten(flatten(at, p.shape), p.inputs[0]!.shape);
          const [e, rowSum] = m.division.inputs as [Node, Node];
          const sum = this.mk({ k: 'reduce', fn: 'sum', loop, body: this.mk({ k: 'binary', fn: 'mul', a: this.at(e, at), b, type }), type });
          return this.mk({ k: 'binary', fn: 'div', a: sum, b: this.at(rowSum, at), type });
        }
        const a = this.at(x!, [...index.slice(0, r - 2), index[r - 2]!, kk]);
        return this.mk({ k: 'reduce', fn: 'sum', loop, body: this.mk({ k: 'binary', fn: 'mul', a, b, type }), type });
      }
      case 'gather': {
        const table = x!;
        const ids = y!;
        const rank = ids.shape.length;
        const row = this.at(ids, index.slice(0, rank));
        const vid = this.nextId++;
        this.values.set(vid, row);
        const rowIndex = idx.value(vid, -(2 ** 31), 2 ** 31 - 1);
        // The load reads a row clamped into the table, and the guard gives 0 for ids outside
        // it: a guard selects after loading, and an unclamped id (up to 2^31 - 1) would read far
        // outside the buffer (a fault on CUDA; WGSL's robustness hides it, at some cost).
        const rows = table.shape[0]!;
        const cid = this.nextId++;
        const i32 = (value: number): Scalar => ({ k: 'const', value, type: 'i32' });
        const inside = this.mk({ k: 'binary', fn: 'min', a: this.mk({ k: 'binary', fn: 'max', a: row, b: i32(0), type: 'i32' }), b: i32(rows - 1), type: 'i32' });
        this.values.set(cid, inside);
        const load = this.at(table, [idx.value(cid, 0, rows - 1), ...index.slice(rank)]);
        return this.guard([{ index: rowIndex, lo: 0, hi: rows }], load, type);
      }
      case 'scatter_add': {
        const ids = x!;
        const upd = y!;
        const n = numel(ids.shape);
        const loop = this.loop(n);
        const at = unflatten(idx.variable(loop.name, loop.size), ids.shape);
        const target = this.at(ids, at);
        const hit = this.mk({ k: 'binary', fn: 'eq', a: target, b: this.mk({ k: 'index', index: index[0]!, type: 'i32' }), type: 'i32' });
        const value = this.at(upd, [...at, ...index.slice(1)]);
        // sum over positions of [ids == row] * update: a contraction of a one-hot matrix with the
        // updates, so a code generator register-tiles it like a matmul (FIBER-B's relative-
        // position bias gradient, 20736 positions into 529 rows: 220 ms untiled on lavapipe).
        // The interpreter defines scatter_add as exactly this contraction (IEEE: a non-finite
        // update reaches every row as 0 * inf), so the tiled form is not an approximation.
        const oneHot = this.mk({ k: 'cast', a: hit, type });
        return this.mk({ k: 'reduce', fn: 'sum', loop, body: this.mk({ k: 'binary', fn: 'mul', a: oneHot, b: value, type }), type });
      }
      case 'concat': {
        // A select chain on the index ranges, not a sum of guarded pieces: the sum's +0 from
        // the other pieces turns a -0 element into +0 (found by the fuzzer: 1/x changed sign).
        let offset = 0;
        let acc: Scalar | undefined;
        const at = this.mk({ k: 'index', index: index[op.axis]!, type: 'i32' });
        for (const part of node.inputs) {
          const size = part.shape[op.axis]!;
          const local = add(index[op.axis]!, idx.constant(-offset));
          const piece = this.guard([{ index: local, lo: 0, hi: size }], this.at(part, index.map((ix, i) => (i === op.axis ? local : ix))), type);
          const starts = this.mk({ k: 'binary', fn: 'ge', a: at, b: this.mk({ k: 'const', value: offset, type: 'i32' }), type: 'i32' });
          acc = acc ? this.mk({ k: 'where', c: starts, a: piece, b: acc, type }) : piece;
          offset += size;
        }
        return acc!;
      }
    }
  }

  /**
   * A sum over `outer` of a contraction (a sum of products) as one contraction over both loops,
   * `r = r_outer * n_inner + r_inner`: a weight gradient summed over the batch after each
   * example's own sum over positions (FiberTiny's patch-embedding gradient: 8 images x 256
   * patches) becomes one loop that a code generator can register-tile, where a contraction
   * nested in another reduction's loop cannot be. The terms are added in the same order; only
   * the per-example partial sums are gone. Not with data-dependent indices, whose values would
   * still name the old loop variables.
   */
  private mergedContraction(outer: Loop, body: Scalar): Scalar | undefined {
    if (body.k !== 'reduce' || body.fn !== 'sum' || body.body.k !== 'binary' || body.body.fn !== 'mul' || this.values.size > 0) return undefined;
    const inner = body.loop;
    const loop = this.loop(outer.size * inner.size);
    const r = idx.variable(loop.name, loop.size);
    const at = (i: Index): Index => substitute(substitute(i, outer.name, div(r, inner.size)), inner.name, mod(r, inner.size));
    // Rebuilt through mk, so the new nodes are hash-consed like every other.
    const terms = mapIndices(body.body, at, (x) => this.mk(x));
    return this.mk({ k: 'reduce', fn: 'sum', loop, body: terms, type: body.type });
  }

  /**
   * Drops bounds the index range already satisfies; a bound it can never satisfy makes the
   * value 0 outright (the load it guards would have a constant index outside the tensor,
   * which WGSL rejects when the shader is created).
   */
  private guard(bounds: readonly Bound[], a: Scalar, type: ScalarType): Scalar {
    if (bounds.some((b) => {
      const [lo, hi] = range(b.index);
      return hi < b.lo || lo >= b.hi;
    })) return this.mk({ k: 'const', value: 0, type });
    const needed = bounds.filter((b) => {
      const [lo, hi] = range(b.index);
      return lo < b.lo || hi >= b.hi;
    });
    if (needed.length === 0) return a;
    return this.mk({ k: 'guard', bounds: needed, a, type });
  }
}
