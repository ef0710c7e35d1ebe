import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors } from '../../src/fiber/safetensors.js';
import { relativeMaxError } from '../../src/ir/compare.js';
import { gradGraph } from '../../src/ir/grad.js';
import { interpret } from '../../src/ir/interpret.js';
import { buildGraph } from '../../src/dsl/entry.js';
import { loadProgram } from '../../src/dsl/loader.js';
import { HostTensor } from '../../src/ir/tensor.js';
import { cli, ROOT } from './run-cli.js';

/** fiberc inputs, run --grad and demo FILE: backward passes and checks without writing code. */

const REG = `import "std/nn.fib"
module Reg {
  let fc = Linear(4, 2)
  forward(x: f32[B, 4]) -> (loss: f32[], y: f32[B, 2]) {
    let y = fc(x)
    return (sum(y * y), y)
  }
}
`;

function workspace(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fiberc-tools-'));
  const file = join(dir, 'reg.fib');
  writeFileSync(file, REG);
  return { dir, file };
}

describe('fiberc inputs', () => {
  it('writes every input with its name, shape and dtype; ids inside their tables, masks padded; or zeros', async () => {
    const { dir } = workspace();
    const out = join(dir, 'in.safetensors');
    const r = await cli('inputs', join(ROOT, 'examples/fiber.fib'), '--entry', 'FiberTiny', '--bind', 'B=2', '--bind', 'T=6', '--out', out);
    expect(r.code).toBe(0);
    const t = readSafetensors(out);
    expect([...t.keys()].sort()).toEqual(['ids', 'mask', 'pixels']);
    expect(t.get('pixels')!.shape).toEqual([2, 3, 64, 64]);
    const graph = buildGraph(loadProgram(join(ROOT, 'examples/fiber.fib')), 'FiberTiny', { bindings: { B: 2, T: 6 } });
    const rows = graph.params.find((p) => (p.op as { name: string }).name.endsWith('word_embeddings.weight'))!.shape[0]!;
    expect(Math.max(...t.get('ids')!.data)).toBeLessThan(rows);
    expect(Array.from(t.get('mask')!.data)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
    await cli('inputs', join(ROOT, 'examples/fiber.fib'), '--entry', 'FiberTiny', '--bind', 'B=2', '--bind', 'T=6', '--out', out, '--zeros');
    expect(readSafetensors(out).get('pixels')!.data.every((v) => v === 0)).toBe(true);
    // The file it writes runs as is.
    expect((await cli('run', join(ROOT, 'examples/fiber.fib'), '--entry', 'FiberTiny', '--inputs', out, '--out', join(dir, 'o.safetensors'))).code).toBe(0);
  });
});

describe('fiberc run --grad', () => {
  it('writes the gradients of a scalar output, or of a named output seeded from the inputs file, equal to autodiff', async () => {
    const { dir, file } = workspace();
    const inputs = join(dir, 'in.safetensors');
    const x = HostTensor.from([3, 4], [...Array(12).keys()].map((i) => Math.sin(i)));
    const seed = HostTensor.from([3, 2], [1, 0, 0, 2, -1, 0.5]);
    writeSafetensors(inputs, new Map([['x', x]]));
    const out = join(dir, 'g.safetensors');
    const r = await cli('run', file, '--entry', 'Reg', '--inputs', inputs, '--out', out, '--grad', 'loss', '--save-params', join(dir, 'p.safetensors'));
    expect(r.code).toBe(0);
    const got = readSafetensors(out);
    expect([...got.keys()].sort()).toEqual(['grad:fc.bias', 'grad:fc.weight', 'grad:x', 'loss', 'y']);
    // Against autodiff on the interpreter with the same params and seeds (loss: 1, y: 0).
    const forward = buildGraph(loadProgram(file), 'Reg', { bindings: { B: 3 } });
    const params = readSafetensors(join(dir, 'p.safetensors'));
    const feeds = new Map([...params, ['x', x], ['grad:loss', HostTensor.from([], [1])], ['grad:y', HostTensor.zeros([3, 2])]]);
    const expected = interpret(gradGraph(forward), feeds);
    // (The run used the unrounded initial params; the file holds them in f32.)
    for (const name of ['grad:x', 'grad:fc.weight']) expect(relativeMaxError(got.get(name)!, expected.get(name)!, 1), name).toBeLessThan(1e-6);

    // A non-scalar output takes its seed from the inputs file.
    writeSafetensors(inputs, new Map([['x', x], ['grad:y', seed]]));
    const r2 = await cli('run', file, '--entry', 'Reg', '--inputs', inputs, '--params', join(dir, 'p.safetensors'), '--out', out, '--grad', 'y');
    expect(r2.code).toBe(0);
    const e2 = interpret(gradGraph(forward), new Map([...params, ['x', x], ['grad:loss', HostTensor.from([], [0])], ['grad:y', seed]]));
    expect(relativeMaxError(readSafetensors(out).get('grad:x')!, e2.get('grad:x')!, 1)).toBeLessThan(1e-6);
  });

  it('says what is missing: several outputs, an unknown output, a non-scalar output without a seed', async () => {
    const { dir, file } = workspace();
    const inputs = join(dir, 'in.safetensors');
    writeSafetensors(inputs, new Map([['x', HostTensor.zeros([3, 4])]]));
    const run = (...extra: string[]): Promise<{ code: number; err: string }> => cli('run', file, '--entry', 'Reg', '--inputs', inputs, '--out', join(dir, 'o.safetensors'), ...extra);
    expect((await run('--grad')).err).toContain('the entry has several outputs (loss, y); name the one to differentiate');
    expect((await run('--grad', 'z')).err).toContain("the entry has no output 'z' (outputs: loss, y)");
    const r = await run('--grad', 'y');
    expect(r.code).toBe(1);
    expect(r.err).toContain("the output is f32[3,2], not a scalar; put its seed gradient in the inputs file as 'grad:y'");
  });
});

describe('fiberc demo FILE', () => {
  it('runs the demo checks (plan, WebGPU vs interpreter, gradient check) on any entry', async () => {
    const { file } = workspace();
    const r = await cli('demo', file, '--entry', 'Reg', '--bind', 'B=3');
    expect(r.code).toBe(0);
    expect(r.out).toContain('plan for Reg on wgsl');
    const row = r.out.split('\n').find((l) => l.startsWith('Reg '))!;
    const [err, grad] = [...row.matchAll(/(\d\.\de[-+]\d+)/g)].map((m) => Number(m[1]));
    expect(err).toBeLessThan(1e-5);
    expect(grad).toBeLessThan(1e-4);
  });
});
