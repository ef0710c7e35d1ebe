import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PtxArch } from './emit.js';

/** ptxas's report for one entry: registers, shared memory, spills. */
export interface PtxasEntryReport {
  readonly name: string;
  readonly registers: number;
  readonly sharedBytes: number;
  readonly spillStores: number;
  readonly spillLoads: number;
}

/** Raised when ptxas rejects a module: carries its log and a command that reproduces it. */
export class PtxasError extends Error {
  override readonly name = 'PtxasError';
}

/** The ptxas binary: $PTXAS, else the one on PATH; undefined when there is none. */
export function findPtxas(): string | undefined {
  const candidate = process.env.PTXAS ?? 'ptxas';
  const r = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? candidate : undefined;
}

/**
 * Assembles a PTX module with ptxas for `arch` (-v for the resource report). On failure the
 * error holds ptxas's log and a command line that reproduces it (the PTX is kept on disk).
 */
export function assemble(source: string, arch: PtxArch, ptxas = findPtxas()): PtxasEntryReport[] {
  if (!ptxas) throw new PtxasError('ptxas not found (install the CUDA toolkit or set PTXAS)');
  const dir = mkdtempSync(join(tmpdir(), 'fiberc-ptx-'));
  const file = join(dir, 'module.ptx');
  writeFileSync(file, source);
  const args = [`-arch=${arch}`, '-v', '-o', join(dir, 'module.cubin'), file];
  const r = spawnSync(ptxas, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) {
    throw new PtxasError(`ptxas failed for ${arch}:\n${r.stderr || r.stdout}\nreproduce: ${ptxas} ${args.join(' ')}`);
  }
  rmSync(dir, { recursive: true, force: true });
  return parseReport(r.stderr + r.stdout);
}

function parseReport(log: string): PtxasEntryReport[] {
  const reports: PtxasEntryReport[] = [];
  let current: { name: string; spillStores: number; spillLoads: number } | undefined;
  for (const line of log.split('\n')) {
    const fn = /Compiling entry function '([^']+)'/.exec(line);
    if (fn) current = { name: fn[1]!, spillStores: 0, spillLoads: 0 };
    const spill = /(\d+) bytes spill stores, (\d+) bytes spill loads/.exec(line);
    if (spill && current) {
      current.spillStores = Number(spill[1]);
      current.spillLoads = Number(spill[2]);
    }
    const used = /Used (\d+) registers(?:.*?(\d+) bytes smem)?/.exec(line);
    if (used && current) {
      reports.push({ ...current, registers: Number(used[1]), sharedBytes: Number(used[2] ?? 0) });
      current = undefined;
    }
  }
  return reports;
}
