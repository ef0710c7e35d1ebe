import { add, idx, key, scale, type Index } from '../../compile/index-expr.js';
import type { Kernel, Scalar } from '../../compile/kernel-ir.js';
import { substituteVar } from '../../compile/tile.js';
import { literal, type ShaderResources } from './resources.js';

/**
 * Computing four values of one scalar expression as a WGSL vec4 — the four k steps of a
 * matmul operand (codegen/wgsl/tiled.ts) or four consecutive output elements of an
 * element-wise kernel (emit.ts). The four copies of the expression differ only in an index
 * variable; every load in them either reads four consecutive elements starting at a multiple
 * of 4 (one vec4 load from a vec4 view of its binding) or the same element (a splat).
 */

/** Values per vector. */
export const VECTOR_WIDTH = 4;

type Load = Extract<Scalar, { k: 'load' }>;

/** What rendering a vector expression needs from the kernel's statement builder. */
export interface VectorContext {
  readonly res: ShaderResources;
  /** Per tensor: whether every varying run of it is aligned (see alignRuns). */
  readonly aligned: ReadonlyMap<number, boolean>;
  /** Emits a scalar's code and returns the WGSL name of its value. */
  readonly scalar: (s: Scalar) => string;
  /** A vector index (element index / 4) as WGSL. */
  readonly index: (quarter: Index) => string;
}

/**
 * The first load of `run` when the run is four loads of consecutive elements of one tensor
 * starting at a multiple of 4 (counting the tensor's arena offset) for every value of the
 * index variables: then it is one vec4 load.
 */
function alignedRun(res: ShaderResources, run: readonly Scalar[]): Load | undefined {
  const first = run[0]!;
  if (run.length !== VECTOR_WIDTH || first.k !== 'load') return undefined;
  const t = res.planned(first.tensor);
  // A split param is read through a function that picks its part: element by element.
  if (t.replicas > 1 || t.workgroup || t.split) return undefined;
  const consecutive = run.every((p, u) => p.k === 'load' && p.tensor === first.tensor && key(p.index) === key(add(first.index, idx.constant(u))));
  const offset = (t.arena?.offset ?? 0) + first.index.constant;
  return consecutive && offset % 4 === 0 && first.index.terms.every((term) => term.coef % 4 === 0) ? first : undefined;
}

/** Whether the loads of a run are one load (the same element at every step). */
function invariant(run: readonly Scalar[]): boolean {
  const first = run[0] as Load;
  return run.every((x) => x.k === 'load' && x.tensor === first.tensor && key(x.index) === key(first.index));
}

/**
 * The loads of an expression across its copies: the copies are one scalar DAG with different
 * indices, walked side by side; each result holds one load's copy from every copy.
 */
function parallelLoads(run: readonly Scalar[]): Scalar[][] {
  const out: Scalar[][] = [];
  const seen = new Set<Scalar>();
  const walk = (xs: readonly Scalar[]): void => {
    const x = xs[0]!;
    if (seen.has(x)) return;
    seen.add(x);
    switch (x.k) {
      case 'load': out.push([...xs]); break;
      case 'unary': case 'cast': case 'guard': walk(xs.map((y) => (y as typeof x).a)); break;
      case 'binary': walk(xs.map((y) => (y as typeof x).a)); walk(xs.map((y) => (y as typeof x).b)); break;
      case 'where': walk(xs.map((y) => (y as typeof x).c)); walk(xs.map((y) => (y as typeof x).a)); walk(xs.map((y) => (y as typeof x).b)); break;
      default: break;
    }
  };
  walk(run);
  return out;
}

/**
 * Decides, for every tensor the runs load with varying indices, whether all those loads are
 * aligned runs, and (unless `declare` is false) declares the bindings of those tensors as vec4
 * arrays. Must see every run of the shader before any access to a binding is rendered.
 */
export function alignRuns(res: ShaderResources, runs: readonly (readonly Scalar[])[], declare = true): Map<number, boolean> {
  const aligned = new Map<number, boolean>();
  for (const run of runs) {
    for (const loads of parallelLoads(run)) {
      if (invariant(loads)) continue;
      const tensor = (loads[0] as Load).tensor;
      aligned.set(tensor, (aligned.get(tensor) ?? true) && alignedRun(res, loads) !== undefined);
    }
  }
  if (declare) for (const [tensor, ok] of aligned) if (ok) res.vectorize(res.location(tensor).name);
  return aligned;
}

/** f32 binary ops computed on whole vectors: WGSL operators (one character) or built-ins. */
const VECTOR_ARITHMETIC: Readonly<Record<string, string>> = { add: '+', sub: '-', mul: '*', div: '/', max: 'fib_max4', min: 'fib_min4' };
/** f32 unary ops computed on whole vectors, `$` standing for the operand. */
const VECTOR_UNARY: Readonly<Record<string, string>> = { neg: '-($)', exp: 'exp($)', rsqrt: 'inverseSqrt($)', sqrt: 'sqrt($)', abs: 'abs($)', recip: '(1.0 / $)', sin: 'sin($)', cos: 'cos($)' };

/**
 * The four copies of an expression as one vec4 expression, or undefined when some load that
 * varies is not an aligned run of a vectorized binding or some op has no vector form.
 */
