import { leafName, type Graph } from '../ir/graph.js';
import { evaluate, interpret, type Rounding, type UnaryOverrides } from '../ir/interpret.js';
import type { Node } from '../ir/node.js';
import { rng } from '../ir/init.js';
import { HostTensor } from '../ir/tensor.js';

/**
 * What the fuzzer accepts from a backend. The interpreter's Float64 result is the definition;
 * an f32 backend cannot reproduce it bit for bit, so an element is accepted when it is close
 * to one of the permitted readings of the same program:
 *  - the exact (Float64) result;
 *  - the result with every value rounded to f32 after each op (overflow to ±Inf, underflow);
 *  - the same with f32 denormals flushed to zero (allowed in WGSL and PTX).
 * Close means: both NaN, or equal (infinities included), or finite and within `tolerance`
 * relative to the largest finite magnitude of the exact tensor (at least 1).
 * Elements whose exact value moves by more than that when the float inputs are perturbed by
 * one part in 10^6 (in either of two random perturbations), or when sin and cos past 100π
 * (where the spec leaves their value open) give +1 or -1 instead, are ill-conditioned (a
 * comparison at a near tie, a floor at a near integer, a max over sin(1e30)): any value is
 * accepted there, and they are counted.
 */
export interface Oracle {
  readonly exact: Map<string, HostTensor>;
  readonly f32: Map<string, HostTensor>;
  readonly f32ftz: Map<string, HostTensor>;
  /** Per output, the elements where the exact result is unstable under tiny perturbations. */
  readonly unstable: Map<string, Uint8Array>;
  /**
   * Whether any value of the program, inputs and intermediates included, is NaN or infinite
   * in the exact or the f32 reading. WGSL lets a shader compiler assume there are none (Mesa
   * folds x * 0.0 to 0), so backends without IEEE guarantees are not compared on such cases.
   */
  readonly nonFinite: boolean;
}

/** One element a backend got wrong. */
export interface Mismatch {
  readonly output: string;
  readonly index: number;
  readonly actual: number;
  readonly expected: number;
}

/** The references for a graph on feeds (seven interpreter runs). */
export function makeOracle(graph: Graph, feeds: ReadonlyMap<string, HostTensor>, tolerance: number): Oracle {
  const exact = interpret(graph, feeds);
  const f32 = interpret(graph, feeds, 'f32');
  const f32ftz = interpret(graph, feeds, 'f32-ftz');
  // Two independent perturbations: an ill-conditioned element (cos of 1e30) lands close to the
  // exact value by chance now and then in one, almost never in both.
  // sin and cos past 100π may be any value in [-1, 1] (spec/ir.md): an element that moves when
  // those are pinned to +1 or to -1 depends on them (a max over sin(1e30) and sin(0.5) does).
  const perturbed = [
    interpret(graph, perturb(feeds, 12345)), interpret(graph, perturb(feeds, 54321)),
    interpret(graph, feeds, 'exact', openTrig(1)), interpret(graph, feeds, 'exact', openTrig(-1)),
  ];
  const unstable = new Map<string, Uint8Array>();
  for (const [name, e] of exact) {
    const scale = finiteScale(e);
    // Both past the f32 range with one sign: both overflow alike, not an instability.
    const stable = (q: number, v: number): boolean => close(q, v, tolerance * scale) || (Math.abs(q) > F32_MAX && Math.abs(v) > F32_MAX && q * v > 0);
    unstable.set(name, Uint8Array.from(e.data, (v, i) => (perturbed.every((p) => stable(p.get(name)!.data[i]!, v)) ? 0 : 1)));
  }
  return { exact, f32, f32ftz, unstable, nonFinite: anyNonFinite(graph, feeds, 'exact') || anyNonFinite(graph, feeds, 'f32') };
}

function anyNonFinite(graph: Graph, feeds: ReadonlyMap<string, HostTensor>, rounding: Rounding): boolean {
  const leaf = (node: Node): HostTensor => feeds.get(leafName(node))!;
  for (const t of evaluate(graph.nodes, leaf, rounding).values()) if (t.data.some((v) => !Number.isFinite(v))) return true;
  return false;
}

/** Compares a backend's outputs with the oracle; returns the first few mismatches. */
export function mismatches(oracle: Oracle, actual: ReadonlyMap<string, HostTensor>, tolerance: number, limit = 5): Mismatch[] {
  const found: Mismatch[] = [];
  for (const [name, e] of oracle.exact) {
    const a = actual.get(name);
    if (!a || a.shape.join() !== e.shape.join()) {
      found.push({ output: name, index: -1, actual: NaN, expected: NaN });
      continue;
    }
    const slack = tolerance * finiteScale(e);
    const readings = [e, oracle.f32.get(name)!, oracle.f32ftz.get(name)!];
    const unstable = oracle.unstable.get(name)!;
    for (let i = 0; i < e.data.length && found.length < limit; i++) {
      const v = a.data[i]!;
      if (unstable[i] || readings.some((r) => close(v, r.data[i]!, slack))) continue;
      found.push({ output: name, index: i, actual: v, expected: e.data[i]! });
    }
  }
  return found;
}

/** Number of elements of all outputs the oracle marks unstable. */
export function unstableCount(oracle: Oracle): number {
  let n = 0;
  for (const u of oracle.unstable.values()) for (const f of u) n += f;
  return n;
}

function close(actual: number, expected: number, slack: number): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (actual === expected) return true;
  return Number.isFinite(actual) && Number.isFinite(expected) && Math.abs(actual - expected) <= slack;
}

/** Largest |x| of a tensor that f32 can hold (larger ones overflow in the f32 reading), at least 1. */
const F32_MAX = 3.4028234663852886e38;
function finiteScale(t: HostTensor): number {
  let m = 1;
  for (const v of t.data) if (Math.abs(v) <= F32_MAX) m = Math.max(m, Math.abs(v));
  return m;
}

/** Beyond this |x|, devices may give any value in [-1, 1] for sin x and cos x (PTX's sin.approx range). */
const TRIG_ACCURATE_RANGE = 100 * Math.PI;

/** sin and cos with the open values (arguments past TRIG_ACCURATE_RANGE) pinned to `value`. */
function openTrig(value: number): UnaryOverrides {
  const open = (f: (x: number) => number) => (x: number): number => (Math.abs(x) > TRIG_ACCURATE_RANGE ? value : f(x));
  return { sin: open(Math.sin), cos: open(Math.cos) };
}

/** The feeds with every float element scaled by 1 + 1e-6 * noise (ids untouched). */
function perturb(feeds: ReadonlyMap<string, HostTensor>, seed: number): Map<string, HostTensor> {
  const random = rng(seed);
  const out = new Map<string, HostTensor>();
  for (const [name, t] of feeds) {
    out.set(name, t.dtype === 'i32' ? t : new HostTensor(t.shape, t.dtype, t.data.map((v) => v * (1 + 1e-6 * (2 * random() - 1)))));
  }
  return out;
}
