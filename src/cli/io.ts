import { decodeSafetensors } from '../fiber/safetensors.js';
import { readUserFile } from '../files.js';
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
    if (m[1]! in out) throw new BindingError(`--bind ${m[1]} is given twice (${m[1]}=${out[m[1]!]} and ${m[1]}=${m[2]})`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** Input shapes from a tensors file, to bind an entry's free dims. */
export function shapesOf(tensors: ReadonlyMap<string, HostTensor>): Map<string, { shape: Shape; dtype: DType }> {
  return new Map([...tensors].map(([k, t]) => [k, { shape: t.shape, dtype: t.dtype }]));
}

/** Reads the safetensors file a flag names (empty map when the flag is absent). */
export function readOptional(path: string | undefined, flag: string): Map<string, HostTensor> {
  return path === undefined ? new Map() : decodeSafetensors(readUserFile(path, flag), path).tensors;
}

/** A --bind flag that does not fit the entry (unknown dim, or contradicting the inputs file). */
export class BindingError extends Error {
  override readonly name = 'BindingError';
}

/**
 * Every `--bind` must name a dim of the entry's inputs and, where an inputs file binds the
 * same dim, agree with it (a typo would otherwise be ignored, a contradiction overridden).
 */
export function checkBindings(entry: string, flags: Readonly<Record<string, number>>, bound: Readonly<Record<string, number>>): void {
  const problems: string[] = [];
  for (const [dim, n] of Object.entries(flags)) {
    if (!(dim in bound)) problems.push(`--bind ${dim}=${n}: entry ${entry} has no dim '${dim}' (its dims: ${Object.keys(bound).join(', ') || 'none'})`);
    else if (bound[dim] !== n) problems.push(`--bind ${dim}=${n} contradicts the inputs file, which gives ${dim}=${bound[dim]}`);
  }
  if (problems.length > 0) throw new BindingError(problems.join('\n'));
}

/** A flag's value as a positive integer, or a UsageError naming the flag. */
export function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} takes a positive integer, got '${value}'`);
  return n;
}

/** A flag's value as a positive number, or a UsageError naming the flag. */
export function positiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} takes a positive number, got '${value}'`);
  return n;
}

/**
 * A flag's value as a fraction in `interval` (an empty value is not 0), or a UsageError naming
 * the flag and `meaning`, what the number is (`the chance of each token to be masked`).
 */
export function fraction(flag: string, value: string, interval: '[0, 1)' | '(0, 1]', meaning: string): number {
  const n = Number(value);
  const inside = interval === '[0, 1)' ? n >= 0 && n < 1 : n > 0 && n <= 1;
  if (!inside || value.trim() === '') throw new UsageError(`${flag} is ${meaning}, in ${interval}, got '${value}'`);
  return n;
}

/** A flag's value as a finite number (an empty value is not 0), or a UsageError naming the flag. */
export function finiteNumber(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag} takes a number, got '${value}'`);
  return n;
}
