import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANSWERS } from '../../src/data/questions.js';
import { SYNTHETIC_VOCABULARY } from '../../src/data/vocabulary.js';

/**
 * The PyTorch peer's scripts (bench/*.py) read peer-data's files by number: the answer class of
 * "yes" and the vocabulary ids of the relation words. Those numbers are fiberc's, restated in
 * Python; this keeps them the same when the answers or the vocabulary change.
 */

const bench = resolve(__dirname, '../../bench');

/** The right-hand side of `NAME = ...` in a bench script. */
function pythonConstant(file: string, name: string): string {
  const found = new RegExp(`^${name} = (.+?)(\\s+#.*)?$`, 'm').exec(readFileSync(resolve(bench, file), 'utf8'));
  if (!found) throw new Error(`bench/${file} has no ${name}`);
  return found[1]!;
}

describe('the peer scripts\' numbers', () => {
  it('YES is the answer class of "yes"', () => {
    expect(Number(pythonConstant('torch_place_probe.py', 'YES'))).toBe(ANSWERS.indexOf('yes'));
  });

  it('RELATION_WORDS are the vocabulary ids of above, below, left and right', () => {
    const ids = pythonConstant('torch_fiber_vqa.py', 'RELATION_WORDS').replace(/[()\s]/g, '').split(',').map(Number);
    expect(ids).toEqual(['above', 'below', 'left', 'right'].map((w) => SYNTHETIC_VOCABULARY.indexOf(w)));
  });
});
