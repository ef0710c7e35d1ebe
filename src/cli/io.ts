import { readSafetensors } from '../fiber/safetensors.js';
import type { DType } from '../ir/dtype.js';
import type { Shape } from '../ir/shape.js';
import type { HostTensor } from '../ir/tensor.js';

/** Where a command writes; tests capture it instead of the process streams. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

export const processIO: CliIO = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** A usage error of the command line itself (bad flag values). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses repeated `--bind DIM=N` flags. */
export function parseBindings(list: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of list) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(\d+)$/.exec(item);
    if (!m) throw new UsageError(`--bind expects DIM=N with N a non-negative integer, got '${item}'`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** Input shapes from a tensors file, to bind an entry's free dims. */
export function shapesOf(tensors: ReadonlyMap<string, HostTensor>): Map<string, { shape: Shape; dtype: DType }> {
  return new Map([...tensors].map(([k, t]) => [k, { shape: t.shape, dtype: t.dtype }]));
}

/** Reads an optional safetensors file (empty map when no path is given). */
export function readOptional(path: string | undefined): Map<string, HostTensor> {
  return path ? readSafetensors(path) : new Map();
}
