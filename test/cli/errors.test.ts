import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cli, ROOT } from './run-cli.js';
import { writeSafetensors } from '../../src/fiber/safetensors.js';
import { randomTensor } from '../../src/ir/gradcheck.js';

/**
 * Every mistake a user can make with files, flags and inputs gets exit 1 and one clear line
 * (no stack trace), and loses nothing: no output written, no temporary file left behind.
 */

const SWIN = join(ROOT, 'examples/swin.fib');

/** A fresh folder with a valid inputs file for SwinBlockTiny (x: f32[B, 64, 16]). */
function workspace(): { dir: string; inputs: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fiberc-errors-'));
  const inputs = join(dir, 'in.safetensors');
  writeSafetensors(inputs, new Map([['x', randomTensor([1, 64, 16], 1)]]));
  return { dir, inputs };
}

function expectOneLineError(r: { code: number; err: string }, text: string): void {
  expect(r.code).toBe(1);
  expect(r.err).toContain(text);
  expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
}

describe('files: missing, folders, unwritable destinations', () => {
  it('inputs and params that are missing or folders', async () => {
    const { dir, inputs } = workspace();
    const out = join(dir, 'o.safetensors');
    expectOneLineError(await cli('run', SWIN, '--entry', 'SwinBlockTiny', '--inputs', join(dir, 'nope.safetensors'), '--out', out), `--inputs ${join(dir, 'nope.safetensors')}: no such file`);
    expectOneLineError(await cli('run', SWIN, '--entry', 'SwinBlockTiny', '--inputs', dir, '--out', out), `--inputs ${dir}: is a directory`);
    expectOneLineError(await cli('run', SWIN, '--entry', 'SwinBlockTiny', '--inputs', inputs, '--params', dir, '--out', out), `--params ${dir}: is a directory`);
    expect(readdirSync(dir)).toEqual(['in.safetensors']);
  });

  it('destinations are checked before running: a folder, an empty path, a missing folder; nothing is left behind', async () => {
    const { dir, inputs } = workspace();
    const run = (...extra: string[]): Promise<{ code: number; out: string; err: string }> => cli('run', SWIN, '--entry', 'SwinBlockTiny', '--inputs', inputs, ...extra);
    expectOneLineError(await run('--out', dir), `--out ${dir}: is a directory`);
    expectOneLineError(await run('--out', ''), '--out: the path is empty');
    expectOneLineError(await run('--out', join(dir, 'no/such/o.safetensors')), 'does not exist');
    // An unwritable --save-params fails before the outputs are written.
    expectOneLineError(await run('--out', join(dir, 'o.safetensors'), '--save-params', join(dir, 'missing', 'p.safetensors')), '--save-params');
    expect(readdirSync(dir)).toEqual(['in.safetensors']);
  });

  it('check of a folder, import of a folder', async () => {
    const { dir } = workspace();
    expectOneLineError(await cli('check', dir), `${dir}: is a directory, not a .fib file`);
    writeFileSync(join(dir, 'imp.fib'), 'import "."\n');
    const r = await cli('check', join(dir, 'imp.fib'));
    expectOneLineError(r, 'error: cannot import ".":');
    expect(r.err).toContain('is a directory');
  });

  it.skipIf(!existsSync('/proc/self'))('emit --out where no folder can be made fails at once', async () => {
    const r = await cli('emit', SWIN, '--entry', 'SwinBlockTiny', '--bind', 'B=1', '--out', '/proc/fiberc-nope/kernels');
    expectOneLineError(r, 'emit --out /proc/fiberc-nope/kernels: cannot create the folder');
    const { dir } = workspace();
    writeFileSync(join(dir, 'file'), '');
    expectOneLineError(await cli('emit', SWIN, '--entry', 'SwinBlockTiny', '--bind', 'B=1', '--out', join(dir, 'file', 'k')), 'is a file, not a folder');
  });
});

describe('programs nested past the limit', () => {
  it('130 parentheses and 150 nested lists: a positioned diagnostic; a 3,000-term sum elaborates', async () => {
    const { dir } = workspace();
    const write = (name: string, text: string): string => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const parens = write('parens.fib', `module M {\n  forward(x: f32[2]) -> f32[2] { return ${'('.repeat(130)}x${')'.repeat(130)} }\n}\n`);
    const r = await cli('check', parens);
    expectOneLineError(r, 'parens.fib:2:');
    expect(r.err).toContain('brackets nested deeper than 64 levels');
    expectOneLineError(await cli('check', write('lists.fib', `let c = ${'['.repeat(150)}1${']'.repeat(150)}\n`)), 'brackets nested deeper than 64 levels');
    const sum = write('sum.fib', `module M {\n  forward(x: f32[2]) -> f32[2] { return ${Array(3000).fill('x').join(' + ')} }\n}\n`);
    expect((await cli('check', sum)).code).toBe(0);
  });
});

