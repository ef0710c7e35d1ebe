import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';

/** Removes the test run's executable cache folder (see vitest.config.ts) when the run ends. */
export default function setup(project: TestProject): () => void {
  const dir = project.config.provide?.cacheDir as string | undefined;
  return () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    cacheDir: string;
  }
}
