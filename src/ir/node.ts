import type { DType } from './dtype.js';
import type { Shape } from './shape.js';

/**
 * Element-wise functions of one operand. `detach` is the identity whose gradient is zero
 * (the language's `stop_gradient`): lowering replaces it by its operand, so no backend sees it.
 */
export type UnaryFn =
  | 'neg' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'tanh' | 'erf' | 'abs' | 'recip' | 'floor' | 'sigmoid' | 'sin' | 'cos' | 'detach';

/** Element-wise functions of two operands of the same shape and dtype. */
export type BinaryFn =
  | 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'pow' | 'mod'
  | 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne';

/** Comparison functions: they yield 1 or 0 in the operands' dtype and carry no gradient. */
export const COMPARISONS: ReadonlySet<BinaryFn> = new Set(['lt', 'le', 'gt', 'ge', 'eq', 'ne']);

/** Reductions; the IR always keeps reduced axes as size 1 (the DSL may squeeze them). */
export type ReduceFn = 'sum' | 'max';

/** How a parameter is initialised when no checkpoint supplies it. */
export type Init =
  | { readonly kind: 'normal'; readonly std: number; readonly mean: number }
  | { readonly kind: 'constant'; readonly value: number };

/** Where a node came from in .fib source. */
export interface SourceLoc {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/**
 * One primitive operation. The set is small on purpose: every op here has an interpreter
 * rule (interpret.ts), a gradient rule (grad.ts) and, later, a lowering per target.
 */
export type Op =
  | { readonly kind: 'input'; readonly name: string }
  | { readonly kind: 'param'; readonly name: string; readonly init: Init }
  /** A scalar constant broadcast to the node's shape. */
  | { readonly kind: 'const'; readonly value: number }
  /** The index along `axis`, broadcast to the node's shape. */
  | { readonly kind: 'iota'; readonly axis: number }
  | { readonly kind: 'unary'; readonly fn: UnaryFn }
  | { readonly kind: 'binary'; readonly fn: BinaryFn }
  /** select(cond != 0, a, b); all three operands have the node's shape. */
  | { readonly kind: 'where' }
  | { readonly kind: 'reduce'; readonly fn: ReduceFn; readonly axes: readonly number[] }
  /** Batched matrix product [..., M, K] x [..., K, N] with identical batch dims. */
  | { readonly kind: 'matmul' }
  | { readonly kind: 'reshape' }
  | { readonly kind: 'permute'; readonly perm: readonly number[] }
  /** Same rank; axes of size 1 are repeated up to the node's shape. */
  | { readonly kind: 'broadcast' }
  | { readonly kind: 'slice'; readonly starts: readonly number[] }
  /** Zero padding: `lo[i]` before and `hi[i]` after axis i. */
  | { readonly kind: 'pad'; readonly lo: readonly number[]; readonly hi: readonly number[] }
  /** Cyclic shift: out[i] = in[(i - shift) mod n] along axis (torch.roll semantics). */
  | { readonly kind: 'roll'; readonly shift: number; readonly axis: number }
  /** Rows of a table: gather(table [V, ...R], idx [...I]) -> [...I, ...R]. */
  | { readonly kind: 'gather' }
  /** Inverse of gather: scatter_add(idx [...I], upd [...I, ...R]) -> [rows, ...R]. */
  | { readonly kind: 'scatter_add'; readonly rows: number }
  | { readonly kind: 'concat'; readonly axis: number }
  | { readonly kind: 'cast' };

/** The kinds of op, for tables keyed by op. */
export type OpKind = Op['kind'];

let nextNodeId = 0;

/**
 * An immutable node of the graph IR. Shapes are concrete: symbolic dims of the source are
 * bound before a graph is built (see dsl/elaborate). `scope` is the dotted path of the module
 * instance that produced the node (for schedules and for `fiberc ir`), `module` its module name.
 */
export class Node {
  readonly id: number;
  constructor(
    readonly op: Op,
    readonly inputs: readonly Node[],
    readonly shape: Shape,
    readonly dtype: DType,
    readonly scope: string = '',
    readonly module: string = '',
    readonly loc?: SourceLoc,
  ) {
    this.id = nextNodeId++;
    Object.freeze(this);
  }
}