export function vectorOf(ctx: VectorContext, run: readonly Scalar[]): string | undefined {
  const v = vectorExpr(ctx, run);
  // The vector form is written as one expression: a value used twice is written twice (the
  // shader compiler merges them), so a deep DAG could blow up; such a run stays scalar.
  if (v && v.code.length > MAX_EXPRESSION_LENGTH) return undefined;
  // Scalars (constants, ops on constants) mix into vector arithmetic; alone, splat them.
  return v === undefined ? undefined : v.vector ? v.code : `vec${VECTOR_WIDTH}<${run[0]!.type}>(${v.code})`;
}

/** Longest vector expression written (characters). */
const MAX_EXPRESSION_LENGTH = 2000;

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
      if (invariant(run)) return { code: ctx.scalar(first), vector: false };
      if (!ctx.aligned.get(first.tensor)) return undefined;
      // The vec4 index is the element index / 4, written term by term (every coefficient is a
      // multiple of 4) so that a part not depending on the varying variable stays recognizable.
      const t = ctx.res.planned(first.tensor);
      const offset = (t.arena?.offset ?? 0) + first.index.constant;
      const quarter: Index = { constant: offset / 4, terms: first.index.terms.map((term) => ({ ...term, coef: term.coef / 4 })) };
      return { code: ctx.res.vector(ctx.res.location(first.tensor).name, ctx.index(quarter)), vector: true };
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

/**
 * An element-wise kernel computed four output elements per invocation: the copies of its
 * value at four consecutive indices of the last axis (`q4` numbering the groups of four),
 * when the last axis splits into fours, the output starts at a multiple of 4 and the whole
 * value has a vector form (vectorOf). Declares the bindings it vectorizes. On lavapipe a
 * LayerNorm's normalization of 576 x 512 elements took 2.65 ms one element per invocation,
 * 0.90 ms four at a time.
 */
export function pointwiseVector(k: Kernel, res: ShaderResources): { run: Scalar[]; aligned: Map<number, boolean> } | undefined {
  const shape = k.output.node.shape;
  const r = shape.length;
  const out = res.planned(k.output.id);
  if (r === 0 || shape[r - 1]! % VECTOR_WIDTH !== 0 || k.values.size > 0 || k.value.type !== 'f32') return undefined;
  if (out.workgroup || out.replicas > 1 || (out.arena?.offset ?? 0) % VECTOR_WIDTH !== 0) return undefined;
  const at = (u: number): Index => add(scale(idx.variable('q4', shape[r - 1]! / VECTOR_WIDTH), VECTOR_WIDTH), idx.constant(u));
  const run = [...Array(VECTOR_WIDTH).keys()].map((u) => substituteVar(k.value, `i${r - 1}`, at(u)));
  const dry = alignRuns(res, [run], false);
  if (vectorOf({ res, aligned: dry, scalar: () => 'x', index: () => '0' }, run) === undefined) return undefined;
  res.vectorize(res.location(k.output.id, true).name);
  return { run, aligned: alignRuns(res, [run]) };
}

/** A reduction computed four steps of its loop at a time (see vectorReductions). */
export interface VectorReduction {
  /** The vector loop's variable: step k of the reduction is 4 * it + u. */
  readonly loopVar: string;
  /** The body at the four steps of one iteration. */
  readonly run: readonly Scalar[];
  readonly aligned: ReadonlyMap<number, boolean>;
}

/**
 * The f32 sum and max reductions of the kernels (the kernels of one shader) whose loop splits
 * into fours and whose body has a vector form over four consecutive steps: they accumulate a
 * vec4 and combine its lanes after the loop. Declares the bindings they vectorize; `skip` is a
 * contraction rendered otherwise (a register tile's). On lavapipe, FIBER-B window attention's
 * row max and row sum over 144 keys: see spec/compiler.md.
 */
export function vectorReductions(kernels: readonly Kernel[], res: ShaderResources, skip?: Scalar): Map<Scalar, VectorReduction> {
  const candidates: { s: Extract<Scalar, { k: 'reduce' }>; loopVar: string; run: Scalar[] }[] = [];
  const seen = new Set<Scalar>();
  const walk = (s: Scalar): void => {
    if (seen.has(s)) return;
    seen.add(s);
    switch (s.k) {
      case 'unary': case 'cast': case 'guard': walk(s.a); break;
      case 'binary': walk(s.a); walk(s.b); break;
      case 'where': walk(s.c); walk(s.a); walk(s.b); break;
      case 'reduce': {
        walk(s.body);
        if (s === skip || s.type !== 'f32' || s.loop.size % VECTOR_WIDTH !== 0 || s.loop.size < 2 * VECTOR_WIDTH) break;
        const loopVar = `${s.loop.name}_v`;
        const at = (u: number): Index => add(scale(idx.variable(loopVar, s.loop.size / VECTOR_WIDTH), VECTOR_WIDTH), idx.constant(u));
        candidates.push({ s, loopVar, run: [...Array(VECTOR_WIDTH).keys()].map((u) => substituteVar(s.body, s.loop.name, at(u))) });
        break;
      }
      default: break;
    }
  };
  for (const k of kernels) if (k.values.size === 0 && !k.attention) walk(k.value);
  // Alignment is decided over every candidate at once: a binding is one view for the whole shader.
  const dry = alignRuns(res, candidates.map((c) => c.run), false);
  const chosen = candidates.filter((c) => vectorOf({ res, aligned: dry, scalar: () => 'x', index: () => '0' }, c.run) !== undefined);
  const aligned = alignRuns(res, chosen.map((c) => c.run));
  return new Map(chosen.map((c) => [c.s, { loopVar: c.loopVar, run: c.run, aligned }]));
}
