import { initParam, normalSampler, rng } from '../ir/init.js';
import type { Graph } from '../ir/graph.js';
import { numel } from '../ir/shape.js';
import { HostTensor } from '../ir/tensor.js';
import { fuzzInputs, TABLE_ROWS, type FuzzDims } from './program.js';

/**
 * Input values for the fuzzer. Plain normal samples never reach the corners where backends
 * differ, so inputs mix in the values of those corners: signed zeros, ±1, integers, halves,
 * denormals, huge magnitudes, ±Inf and NaN; ids run past both ends of the table and to the
 * ends of the i32 range.
 */

/** Values where element-wise semantics have corners. */
export const EDGE_VALUES: readonly number[] = [
  0, -0, 1, -1, 2, -2, 3, -3, 0.5, -0.5, 1e-40, -1e-40, 1e30, -1e30, 88.8, -104, Infinity, -Infinity, NaN,
];

/** Ids: inside the table, just outside it on both sides, and the ends of the i32 range. */
const EDGE_IDS = [-1, -2, TABLE_ROWS, TABLE_ROWS + 1, 2147483647, -2147483648];

/**
 * Value profiles, one per float input: 0 normal, 1 normal with edge values mixed in, 2 only
 * edge values, 3 positive (so log, sqrt and pow stay real), 4 small integers.
 */
export const PROFILES = 5;

/** One input tensor of the given profile. */
export function profileTensor(shape: readonly number[], profile: number, seed: number): HostTensor {
  const random = rng(seed);
  const normal = normalSampler(random);
  const edge = (): number => EDGE_VALUES[Math.floor(random() * EDGE_VALUES.length)]!;
  const draw: () => number = [
    normal,
    () => (random() < 0.3 ? edge() : normal()),
    edge,
    () => Math.abs(normal()) + 0.05,
    () => Math.floor(random() * 7) - 3,
  ][profile % PROFILES]!;
  return new HostTensor(shape, 'f32', Float64Array.from({ length: numel(shape) }, draw));
}

/** Ids: mostly valid rows, some just outside, a few at the ends of the i32 range. */
export function idTensor(shape: readonly number[], seed: number): HostTensor {
  const random = rng(seed);
  return new HostTensor(shape, 'i32', Float64Array.from({ length: numel(shape) }, () => {
    const r = random();
    if (r < 0.7) return Math.floor(random() * TABLE_ROWS);
    return EDGE_IDS[Math.floor(random() * EDGE_IDS.length)]!;
  }));
}

/** Feeds for a fuzz graph: inputs by profile, params from their initialisers, seeded. */
export function fuzzFeeds(graph: Graph, dims: FuzzDims, profiles: readonly number[], seed: number): Map<string, HostTensor> {
  const feeds = new Map<string, HostTensor>();
  fuzzInputs(dims).forEach((input, i) => {
    feeds.set(input.name, input.dtype === 'i32' ? idTensor(input.shape, seed * 7 + i) : profileTensor(input.shape, profiles[i] ?? 0, seed * 7 + i));
  });
  for (const p of graph.params) feeds.set((p.op as { name: string }).name, initParam(p, seed));
  return feeds;
}
