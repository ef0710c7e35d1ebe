import type { BinaryFn, Node, UnaryFn } from '../ir/node.js';
import type { Index } from './index-expr.js';
import { numel } from '../ir/shape.js';

/**
 * The kernel IR: what one GPU kernel computes, target-independently. A kernel produces one
 * tensor; each output element is a scalar expression over loads from other tensors (with
 * index expressions, see index-expr.ts), constants, element-wise functions and reductions
 * (an explicit loop with an accumulator). Movement ops never appear: they are folded into
 * the indices of the loads.
 */

/** Scalar element types in kernels (f16 tensors are computed in f32 unless a schedule says otherwise). */
export type ScalarType = 'f32' | 'i32';

/** A loop of a reduction: its variable (an index atom) and trip count. */
export interface Loop {
  readonly name: string;
  readonly size: number;
}

/** A condition lo <= index < hi. */
export interface Bound {
  readonly index: Index;
  readonly lo: number;
  readonly hi: number;
}

export type Scalar =
  | { readonly k: 'load'; readonly tensor: number; readonly index: Index; readonly type: ScalarType }
  | { readonly k: 'const'; readonly value: number; readonly type: ScalarType }
  | { readonly k: 'index'; readonly index: Index; readonly type: ScalarType }
  | { readonly k: 'unary'; readonly fn: UnaryFn; readonly a: Scalar; readonly type: ScalarType }
  | { readonly k: 'binary'; readonly fn: BinaryFn; readonly a: Scalar; readonly b: Scalar; readonly type: ScalarType }
  | { readonly k: 'where'; readonly c: Scalar; readonly a: Scalar; readonly b: Scalar; readonly type: ScalarType }
  | { readonly k: 'cast'; readonly a: Scalar; readonly type: ScalarType }
  /** `a` where every bound holds, else 0 (pad, gather out of range, concat pieces). */
  | { readonly k: 'guard'; readonly bounds: readonly Bound[]; readonly a: Scalar; readonly type: ScalarType }
  | { readonly k: 'reduce'; readonly fn: 'sum' | 'max'; readonly loop: Loop; readonly body: Scalar; readonly type: ScalarType }
  /**
   * A value the code generator already holds under `name` (a register-tile accumulator); it
   * varies with the index variables `vars` (code using it is placed inside their loops).
   */
  | { readonly k: 'named'; readonly name: string; readonly type: ScalarType; readonly vars?: readonly string[] };

/** A tensor a kernel reads or writes, by the id the plan gave it. */
export interface TensorRef {
  readonly id: number;
  readonly node: Node;
  readonly type: ScalarType;
}

/**
 * The attention template (compile/attention.ts): per query row, online softmax over `keys` of
 * `score` (a scalar of the row's index variables and the key loop), accumulating `value` (a
 * scalar of the key loop and the last output variable) for every value column.
 */
export interface AttentionBody {
  readonly score: Scalar;
  readonly value: Scalar;
  readonly keys: Loop;
  /** Value columns (the output's last axis), each with its own accumulator. */
  readonly columns: number;
}

/** One kernel: computes `output` (row-major) element by element from `value`. */
export interface Kernel {
  readonly name: string;
  readonly output: TensorRef;
  /** The output element being computed: one index variable per output axis. */
  readonly outputIndex: readonly Index[];
  readonly value: Scalar;
  /** Set for attention kernels: then an invocation computes a whole output row. */
  readonly attention?: AttentionBody;
  /** Scalars referenced by data-dependent indices (gather), by id. */
  readonly values: ReadonlyMap<number, Scalar>;
  /** Tensors read, in binding order. */
  readonly reads: readonly TensorRef[];
  /** Graph nodes this kernel computes (its output node and everything inlined into it). */
  readonly fused: readonly Node[];
  readonly flops: number;
  readonly bytesRead: number;
  readonly bytesWritten: number;
}

/** Scalars a kernel evaluates (its value, data-dependent indices, the attention's value). */
export function kernelScalars(k: Kernel): Scalar[] {
  return [k.value, ...k.values.values(), ...(k.attention ? [k.attention.value] : [])];
}

/** Independent work items: output elements, or output rows for attention kernels. */
export function workItems(k: Kernel): number {
  const n = numel(k.output.node.shape);
  return k.attention ? n / k.attention.columns : n;
}
