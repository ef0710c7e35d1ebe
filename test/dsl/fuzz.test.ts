import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkSource } from '../helpers.js';

/**
 * Property: whatever text is fed to the front end — random token soup, or a real program
 * with characters or tokens deleted, duplicated, swapped or inserted — the outcome is
 * success or a positioned diagnostic (`file:line:col: error: ...` with a caret). Never an
 * exception, never a stack trace.
 */

/** FIBERC_FUZZ_SCALE=10 runs ten times as many cases (for a long local soak). */
const SCALE = Number(process.env.FIBERC_FUZZ_SCALE ?? 1);
const EXAMPLES = resolve(__dirname, '../../examples');
const STD = resolve(__dirname, '../../std');
const seeds = [
  readFileSync(resolve(STD, 'nn.fib'), 'utf8'),
  readFileSync(resolve(STD, 'attention.fib'), 'utf8'),
  readFileSync(resolve(EXAMPLES, 'roberta.fib'), 'utf8'),
  `import "std/nn.fib"
module Tiny(d: int = 4) {
  let fc = Linear(d, 2 * d)
  param scale: f32[] = constant(0.5)
  forward(x: f32[B, d], ids: i32[B]) -> f32[B, 2 * d] {
    let y = fc(x) * scale
    for i in 0..2 {
      y = y + sum(y, -1, keepdims = true) / 3.0
    }
    return if d > 2 then softmax(y) else y
  }
}
`,
];

const TOKENS = [
  'fn', 'module', 'forward', 'param', 'let', 'return', 'for', 'in', 'if', 'then', 'else', 'import', 'schedule', 'true', 'false',
  'x', 'y', 'B', 'f32', 'i32', 'int', 'Linear', 'softmax', 'reshape', 'sum', 'zeros', 'normal', '"std/nn.fib"',
  '0', '1', '2', '-1', '0.5', '1e9', '(', ')', '[', ']', '{', '}', ',', ':', '=', '==', '->', '..', '...', '.', '+', '-', '*', '/', '//', '%', '@', '**',
  '<', '>', '!', '&&', '||', '#c\n', '\n', ' ',
];

function outcomeIsClean(text: string): void {
  const out = checkSource({ 'main.fib': text });
  if (out === 'ok') return;
  const lines = out.split('\n');
  expect(lines[0]).toMatch(/^[^\n]*\.fib:\d+:\d+: error: \S/);
  // The source line and caret follow the message.
  expect(lines[2] ?? "").toMatch(/^\s*\^$/);
  expect(out).not.toMatch(/\n\s+at .*:\d+:\d+\)?$/m);
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), token: fc.constantFrom(...TOKENS) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, m: Mutation): string {
  const at = m.at % (text.length + 1);
  switch (m.kind) {
    case 'delete': return text.slice(0, at) + text.slice(at + m.len);
    case 'insert': return `${text.slice(0, at)} ${m.token} ${text.slice(at)}`;
    case 'duplicate': return text.slice(0, at) + text.slice(at, at + m.len) + text.slice(at);
    case 'swap': {
      const words = text.split(/(\s+)/);
      const i = m.at % words.length;
      const j = m.other % words.length;
      [words[i], words[j]] = [words[j]!, words[i]!];
      return words.join('');
    }
  }
}

describe('front end never fails with anything but a diagnostic', () => {
  it('random token soup', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }), (tokens) => outcomeIsClean(tokens.join(' '))), { numRuns: 1500 * SCALE });
  });

  it('mutated real programs', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, ms) => outcomeIsClean(ms.reduce(mutate, seed))),
      { numRuns: 2500 * SCALE },
    );
  });

  it('arbitrary unicode text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (text) => outcomeIsClean(text)), { numRuns: 500 * SCALE });
  });
});
