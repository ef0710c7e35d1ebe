import fc from 'fast-check';
import { gradGraph } from '../ir/grad.js';
import type { Graph } from '../ir/graph.js';
import { printGraph } from '../ir/print.js';
import { HostTensor } from '../ir/tensor.js';
import type { Device } from '../runtime/device.js';
import { makeOracle, mismatches, unstableCount, type Mismatch } from './oracle.js';
import { buildFuzzGraph, type FuzzCase, type FuzzDims } from './program.js';
import { fuzzFeeds, PROFILES, profileTensor } from './values.js';

/**
 * The differential fuzzer: random programs (program.ts) on edge-valued inputs (values.ts),
 * forward and backward, run on every backend and compared element by element with the
 * interpreter (oracle.ts). A failure is shrunk by fast-check to a minimal program.
 */

/** A backend under test. */
export interface FuzzBackend {
  readonly name: string;
  readonly device: Device;
  /**
   * Whether the backend keeps IEEE semantics for NaN and infinities (PTX does; WGSL lets the
   * shader compiler assume they never occur). A backend without them is compared only on
   * cases whose values all stay finite.
   */
  readonly ieee: boolean;
}

/** What one case did on one backend, when it went wrong. */
export interface FuzzFailure {
  readonly backend: string;
  /** The backend threw (a compile error, a crash) instead of answering. */
  readonly error?: string;
  readonly mismatches: readonly Mismatch[];
}

/** Running totals, for the report. */
export interface FuzzCounts {
  programs: number;
  backendRuns: number;
  /** Output elements compared, forward outputs and gradients together. */
  elements: number;
  gradientElements: number;
  unstable: number;
  emptyPrograms: number;
  /** Backend runs not compared: the case met NaN or inf and the backend has no IEEE guarantee. */
  nonFiniteSkipped: number;
}

/** Zeroed counts. */
export function newCounts(): FuzzCounts {
  return { programs: 0, backendRuns: 0, elements: 0, gradientElements: 0, unstable: 0, emptyPrograms: 0, nonFiniteSkipped: 0 };
}

/** Tolerance relative to each tensor's largest finite magnitude (f32 kernels vs Float64). */
export const FUZZ_TOLERANCE = 2e-4;

/** The graph a case runs: the forward program with its gradient (cotangents as inputs). */
export function fuzzGraph(c: FuzzCase): { graph: Graph; feeds: Map<string, HostTensor> } {
  const forward = buildFuzzGraph(c);
  const graph = gradGraph(forward);
  const feeds = fuzzFeeds(forward, c.dims, c.profiles, c.seed);
  // An i32 output carries no gradient, but the backward graph still takes its (unused) seed.
  forward.outputs.forEach((o, i) => {
    feeds.set(`grad:${o.name}`, o.node.dtype === 'i32' ? HostTensor.zeros(o.node.shape, 'i32') : profileTensor(o.node.shape, 0, c.seed * 13 + i));
  });
  return { graph, feeds };
}

/** Runs one case on every backend; returns its failures (empty: all agreed). */
export async function runCase(c: FuzzCase, backends: readonly FuzzBackend[], counts: FuzzCounts = newCounts()): Promise<FuzzFailure[]> {
  const { graph, feeds } = fuzzGraph(c);
  const oracle = makeOracle(graph, feeds, FUZZ_TOLERANCE);
  counts.programs++;
  if (c.dims.batch === 0) counts.emptyPrograms++;
  counts.unstable += unstableCount(oracle);
  const failures: FuzzFailure[] = [];
  for (const backend of backends) {
    if (oracle.nonFinite && !backend.ieee) {
      counts.nonFiniteSkipped++;
      continue;
    }
    counts.backendRuns++;
    let actual: Map<string, HostTensor>;
    try {
      actual = await backend.device.run(graph, feeds);
    } catch (e) {
      failures.push({ backend: backend.name, error: (e as Error).message, mismatches: [] });
      continue;
    }
    for (const [name, t] of oracle.exact) {
      counts.elements += t.data.length;
      if (name.startsWith('grad:')) counts.gradientElements += t.data.length;
    }
    const found = mismatches(oracle, actual, FUZZ_TOLERANCE);
    if (found.length > 0) failures.push({ backend: backend.name, mismatches: found });
  }
  return failures;
}

