import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScalarType } from '../compile/kernel-ir.js';
import type { TargetLimits } from '../compile/limits.js';
import type { Arena, FusionMode, PlannedTensor, RuntimePlan, TensorKind, WorkgroupSlot } from '../compile/plan-types.js';
import { writeFileAtomic } from '../files.js';
import type { Graph } from '../ir/graph.js';
import { printGraph } from '../ir/print.js';
import { sameShape } from '../ir/shape.js';
import { installRoot } from '../paths.js';

/**
 * The persistent cache of executables: what compiling a graph for a target yields (where its
 * tensors live, which dispatches are param-only, and the target code), stored as JSON under
 * the key (graph, target, mode, limits, compiler version), so a second process does not plan
 * and emit the same model again. The graph is identified by its printed IR (ops, shapes,
 * names, source positions), bindings and batch dim; the compiler version by a hash of the
 * compiler's own code and kernel skeletons, so a changed compiler never reads stale entries.
 * Nodes are stored as their index in the graph's topological order and rebound on reading.
 *
 * The folder is $FIBERC_CACHE_DIR, else $XDG_CACHE_HOME/fiberc, else ~/.cache/fiberc;
 * FIBERC_CACHE=off turns the cache off. An entry that cannot be read or does not match the
 * graph is recompiled and replaced; a cache that cannot be written is not an error.
 */

/** The parts of an executable besides its plan: WGSL kernels or a PTX module (JSON values). */
export type ExecutableCode = unknown;

interface StoredTensor {
  readonly id: number;
  readonly node: number;
  readonly shape: readonly number[];
  readonly type: ScalarType;
  readonly kind: TensorKind;
  readonly name: string;
  readonly replicas: number;
  readonly arena?: { readonly index: number; readonly offset: number };
  readonly split?: { readonly arenas: readonly number[]; readonly part: number };
  readonly workgroup?: WorkgroupSlot;
}

interface StoredExecutable {
  readonly key: string;
  readonly tensors: readonly StoredTensor[];
  readonly outputs: readonly { readonly name: string; readonly node: number }[];
  readonly arenas: readonly Arena[];
  readonly paramOnly: readonly boolean[];
  readonly code: ExecutableCode;
}

/** Where entries are kept, or undefined when the cache is off. */
export function cacheFolder(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.FIBERC_CACHE === 'off') return undefined;
  if (env.FIBERC_CACHE_DIR) return env.FIBERC_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'fiberc');
}

let version: string | undefined;

/** A hash of the compiler's code (compile, codegen, driver, ir, or the bundle) and its kernel skeletons. */
export function compilerVersion(): string {
  if (version) return version;
  const hash = createHash('sha256');
  const src = dirname(dirname(fileURLToPath(import.meta.url)));
  const kernels = join(installRoot('kernels/wgsl/pointwise.wgsl.hbs'), 'kernels');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(js|ts|hbs)$/.test(name) && !name.endsWith('.d.ts')) hash.update(name).update(readFileSync(path));
    }
  };
  const parts = ['compile', 'codegen', 'driver', 'ir'].map((part) => join(src, part));
  // Bundled (the GPU check: one file, no source folders), the bundle itself is the compiler.
  if (parts.every((p) => existsSync(p))) parts.forEach(walk);
  else hash.update(readFileSync(fileURLToPath(import.meta.url)));
  walk(kernels);
  version = hash.digest('hex').slice(0, 16);
  return version;
}

/** The cache key of a graph compiled for a target. */
export function executableKey(graph: Graph, target: string, mode: FusionMode, limits: TargetLimits): string {
  return createHash('sha256')
    .update(compilerVersion()).update('\0').update(target).update('\0').update(mode).update('\0')
    .update(JSON.stringify(limits)).update('\0').update(JSON.stringify(graph.bindings)).update('\0').update(graph.batch ?? '')
    .update('\0').update(printGraph(graph))
    .digest('hex');
}

/**
 * The executable of `graph` for a target from the cache, or compiled by `compile` and stored.
 * `hit` says which. With the cache off, always compiled.
 */
