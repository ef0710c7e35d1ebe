import { mentions, substitute, type Index } from './index-expr.js';
import type { Kernel, Scalar } from './kernel-ir.js';

/**
 * Register tiling of matmul kernels. A kernel whose value contains a contraction
 * `sum_k a(m, k) * b(k, n)` over its last two output axes computes a TM x TN tile of outputs
 * per invocation: per k it loads TM values of `a` and TN of `b` instead of TM*TN of each, which
 * is what makes matmuls fast on lavapipe (measured: register tiles
 * ~8 GFLOP/s vs ~1.5 for one output per invocation).
 */
export interface MatmulTile {
  /** The contraction in the kernel's value. */
  readonly reduce: Extract<Scalar, { k: 'reduce' }>;
  readonly a: Scalar;
  readonly b: Scalar;
  /**
   * Output index variables of the tiled axes (rows m, columns n), the output axes they index
   * and the tile shape. Rows are the output's second-to-last axis and columns its last, unless
   * the tile is transposed (see findMatmulTile).
   */
  readonly mVar: string;
  readonly nVar: string;
  readonly mAxis: number;
  readonly nAxis: number;
  readonly tm: number;
  readonly tn: number;
}

/**
 * Default register tile (rows x columns of outputs per invocation) where rows are not shared
 * across a subgroup. Measured on lavapipe: 1024^3 matmul 15.1 GFLOP/s at 4x4, 20.5 at 8x4,
 * 21.8 at 8x8 (8x8 also compiles 2.5x slower). With a fixed subgroup size the WGSL emitter
 * picks subgroup-shared tiles by a cost model (codegen/wgsl/tiled.ts, chooseTile). A schedule's
 * `tile = [rows, cols]` overrides both per module.
 */
export const DEFAULT_TILE: readonly number[] = [8, 4];

/** A copy of `s` with each child replaced by `go(child)`. */
function withChildren(s: Scalar, go: (x: Scalar) => Scalar): Scalar {
  switch (s.k) {
    case 'unary': case 'cast': return { ...s, a: go(s.a) };
    case 'binary': return { ...s, a: go(s.a), b: go(s.b) };
    case 'where': return { ...s, c: go(s.c), a: go(s.a), b: go(s.b) };
    case 'guard': return { ...s, a: go(s.a) };
    case 'reduce': return { ...s, body: go(s.body) };
    default: return s;
  }
}

/** Rebuilds a scalar DAG bottom-up through `f` (which sees already-rebuilt children). */
export function mapScalar(root: Scalar, f: (s: Scalar) => Scalar): Scalar {
  const memo = new Map<Scalar, Scalar>();
  const go = (s: Scalar): Scalar => {
    const hit = memo.get(s);
    if (hit) return hit;
    const out = f(withChildren(s, go));
    memo.set(s, out);
    return out;
  };
  return go(root);
}

/** The scalar with index variable `name` replaced by `by` everywhere. */
export function substituteVar(root: Scalar, name: string, by: Index): Scalar {
  return mapIndices(root, (i) => substitute(i, name, by));
}

/**
 * The scalar with every index expression (loads, iotas, guards' bounds) rewritten by `at`;
 * `make` sees each rebuilt node (a lowering passes its hash-consing constructor).
 */
export function mapIndices(root: Scalar, at: (i: Index) => Index, make: (s: Scalar) => Scalar = (s) => s): Scalar {
  return mapScalar(root, (s) => {
    switch (s.k) {
      case 'load': case 'index': return make({ ...s, index: at(s.index) });
      case 'guard': return make({ ...s, bounds: s.bounds.map((b) => ({ ...b, index: at(b.index) })) });
      default: return make(s);
    }
  });
}

/** The scalar with node `target` replaced by `by`. */
export function replaceScalar(root: Scalar, target: Scalar, by: Scalar): Scalar {
  const memo = new Map<Scalar, Scalar>();
  const go = (s: Scalar): Scalar => {
    if (s === target) return by;
    const hit = memo.get(s);
    if (hit) return hit;
    const out = withChildren(s, go);
    memo.set(s, out);
    return out;
  };
  return go(root);
}

/** Visits every node of a scalar DAG once (the original nodes, unlike mapScalar). */
function visit(root: Scalar, f: (s: Scalar) => void): void {
  const seen = new Set<Scalar>();
  const go = (s: Scalar): void => {
    if (seen.has(s)) return;
    seen.add(s);
    f(s);
    switch (s.k) {
      case 'unary': case 'cast': case 'guard': go(s.a); break;
      case 'binary': go(s.a); go(s.b); break;
      case 'where': go(s.c); go(s.a); go(s.b); break;
      case 'reduce': go(s.body); break;
      default: break;
    }
  };
  go(root);
}

/** Whether every index variable in `s` is one of `allowed`. */
function onlyVars(s: Scalar, allowed: ReadonlySet<string>): boolean {
  let ok = true;
  const check = (i: Index): void => {
    for (const t of i.terms) {
      if (t.atom.k === 'var' && !allowed.has(t.atom.name)) ok = false;
      if (t.atom.k === 'div' || t.atom.k === 'mod') check(t.atom.of);
    }
  };
  visit(s, (x) => {
    if (x.k === 'load' || x.k === 'index') check(x.index);
    if (x.k === 'guard') x.bounds.forEach((b) => check(b.index));
  });
  return ok;
}

function dependsOn(s: Scalar, name: string): boolean {
  let found = false;
  visit(s, (x) => {
    if ((x.k === 'load' || x.k === 'index') && mentions(x.index, name)) found = true;
    if (x.k === 'guard' && x.bounds.some((b) => mentions(b.index, name))) found = true;
  });
  return found;
}

/**
 * The register tile for a kernel, when its value has a suitable contraction (else undefined).
 * `transposed` makes the tile's rows run along the output's last axis and its columns along
 * the second-to-last (a 40-token by 3072-feature output tiled as 3072 rows of 40 columns).
 */
export function findMatmulTile(k: Kernel, [rows, cols]: readonly number[] = DEFAULT_TILE, transposed = false): MatmulTile | undefined {
  const shape = k.output.node.shape;
  const r = shape.length;
  if (r < 2 || k.values.size > 0 || shape[r - 2]! < 2 || shape[r - 1]! < 2) return undefined;
  const [mAxis, nAxis] = transposed ? [r - 1, r - 2] : [r - 2, r - 1];
  const mVar = `i${mAxis}`;
  const nVar = `i${nAxis}`;
  let found: MatmulTile | undefined;
  visit(k.value, (s) => {
    if (found || s.k !== 'reduce' || s.fn !== 'sum' || s.body.k !== 'binary' || s.body.fn !== 'mul') return;
    // Only a contraction at the top level: one nested in another reduction's loop cannot be tiled.
    if (!onlyVars(s, new Set([s.loop.name, ...shape.map((_, i) => `i${i}`)]))) return;
    const { a, b } = s.body;
    const fits = (x: Scalar, y: Scalar): boolean => dependsOn(x, mVar) && !dependsOn(x, nVar) && dependsOn(y, nVar) && !dependsOn(y, mVar);
    const tm = Math.min(rows, shape[mAxis]!);
    const tn = Math.min(cols, shape[nAxis]!);
    if (fits(a, b)) found = { reduce: s, a, b, mVar, nVar, mAxis, nAxis, tm, tn };
    else if (fits(b, a)) found = { reduce: s, a: b, b: a, mVar, nVar, mAxis, nAxis, tm, tn };
  });
  return found;
}
