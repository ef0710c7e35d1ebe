import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * The executable cache (src/driver/executable-cache.ts) of a test run: a fresh folder, so tests
 * neither read entries of earlier runs nor fill the user's cache; test/global-setup.ts removes it.
 */
const cacheDir = join(tmpdir(), `fiberc-test-cache-${process.pid}`);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    env: { FIBERC_CACHE_DIR: cacheDir },
    globalSetup: ['test/global-setup.ts'],
    provide: { cacheDir },
  },
});
