import { add, idx, key, scale, type Index } from './index-expr.js';
import type { Kernel, Scalar } from './kernel-ir.js';
import type { PlannedTensor } from './plan-types.js';
import { substituteVar } from './tile.js';

/**
 * Which values a kernel computes four at a time (the schedule's vec4 decisions, see
 * schedule.ts): four consecutive output elements of an element-wise kernel, four steps of a
 * reduction loop, four k steps of a matmul operand. The four copies of an expression differ
 * only in an index variable; every load in them either reads four consecutive elements
 * starting at a multiple of 4 (one vec4 load from a vec4 view of its binding) or the same
 * element (a splat). This file decides; codegen/wgsl/vectorize.ts renders.
 */

/** Values per vector. */
export const VECTOR_WIDTH = 4;

/** f32 binary ops with a four-wide form. */
export const VECTOR_BINARY_OPS: ReadonlySet<string> = new Set(['add', 'sub', 'mul', 'div', 'max', 'min']);
/** f32 unary ops with a four-wide form. */
export const VECTOR_UNARY_OPS: ReadonlySet<string> = new Set(['neg', 'exp', 'rsqrt', 'sqrt', 'abs', 'recip', 'sin', 'cos']);

/**
 * Most nodes a four-wide expression may have, counting a value used twice twice: the vector
 * form is written as one expression (the shader compiler merges repeats), so a deep DAG
 * could blow up; such a run stays scalar.
 */
const MAX_VECTOR_NODES = 96;

type Load = Extract<Scalar, { k: 'load' }>;

/** Where the planned tensors live, by id (a plan's `tensors`). */
export type TensorPlaces = ReadonlyMap<number, PlannedTensor>;

/** Per tensor: whether every varying run of it is aligned, so its binding is viewed as vec4. */
export type Alignment = ReadonlyMap<number, boolean>;

/**
 * The first load of `run` when the run is four loads of consecutive elements of one tensor
 * starting at a multiple of 4 (counting the tensor's arena offset) for every value of the
 * index variables: then it is one vec4 load.
 */
function alignedRun(places: TensorPlaces, run: readonly Scalar[]): Load | undefined {
  const first = run[0]!;
  if (run.length !== VECTOR_WIDTH || first.k !== 'load') return undefined;
  const t = places.get(first.tensor)!;
  // A split param is read through a function that picks its part: element by element.
  if (t.replicas > 1 || t.workgroup || t.split) return undefined;
  const consecutive = run.every((p, u) => p.k === 'load' && p.tensor === first.tensor && key(p.index) === key(add(first.index, idx.constant(u))));
  const offset = (t.arena?.offset ?? 0) + first.index.constant;
  return consecutive && offset % 4 === 0 && first.index.terms.every((term) => term.coef % 4 === 0) ? first : undefined;
}

