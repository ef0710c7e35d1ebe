import type { Node } from '../ir/node.js';
import { buffersOf, computedWhole, type Draft } from './kernels.js';
import { workItems } from './kernel-ir.js';
import type { TargetLimits } from './limits.js';
import type { Dispatch } from './plan-types.js';
import { findMatmulTile } from './tile.js';
import { segmentBody } from './segments.js';

/** Most distinct bodies (kernels that share no body with another) one merged dispatch runs. */
export const MAX_MERGED_PHASES = 32;
/**
 * Most kernels one merged dispatch runs, counting those that share a body (see segments.ts):
 * each is a row of the shader's segment table.
 */
export const MAX_MERGED_KERNELS = 2048;
/**
 * Most primitive ops one merged dispatch computes: a bound on shader size, hence on compile
 * time, which on lavapipe grows faster than the size (an 80 KB shader of 32 phases took 43 s;
 * 32 optimizer-update kernels of ~10 ops each take about a second).
 */
export const MAX_MERGED_OPS = 384;
/** Workgroups of a merged dispatch: its invocations stride over every phase's elements. */
const MERGED_WORKGROUPS = 256;

/**
 * Pass `merge` (horizontal fusion): consecutive plain dispatches that do not depend on each
 * other become one dispatch whose phases run one after another in every invocation, each a
 * loop striding over its own elements, with no barrier between them (see
 * Dispatch.independent). A training step's optimizer update is hundreds of small
 * element-wise kernels, one per param and state tensor: merged, a FiberTiny step needs a
 * fraction of the dispatches and of the shaders to compile. Within a run of candidates the
 * kernels are ordered by dependency level first (the moments before the params that read
 * them), which is legal because every kernel writes a tensor of its own. Kernels that differ
 * only in their tensors' offsets and sizes share one body (segments.ts) and count once
 * against the shader's size. Register-tiled matmuls and the attention template keep
 * dispatches of their own.
 */
export function mergeIndependent(dispatches: readonly Dispatch[], draft: Draft, inputFree: ReadonlySet<Node>, limits: TargetLimits): Dispatch[] {
  const out: Dispatch[] = [];
  let run: Dispatch[] = [];
  const flush = (): void => {
    out.push(...mergeRun(run, draft, inputFree, limits));
    run = [];
  };
  for (const d of dispatches) {
    if (mergeable(d)) run.push(d);
    else {
      flush();
      out.push(d);
    }
  }
  flush();
  return out;
}

function mergeable(d: Dispatch): boolean {
  const k = d.phases[0]!.kernel;
  return d.owners === null && d.phases.length === 1 && !k.attention && findMatmulTile(k) === undefined;
}

function mergeRun(run: readonly Dispatch[], draft: Draft, inputFree: ReadonlySet<Node>, limits: TargetLimits): Dispatch[] {
  if (run.length < 2) return [...run];
  // Level of each kernel: 1 + the deepest kernel of the run whose output it reads.
  const level = new Map<number, number>();
  const levels = run.map((d) => {
    const k = d.phases[0]!.kernel;
    const l = 1 + Math.max(0, ...k.reads.map((r) => level.get(r.id) ?? 0));
    level.set(k.output.id, l);
    return l;
  });
  const order = run.map((d, i) => ({ d, l: levels[i]!, i })).sort((a, b) => a.l - b.l || a.i - b.i);
  const paramOnly = (d: Dispatch): boolean => computedWhole(d.phases[0]!.kernel.output, inputFree, draft);
  const merged: Dispatch[] = [];
  let group: Dispatch[] = [];
  let buffers = new Set<string>();
  let bodies = new Set<string>();
  let distinct = 0;
  const close = (why: string): void => {
    if (group.length === 1) merged.push(group[0]!);
    else if (group.length > 1) {
      const phases = group.map((g) => g.phases[0]!);
      const workgroupSize = Math.max(...group.map((g) => g.workgroupSize));
      const blocks = Math.min(MERGED_WORKGROUPS, Math.max(1, Math.ceil(Math.max(...phases.map((p) => workItems(p.kernel))) / workgroupSize)));
      const shared = distinct < group.length ? ` (${distinct} distinct bodies)` : '';
      merged.push({ phases, owners: null, independent: true, workgroupSize, workgroups: [blocks, 1], reason: `${group.length} independent kernels in one dispatch${shared}; ends: ${why}` });
    }
    group = [];
    buffers = new Set();
    bodies = new Set();
    distinct = 0;
  };
  const binding = (id: number): string | undefined => {
    const names = buffersOf(id, draft, limits);
    return names.length === 1 ? names[0] : undefined;
  };
  let groupLevel = 0;
  let ops = 0;
  for (const { d, l } of order) {
    const k = d.phases[0]!.kernel;
    const names = [k.output, ...k.reads].flatMap((r) => buffersOf(r.id, draft, limits));
    const joined = new Set([...buffers, ...names]);
    const body = segmentBody(k, binding)?.key;
    const shares = (): boolean => body !== undefined && bodies.has(body);
    const known = shares();
    let why: string | undefined;
    if (group.length > 0 && l !== groupLevel) why = `${k.name} reads what this dispatch writes`;
    else if (group.length > 0 && paramOnly(d) !== paramOnly(group[0]!)) why = `${k.name} ${paramOnly(d) ? 'depends on no input' : 'depends on inputs'}, unlike the rest`;
    else if (!known && distinct >= MAX_MERGED_PHASES) why = `${MAX_MERGED_PHASES} distinct kernel bodies is the most one shader holds`;
    else if (group.length >= MAX_MERGED_KERNELS) why = `${MAX_MERGED_KERNELS} kernels is the most one segment table holds`;
    else if (!known && group.length > 0 && ops + k.fused.length > MAX_MERGED_OPS) why = `more than ${MAX_MERGED_OPS} ops in one shader (compile time)`;
    else if (joined.size > limits.maxStorageBuffersPerShaderStage) why = `one more kernel would bind more than ${limits.maxStorageBuffersPerShaderStage} storage buffers`;
    if (why) close(why);
    if (group.length === 0) {
      groupLevel = l;
      ops = 0;
    }
    // Asked again: when the group just closed, this kernel starts it with a body of its own.
    if (!shares()) {
      ops += k.fused.length;
      distinct++;
      if (body !== undefined) bodies.add(body);
    }
    group.push(d);
    buffers = new Set([...buffers, ...names]);
  }
  close('end of the run of independent kernels');
  return merged;
}