/** fast-check's description of a case; shrinking works on the steps, dims and profiles. */
export function fuzzCaseArbitrary(): fc.Arbitrary<FuzzCase> {
  const dims: fc.Arbitrary<FuzzDims> = fc.record({
    batch: fc.oneof({ arbitrary: fc.constantFrom(1, 2, 3), weight: 9 }, { arbitrary: fc.constant(0), weight: 1 }),
    rows: fc.constantFrom(1, 2, 3, 5),
    cols: fc.constantFrom(1, 3, 4, 5, 8),
    inner: fc.constantFrom(1, 2, 5, 7),
  });
  // Small ranges, so shrinking a field toward 0 stays within the same kind of step.
  const step = fc.record({ op: fc.nat({ max: 19 }), a: fc.nat({ max: 63 }), b: fc.nat({ max: 63 }), axis: fc.nat({ max: 7 }), amount: fc.nat({ max: 1023 }) });
  return fc.record({
    dims,
    profiles: fc.array(fc.nat({ max: PROFILES - 1 }), { minLength: 3, maxLength: 3 }),
    steps: fc.array(step, { minLength: 1, maxLength: 10 }),
    seed: fc.nat({ max: 1_000_000 }),
  });
}

/** A failure report a person can act on: the shrunk program, its values, what differed. */
export function describeFailure(c: FuzzCase, failures: readonly FuzzFailure[]): string {
  const { graph } = fuzzGraph(c);
  const lines = [`fuzz case ${JSON.stringify(c)}`, printGraph(graph)];
  for (const f of failures) {
    if (f.error) lines.push(`${f.backend}: threw: ${f.error.split('\n').slice(0, 6).join('\n  ')}`);
    for (const m of f.mismatches) {
      lines.push(m.index < 0 ? `${f.backend}: output ${m.output} missing or misshapen` : `${f.backend}: ${m.output}[${m.index}] = ${m.actual}, interpreter ${m.expected}`);
    }
  }
  return lines.join('\n');
}

export interface FuzzOptions {
  readonly seed: number;
  /** Stop after this many cases (default: unlimited while time is left). */
  readonly runs?: number;
  /** Stop starting new cases after this many milliseconds. */
  readonly timeLimitMs?: number;
  readonly counts?: FuzzCounts;
}

/** The outcome of a fuzzing session: counts, and the shrunk failing case if one was found. */
export interface FuzzReport {
  readonly counts: FuzzCounts;
  readonly failure?: string;
}

/** Fuzzes `backends` until the run count or time limit is reached or a case fails (then shrinks it). */
export async function fuzz(backends: readonly FuzzBackend[], options: FuzzOptions): Promise<FuzzReport> {
  const counts = options.counts ?? newCounts();
  let lastFailure: { c: FuzzCase; failures: FuzzFailure[] } | undefined;
  const property = fc.asyncProperty(fuzzCaseArbitrary(), async (c) => {
    const failures = await runCase(c, backends, counts);
    if (failures.length > 0) {
      lastFailure = { c, failures };
      return false;
    }
    return true;
  });
  const result = await fc.check(property, {
    seed: options.seed,
    numRuns: options.runs ?? Number.MAX_SAFE_INTEGER,
    ...(options.timeLimitMs !== undefined ? { interruptAfterTimeLimit: options.timeLimitMs, markInterruptAsFailure: false } : {}),
  });
  if (!result.failed || !result.counterexample) return { counts };
  const [c] = result.counterexample;
  // Shrinking ran the property on smaller cases; the last failing run is the counterexample's.
  const failures = lastFailure && JSON.stringify(lastFailure.c) === JSON.stringify(c) ? lastFailure.failures : await runCase(c, backends);
  return { counts, failure: describeFailure(c, failures) };
}
