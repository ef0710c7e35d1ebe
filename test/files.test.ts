import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeAll, writeFileAtomic } from '../src/files.js';

describe('file writes', () => {
  it('writeAll writes every byte in calls of at most the chunk size', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fiberc-files-'));
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) % 256);
    const path = join(dir, 'chunks.bin');
    const fd = openSync(path, 'w');
    writeAll(fd, data, 3);
    closeSync(fd);
    expect(new Uint8Array(readFileSync(path))).toEqual(data);
  });

  it('writeFileAtomic leaves the whole file and no temporary beside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fiberc-files-'));
    writeFileAtomic(join(dir, 'a.txt'), 'hello');
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('hello');
    expect(readdirSync(dir)).toEqual(['a.txt']);
    expect(() => writeFileAtomic(join(dir, 'missing', 'b.txt'), 'x')).toThrow(/^writing .*b\.txt: ENOENT/);
    expect(readdirSync(dir)).toEqual(['a.txt']);
  });
});
