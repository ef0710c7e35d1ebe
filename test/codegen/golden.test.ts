import { describe, expect, it } from 'vitest';
import { goldenFiles, goldenOnDisk } from '../../src/driver/golden.js';

describe('kernels/generated is up to date', () => {
  it('every generated kernel equals its reviewed copy (run `npm run regen-kernels` and review the diff)', () => {
    const now = goldenFiles();
    const disk = goldenOnDisk();
    expect([...disk.keys()].sort()).toEqual([...now.keys()].sort());
    for (const [path, text] of now) expect(disk.get(path), path).toBe(text);
  });
});