export function cachedExecutable<C extends ExecutableCode>(
  graph: Graph,
  target: string,
  mode: FusionMode,
  limits: TargetLimits,
  compile: () => { readonly plan: RuntimePlan; readonly code: C },
  env: NodeJS.ProcessEnv = process.env,
): { readonly plan: RuntimePlan; readonly code: C; readonly hit: boolean } {
  const folder = cacheFolder(env);
  if (!folder) return { ...compile(), hit: false };
  const key = executableKey(graph, target, mode, limits);
  const file = join(folder, `${key.slice(0, 40)}.json`);
  const found = existsSync(file) ? readEntry(file, key, graph) : undefined;
  if (found) {
    try {
      const now = new Date();
      utimesSync(file, now, now); // recently used: evicted last
    } catch {
      // a read-only cache still serves
    }
    return { plan: found.plan, code: found.code as C, hit: true };
  }
  const fresh = compile();
  try {
    mkdirSync(folder, { recursive: true });
    writeFileAtomic(file, JSON.stringify(store(key, graph, fresh.plan, fresh.code)), 'caching an executable');
    evictOldest(folder, MAX_ENTRIES);
  } catch {
    // A cache that cannot be written (read-only home, full disk) costs only the next compile.
  }
  return { ...fresh, hit: false };
}

/** Entries kept: a long fuzz run or many variants must not fill the disk. */
export const MAX_ENTRIES = 256;

/** Removes the least recently used entries beyond `keep`. */
function evictOldest(folder: string, keep: number): void {
  const entries = readdirSync(folder).filter((n) => n.endsWith('.json')).map((n) => ({ path: join(folder, n), used: statSync(join(folder, n)).mtimeMs }));
  if (entries.length <= keep) return;
  entries.sort((a, b) => a.used - b.used);
  for (const e of entries.slice(0, entries.length - keep)) rmSync(e.path, { force: true });
}

function store(key: string, graph: Graph, plan: RuntimePlan, code: ExecutableCode): StoredExecutable {
  const index = new Map(graph.nodes.map((n, i) => [n, i]));
  return {
    key,
    tensors: [...plan.tensors.values()].map((t) => ({
      id: t.ref.id, node: index.get(t.ref.node)!, shape: t.ref.node.shape, type: t.ref.type, kind: t.kind, name: t.name, replicas: t.replicas,
      ...(t.arena ? { arena: t.arena } : {}), ...(t.split ? { split: t.split } : {}), ...(t.workgroup ? { workgroup: t.workgroup } : {}),
    })),
    outputs: graph.outputs.map((o) => ({ name: o.name, node: index.get(o.node)! })),
    arenas: plan.arenas,
    paramOnly: plan.dispatches.map((d) => d.paramOnly === true),
    code,
  };
}

/** An entry rebound to `graph`'s nodes, or undefined when it is unreadable or does not fit. */
function readEntry(file: string, key: string, graph: Graph): { plan: RuntimePlan; code: ExecutableCode } | undefined {
  try {
    const e = JSON.parse(readFileSync(file, 'utf8')) as StoredExecutable;
    if (e.key !== key) return undefined;
    const nodes = graph.nodes;
    const tensors = new Map<number, PlannedTensor>();
    for (const t of e.tensors) {
      const node = nodes[t.node];
      if (!node || !sameShape(node.shape, t.shape)) return undefined;
      tensors.set(t.id, {
        ref: { id: t.id, node, type: t.type }, kind: t.kind, name: t.name, replicas: t.replicas,
        ...(t.arena ? { arena: t.arena } : {}), ...(t.split ? { split: t.split } : {}), ...(t.workgroup ? { workgroup: t.workgroup } : {}),
      });
    }
    const outputs = e.outputs.map((o) => ({ name: o.name, node: nodes[o.node]! }));
    if (outputs.some((o, i) => o.node !== graph.outputs[i]?.node || o.name !== graph.outputs[i]?.name)) return undefined;
    return { plan: { graph: { outputs }, tensors, arenas: e.arenas, dispatches: e.paramOnly.map((paramOnly) => ({ paramOnly })) }, code: e.code };
  } catch {
    return undefined;
  }
}
