import { join, resolve } from 'node:path';
import { main } from '../../src/cli/main.js';

/** The repository root and the built binary (npm test builds it first). */
export const ROOT = resolve(__dirname, '../..');
export const BIN = join(ROOT, 'dist/src/cli/main.js');

/** Runs `fiberc ARGS` in this process, capturing what it prints. */
export async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`) });
  return { code, out, err };
}
