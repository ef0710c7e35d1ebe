import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installRoot } from '../../paths.js';

/**
 * Shaders compiled in child processes before this process runs them (lavapipe).
 *
 * llvmpipe turns a pipeline's shader into machine code at its first dispatch and keeps a
 * bounded amount of the code it compiled per context (2M LLVM instructions); past that it
 * evicts the least recently used shaders and compiles them again when they next run — every
 * step, for a training step larger than the bound. A shader it loads from Mesa's on-disk
 * shader cache instead counts nothing against the bound (its LLVM module is left empty). So
 * child processes that dispatch each pipeline once fill the cache, and this process then
 * loads every shader from it, however much code the plan has. The children split the
 * shaders between them, so a cold compile uses every core (llvmpipe compiles on one thread
 * per process). Fossilize warms drivers' caches for games the same way, replaying pipelines
 * in processes of its own.
 */

/** What a pipeline is made from: a kernel's code and binding table (WgslKernel has these). */
export interface PipelineSpec {
  readonly name: string;
  readonly source: string;
  readonly bindings: readonly { readonly access: 'read' | 'read_write' }[];
  /** Start offsets bound as a uniform after the bindings (only the count matters here). */
  readonly bases: readonly number[];
}

/** The work a child process is given (one JSON file for all of them). */
export interface PrecompileJob {
  /** The device's limits choice (WebGpuOptions.limits): the child's device must equal ours. */
  readonly limits: 'adapter' | 'default';
  readonly parts: readonly (readonly PipelineSpec[])[];
}

/** What a precompile did: shaders, child processes and seconds of wall time. */
export interface PrecompileReport {
  readonly shaders: number;
  readonly processes: number;
  readonly seconds: number;
}

/** A precompile that failed: how many shaders it was given and why (the parent then compiles them). */
export interface PrecompileFailure {
  readonly shaders: number;
  readonly error: string;
}

/** What a device's precompile came to. */
export type PrecompileOutcome = PrecompileReport | PrecompileFailure;

/** One line for a person: what a precompile did, or that it failed and what happened instead. */
export function describePrecompile(outcome: PrecompileOutcome): string {
  if ('error' in outcome) return `compiling ${outcome.shaders} shaders in child processes failed, so this process compiles them and tiles only the largest phases: ${outcome.error}`;
  return `compiled ${outcome.shaders} shaders in ${outcome.processes} child process${outcome.processes > 1 ? 'es' : ''} first (${outcome.seconds.toFixed(1)} s), into Mesa's shader cache`;
}

/** A child process failed: its exit and the end of what it printed. */
export class PrecompileError extends Error {
  override readonly name = 'PrecompileError';
}

/**
 * Whether shaders for this adapter are worth compiling in child processes: the adapter is
 * llvmpipe's (lavapipe), Mesa's shader cache is on (`MESA_SHADER_CACHE_DISABLE` unset or
 * false) and `FIBERC_PRECOMPILE` is not `off`.
 */
export function precompileAvailable(adapterDescription: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const disabled = (v: string | undefined): boolean => v !== undefined && /^(1|true|yes)$/i.test(v);
  return /llvmpipe/i.test(adapterDescription) && !disabled(env.MESA_SHADER_CACHE_DISABLE) && !disabled(env.MESA_GLSL_CACHE_DISABLE) && env.FIBERC_PRECOMPILE !== 'off';
}

/**
 * `specs` split into at most `parts` groups of about equal code (llvmpipe's compile time
 * grows with it): largest first, each into the lightest group. No group is empty.
 */
export function splitByCode<T extends { readonly source: string }>(specs: readonly T[], parts: number): T[][] {
  const groups: { items: T[]; size: number }[] = Array.from({ length: Math.max(1, Math.min(parts, specs.length)) }, () => ({ items: [], size: 0 }));
  for (const s of [...specs].sort((a, b) => b.source.length - a.source.length)) {
    const lightest = groups.reduce((best, g) => (g.size < best.size ? g : best));
    lightest.items.push(s);
    lightest.size += s.source.length;
  }
  return groups.map((g) => g.items).filter((g) => g.length > 0);
}

/** Child processes for `shaders` pipelines: one per core, at most 4, and one per 8 shaders. */
export function precompileProcesses(shaders: number, cores: number = availableParallelism()): number {
  return Math.max(1, Math.min(cores, 4, Math.ceil(shaders / 8)));
}

/**
 * Compiles `specs` in child processes (precompile-child.ts), each creating a device as ours
 * and dispatching its share of the pipelines once, and waits for them all. Rejects with a
 * PrecompileError naming the child that failed and what it printed.
 */
export async function precompileInChildren(specs: readonly PipelineSpec[], limits: PrecompileJob['limits'], processes = precompileProcesses(specs.length)): Promise<PrecompileReport> {
  const started = performance.now();
  const parts = splitByCode(specs, processes);
  const dir = mkdtempSync(join(tmpdir(), 'fiberc-precompile-'));
  try {
    const file = join(dir, 'job.json');
    const job: PrecompileJob = { limits, parts: parts.map((p) => p.map((s) => ({ name: s.name, source: s.source, bindings: s.bindings.map((b) => ({ access: b.access })), bases: s.bases.map(() => 0) }))) };
    writeFileSync(file, JSON.stringify(job));
    await Promise.all(parts.map((_, i) => runChild(file, i)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { shaders: specs.length, processes: parts.length, seconds: (performance.now() - started) / 1000 };
}

function runChild(file: string, part: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript(), file, String(part)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
    });
    child.on('error', (e) => reject(new PrecompileError(`shader precompile process ${part} did not start: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new PrecompileError(`shader precompile process ${part} ${signal ? `was killed (${signal})` : `exited with ${code}`}${err.trim() ? `:\n${err.trim()}` : ''}`));
    });
  });
}

/** The compiled child script: beside this module, or in dist/ when this runs from the TypeScript sources (tests). */
function childScript(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return join(dirname(here), 'precompile-child.js');
  return join(installRoot('package.json'), 'dist', 'src', 'runtime', 'webgpu', 'precompile-child.js');
}
