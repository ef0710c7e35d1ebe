import type { Scalar } from '../../compile/kernel-ir.js';
import type { Index } from '../../compile/index-expr.js';
import { invariantRun, vectorizable, VECTOR_BINARY_OPS, VECTOR_UNARY_OPS, VECTOR_WIDTH, type Alignment } from '../../compile/vector-choice.js';
import { literal, type ShaderResources } from './resources.js';

/**
 * Four values of one scalar expression as a WGSL vec4 — the four k steps of a matmul operand
 * (codegen/wgsl/tiled.ts), four consecutive output elements of an element-wise kernel or four
 * steps of a reduction (emit.ts). Which runs are computed so is the schedule's decision
 * (compile/vector-choice.ts); this file writes them.
 */

export { VECTOR_WIDTH } from '../../compile/vector-choice.js';

/** What rendering a vector expression needs from the kernel's statement builder. */
export interface VectorContext {
  readonly res: ShaderResources;
  /** Per tensor: whether every varying run of it is aligned (see compile/vector-choice.ts, alignRuns). */
  readonly aligned: Alignment;
  /** Emits a scalar's code and returns the WGSL name of its value. */
  readonly scalar: (s: Scalar) => string;
  /** A vector index (element index / 4) as WGSL. */
  readonly index: (quarter: Index) => string;
}

/** Declares the bindings of the aligned tensors as arrays of vec4 (before any access is rendered). */
export function declareVectors(res: ShaderResources, aligned: Alignment): void {
  for (const [tensor, ok] of aligned) if (ok) res.vectorize(res.bindingOf(tensor));
}

/** WGSL forms of the f32 binary ops with a four-wide form: operators (one character) or helpers. */
const VECTOR_ARITHMETIC: Readonly<Record<string, string>> = { add: '+', sub: '-', mul: '*', div: '/', max: 'fib_max4', min: 'fib_min4' };
/** WGSL forms of the f32 unary ops with a four-wide form, `$` standing for the operand. */
const VECTOR_UNARY: Readonly<Record<string, string>> = { neg: '-($)', exp: 'exp($)', rsqrt: 'inverseSqrt($)', sqrt: 'sqrt($)', abs: 'abs($)', recip: '(1.0 / $)', sin: 'sin($)', cos: 'cos($)' };
for (const op of VECTOR_BINARY_OPS) if (!VECTOR_ARITHMETIC[op]) throw new Error(`internal: no WGSL vector form for '${op}'`);
for (const op of VECTOR_UNARY_OPS) if (!VECTOR_UNARY[op]) throw new Error(`internal: no WGSL vector form for '${op}'`);

/**
 * The four copies of an expression as one vec4 expression, or undefined when they have no
 * four-wide form (compile/vector-choice.ts, vectorizable).
 */
export function vectorOf(ctx: VectorContext, run: readonly Scalar[]): string | undefined {
  if (!vectorizable(run, ctx.aligned)) return undefined;
  const v = vectorExpr(ctx, run)!;
  // Scalars (constants, ops on constants) mix into vector arithmetic; alone, splat them.
  return v.vector ? v.code : `vec${VECTOR_WIDTH}<${run[0]!.type}>(${v.code})`;
}

/** A rendered expression and whether it is a vector (else a scalar, the same in every copy). */
interface Rendered {
  readonly code: string;
  readonly vector: boolean;
}

function vectorExpr(ctx: VectorContext, run: readonly Scalar[]): Rendered | undefined {
  const first = run[0]!;
  const vecType = `vec${VECTOR_WIDTH}<${first.type}>`;
  switch (first.k) {
    case 'const': return { code: literal(first.value, first.type), vector: false };
    case 'load': {
      if (invariantRun(run)) return { code: ctx.scalar(first), vector: false };
      if (!ctx.aligned.get(first.tensor)) return undefined;
      // The vec4 index is the element index / 4, written term by term (every coefficient is a
      // multiple of 4) so that a part not depending on the varying variable stays recognizable.
      const quarter: Index = { constant: first.index.constant / 4, terms: first.index.terms.map((term) => ({ ...term, coef: term.coef / 4 })) };
      return { code: ctx.res.vector(ctx.res.location(first.tensor).name, `${ctx.res.vectorBase(first.tensor)}${ctx.index(quarter)}`), vector: true };
    }
    case 'binary': {
      const op = first.type === 'f32' ? VECTOR_ARITHMETIC[first.fn] : undefined;
      if (!op) return undefined;
      const a = vectorExpr(ctx, run.map((x) => (x as typeof first).a));
      const b = a === undefined ? undefined : vectorExpr(ctx, run.map((x) => (x as typeof first).b));
      if (a === undefined || b === undefined) return undefined;
      const vector = a.vector || b.vector;
      // max/min: the NaN-propagating helpers (fib_max4 on vectors, fib_max on scalars).
      const fn = vector ? op : op.replace(/4$/, '');
      if (op.length > 1) ctx.res.helpers.add(fn);
      const code = op.length === 1 ? `(${a.code} ${op} ${b.code})` : vector ? `${fn}(${vecType}(${a.code}), ${vecType}(${b.code}))` : `${fn}(${a.code}, ${b.code})`;
      return { code, vector };
    }
    case 'unary': {
      const fn = first.type === 'f32' ? VECTOR_UNARY[first.fn] : undefined;
      const a = fn ? vectorExpr(ctx, run.map((x) => (x as typeof first).a)) : undefined;
      return a === undefined ? undefined : { code: fn!.replace('$', a.code), vector: a.vector };
    }
    default: return undefined;
  }
}