describe('inputs, binds and params that do not fit the entry', () => {
  it('a misnamed input is reported as such, before any dim', async () => {
    const { dir } = workspace();
    const wrong = join(dir, 'wrong.safetensors');
    writeSafetensors(wrong, new Map([['hh', randomTensor([1, 64, 16], 1)]]));
    const r = await cli('run', SWIN, '--entry', 'SwinBlockTiny', '--inputs', wrong, '--out', join(dir, 'o.safetensors'));
    expectOneLineError(r, "the inputs file has 'hh', which is not an input of SwinBlockTiny (inputs: x)");
    expect(r.err).toContain("input 'x' of SwinBlockTiny is missing from the inputs file");
    expect(r.err).not.toContain('not bound');
  });

  it('--bind: unknown dims, duplicates, and values that contradict the inputs file', async () => {
    const { dir, inputs } = workspace();
    const out = join(dir, 'o.safetensors');
    expectOneLineError(await cli('run', SWIN, '--entry', 'SwinBlockTiny', '--inputs', inputs, '--out', out, '--bind', 'B=2'), '--bind B=2 contradicts the inputs file, which gives B=1');
    expectOneLineError(await cli('ir', SWIN, '--entry', 'SwinBlockTiny', '--bind', 'B=1', '--bind', 'Q=3'), "--bind Q=3: entry SwinBlockTiny has no dim 'Q' (its dims: B)");
    expectOneLineError(await cli('ir', SWIN, '--entry', 'SwinBlockTiny', '--bind', 'B=1', '--bind', 'B=2'), '--bind B is given twice');
    expect(readdirSync(dir)).toEqual(['in.safetensors']);
  });

  it('a params file that covers some params: a note with the count, an error with --strict-params', async () => {
    const { dir, inputs } = workspace();
    const params = join(dir, 'p.safetensors');
    writeSafetensors(params, new Map([['norm1.weight', randomTensor([16], 2)]]));
    const r = await cli('run', SWIN, '--entry', 'SwinBlockTiny', '--inputs', inputs, '--params', params, '--out', join(dir, 'o.safetensors'));
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/note: the params file covers 1 of 13 params; 12 initialised/);
    const strict = await cli('run', SWIN, '--entry', 'SwinBlockTiny', '--inputs', inputs, '--params', params, '--out', join(dir, 'o2.safetensors'), '--strict-params');
    expectOneLineError(strict, 'the params file lacks 12 of the 13 params of SwinBlockTiny');
    expect(existsSync(join(dir, 'o2.safetensors'))).toBe(false);
  });

  it('f16 inputs are accepted for f32 inputs, like f16 params', async () => {
    const { dir } = workspace();
    const f16 = join(dir, 'f16.safetensors');
    writeFileSync(f16, f16Safetensors('x', [1, 64, 16], 0.5));
    const r = await cli('run', SWIN, '--entry', 'SwinBlockTiny', '--inputs', f16, '--out', join(dir, 'o.safetensors'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('a dim name that is probably a typo', () => {
  it('warns at the dim (the annotation would match any size), and stays quiet on the examples', async () => {
    const { dir } = workspace();
    const file = join(dir, 'typo.fib');
    writeFileSync(file, 'module M(dim: int = 4) {\n  forward(x: f32[B, dimm]) -> f32[B, 4] {\n    return x\n  }\n}\n');
    const r = await cli('check', file);
    expect(r.err).toContain("typo.fib:2:21: warning: dim 'dimm' binds a new name that nothing else uses, so it matches any size; did you mean 'dim'?");
    for (const example of ['swin.fib', 'roberta.fib', 'fiber.fib']) expect((await cli('check', join(ROOT, 'examples', example))).err).toBe('');
  });
});

describe('the built binary', () => {
  it('keeps Dawn\'s adapter warnings out of the output unless --verbose', () => {
    const args = [BIN, 'plan', SWIN, '--entry', 'SwinBlockTiny', '--bind', 'B=1'];
    const quiet = spawnSync('node', args, { encoding: 'utf8' });
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).not.toContain('artificially reduced');
    const verbose = spawnSync('node', [BIN, '--verbose', ...args.slice(1)], { encoding: 'utf8' });
    expect(verbose.status).toBe(0);
  });
});

/** A safetensors file holding one F16 tensor filled with `value`. */
function f16Safetensors(name: string, shape: number[], value: number): Buffer {
  const n = shape.reduce((a, b) => a * b, 1);
  const json = Buffer.from(JSON.stringify({ [name]: { dtype: 'F16', shape, data_offsets: [0, 2 * n] } }));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const data = Buffer.alloc(2 * n);
  const half = value === 0.5 ? 0x3800 : 0;
  for (let i = 0; i < n; i++) data.writeUInt16LE(half, 2 * i);
  return Buffer.concat([len, json, data]);
}


describe('the batch clause of forward', () => {
  it('a misspelt keyword and a dim that leads no input: positioned errors with the source line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fiberc-batch-'));
    writeFileSync(join(dir, 'typo.fib'), 'module M {\n  forward(x: f32[N, 8]) -> f32[N, 8] bath N {\n    return x\n  }\n}\n');
    writeFileSync(join(dir, 'lead.fib'), 'module M {\n  forward(x: f32[N, 8]) -> f32[N, 8] batch K {\n    return x\n  }\n}\n');
    const typo = await cli('ir', join(dir, 'typo.fib'), '--entry', 'M', '--bind', 'N=2');
    expectOneLineError(typo, "typo.fib:2:38: error: expected 'batch' or '{' after forward's signature, found 'bath'\n  forward(x: f32[N, 8]) -> f32[N, 8] bath N {\n                                     ^");
    const lead = await cli('ir', join(dir, 'lead.fib'), '--entry', 'M', '--bind', 'N=2');
    expectOneLineError(lead, 'lead.fib:2:44: error: batch K of entry M is not the leading dim of any input; write it first in an input\'s type, as in x: f32[K, ...]');
  });
});
