import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The fiberc installation folder holding `marker` (a relative path such as `std/nn.fib`):
 * found by walking up from this file, which sits in src/ when run from source, in dist/src/
 * when built, and next to std/ in the GPU bundle.
 */
export function installRoot(marker: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, marker))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`fiberc installation is broken: ${marker} not found`);
    dir = parent;
  }
  return dir;
}