/** Whether the loads of a run are one load (the same element at every step). */
export function invariantRun(run: readonly Scalar[]): boolean {
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
 * For every tensor the runs load with varying indices, whether all those loads are aligned
 * runs. A binding is one view for the whole shader, so this must see every run that is to be
 * vectorized in it.
 */
export function alignRuns(places: TensorPlaces, runs: readonly (readonly Scalar[])[]): Map<number, boolean> {
  const aligned = new Map<number, boolean>();
  for (const run of runs) {
    for (const loads of parallelLoads(run)) {
      if (invariantRun(loads)) continue;
      const tensor = (loads[0] as Load).tensor;
      aligned.set(tensor, (aligned.get(tensor) ?? true) && alignedRun(places, loads) !== undefined);
    }
  }
  return aligned;
}

/**
 * Whether the four copies of an expression have a four-wide form: every op is an f32 op with
 * one, every load that varies reads an aligned tensor, and the written-out expression stays
 * under MAX_VECTOR_NODES nodes.
 */
export function vectorizable(run: readonly Scalar[], aligned: Alignment): boolean {
  const sizes = new Map<Scalar, number>();
  const size = (s: Scalar): number => {
    let n = sizes.get(s);
    if (n === undefined) {
      n = 1 + (s.k === 'unary' ? size(s.a) : s.k === 'binary' ? size(s.a) + size(s.b) : 0);
      sizes.set(s, n);
    }
    return n;
  };
  const form = (xs: readonly Scalar[]): boolean => {
    const first = xs[0]!;
    switch (first.k) {
      case 'const': return true;
      case 'load': return invariantRun(xs) || aligned.get(first.tensor) === true;
      case 'binary': return first.type === 'f32' && VECTOR_BINARY_OPS.has(first.fn) && form(xs.map((x) => (x as typeof first).a)) && form(xs.map((x) => (x as typeof first).b));
      case 'unary': return first.type === 'f32' && VECTOR_UNARY_OPS.has(first.fn) && form(xs.map((x) => (x as typeof first).a));
      default: return false;
    }
  };
  return form(run) && size(run[0]!) <= MAX_VECTOR_NODES;
}

/** An element-wise kernel computed four output elements per invocation (see pointwiseVector). */
export interface PointwiseVector {
  /** The kernel's value at the four elements of one invocation (`q4` numbers the groups of four). */
  readonly run: readonly Scalar[];
  readonly aligned: Alignment;
}

/**
 * An element-wise kernel computed four output elements per invocation: the copies of its
 * value at four consecutive indices of the last axis, when the last axis splits into fours,
 * the output starts at a multiple of 4 and the whole value has a four-wide form. On lavapipe
 * a LayerNorm's normalization of 576 x 512 elements took 2.65 ms one element per invocation,
 * 0.90 ms four at a time.
 */
export function pointwiseVector(k: Kernel, places: TensorPlaces): PointwiseVector | undefined {
  const shape = k.output.node.shape;
  const r = shape.length;
  const out = places.get(k.output.id)!;
  if (r === 0 || shape[r - 1]! % VECTOR_WIDTH !== 0 || k.values.size > 0 || k.value.type !== 'f32') return undefined;
  if (out.workgroup || out.replicas > 1 || out.split || (out.arena?.offset ?? 0) % VECTOR_WIDTH !== 0) return undefined;
  const at = (u: number): Index => add(scale(idx.variable('q4', shape[r - 1]! / VECTOR_WIDTH), VECTOR_WIDTH), idx.constant(u));
  const run = [...Array(VECTOR_WIDTH).keys()].map((u) => substituteVar(k.value, `i${r - 1}`, at(u)));
  const aligned = alignRuns(places, [run]);
  return vectorizable(run, aligned) ? { run, aligned } : undefined;
}

/** A reduction computed four steps of its loop at a time (see vectorReductions). */
export interface VectorReduction {
  /** The vector loop's variable: step k of the reduction is 4 * it + u. */
  readonly loopVar: string;
  /** The body at the four steps of one iteration. */
  readonly run: readonly Scalar[];
  readonly aligned: Alignment;
}

/**
 * The f32 sum and max reductions of the kernels (the kernels of one shader) whose loop splits
 * into fours and whose body has a four-wide form over four consecutive steps: they accumulate
 * a vec4 and combine its lanes after the loop. `skip` is a contraction computed otherwise (a
 * register tile's). On lavapipe, FIBER-B window attention's row max and row sum over 144 keys:
 * see spec/compiler.md.
 */
export function vectorReductions(kernels: readonly Kernel[], places: TensorPlaces, skip?: Scalar): Map<Scalar, VectorReduction> {
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
  const dry = alignRuns(places, candidates.map((c) => c.run));
  const chosen = candidates.filter((c) => vectorizable(c.run, dry));
  const aligned = alignRuns(places, chosen.map((c) => c.run));
  return new Map(chosen.map((c) => [c.s, { loopVar: c.loopVar, run: c.run, aligned }]));
}
