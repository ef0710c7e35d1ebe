import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../src/dsl/entry.js';
import { loadProgram } from '../../src/dsl/loader.js';
import { relativeMaxError } from '../../src/ir/compare.js';
import { gradGraph } from '../../src/ir/grad.js';
import { gradientSamples, randomTensor } from '../../src/ir/gradcheck.js';
import { interpret } from '../../src/ir/interpret.js';
import { CudaDevice } from '../../src/runtime/cuda/device.js';
import { SimulatedCudaDriver } from '../../src/runtime/ptxsim/driver.js';
import { checkSource } from '../helpers.js';
import { gpu } from '../webgpu/gpu.js';

/**
 * What variant-writers reach for: sin/cos (RoPE), relu, pow, tensor literals, stack, NumPy
 * slicing and indexing, einsum, namespaced imports and an import search path. Each is
 * checked for its meaning on the interpreter, its gradient against finite differences, and
 * on WebGPU and the PTX simulator against the interpreter.
 */

function fileWith(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fiberc-lang-'));
  const file = join(dir, 'variant.fib');
  writeFileSync(file, text);
  return file;
}

const VARIANT = `import "std/nn.fib"
# RoPE-style rotation with a literal frequency table, relu/pow, slicing, einsum, stack.
module Variant {
  forward(x: f32[B, T, 4], y: f32[B, 4, T]) -> (rot: f32[B, T, 2], first: f32[B, T], mid: f32[B, 2, T], scores: f32[B, T, T], both: f32[2, B, T, 4]) {
    let freq = [1.0, 0.5]
    let even = x[..., 0:2] * freq
    let rot = sin(even) * x[:, :, 2:] + cos(even) * x[..., -2:]
    let act = relu(x) + pow(x * x + 1.0, 0.5)
    return (rot, act[:, :, 0], act[..., 1:3].T, einsum("btd,bds->bts", x, y), stack([x, act], 0))
  }
}
`;

describe('language features for variants', () => {
  const program = loadProgram(fileWith(VARIANT));
  const graph = buildGraph(program, 'Variant', { bindings: { B: 2, T: 3 } });
  const x = randomTensor([2, 3, 4], 1);
  const y = randomTensor([2, 4, 3], 2);
  const feeds = new Map([['x', x], ['y', y]]);
  const out = interpret(graph, feeds);
  const at = (t: { data: ArrayLike<number>; shape: readonly number[] }, ...i: number[]): number => {
    let flat = 0;
    i.forEach((v, k) => (flat = flat * t.shape[k]! + v));
    return t.data[flat]!;
  };

  it('mean what NumPy and PyTorch mean by them (interpreter)', () => {
    // rot[b, t, j] = sin(x[b,t,j] * f_j) * x[b,t,2+j] + cos(x[b,t,j] * f_j) * x[b,t,2+j]
    const f = [1, 0.5];
    for (const [b, t, j] of [[0, 0, 0], [1, 2, 1]] as const) {
      const e = at(x, b, t, j) * f[j]!;
      expect(at(out.get('rot')!, b, t, j)).toBeCloseTo(Math.sin(e) * at(x, b, t, 2 + j) + Math.cos(e) * at(x, b, t, 2 + j), 12);
    }
    const act = (v: number): number => Math.max(v, 0) + Math.sqrt(v * v + 1);
    expect(at(out.get('first')!, 1, 2)).toBeCloseTo(act(at(x, 1, 2, 0)), 12);
    expect(at(out.get('mid')!, 0, 1, 2)).toBeCloseTo(act(at(x, 0, 2, 2)), 12); // [..., 1:3].T
    let dot = 0;
    for (let d = 0; d < 4; d++) dot += at(x, 1, 0, d) * at(y, 1, d, 2);
    expect(at(out.get('scores')!, 1, 0, 2)).toBeCloseTo(dot, 12);
    expect(at(out.get('both')!, 0, 1, 2, 3)).toBe(at(x, 1, 2, 3));
    expect(at(out.get('both')!, 1, 1, 2, 3)).toBeCloseTo(act(at(x, 1, 2, 3)), 12);
  });

  it('differentiate: autodiff equals finite differences', () => {
    const samples = gradientSamples(graph, feeds, ['x', 'y'], 6);
    for (const s of samples) expect(Math.abs(s.autodiff - s.numeric), `${s.leaf}[${s.index}]`).toBeLessThan(1e-5 * Math.max(1, Math.abs(s.numeric)));
  });

  it('run on WebGPU (fused) and the PTX simulator as on the interpreter, forward and backward', async () => {
    const backward = gradGraph(graph);
    const all = new Map(feeds);
    graph.outputs.forEach((o, i) => all.set(`grad:${o.name}`, randomTensor(o.node.shape, 10 + i)));
    const expected = interpret(backward, all);
    for (const device of [await gpu('fused'), CudaDevice.withDriver(new SimulatedCudaDriver())]) {
      const got = await device.run(backward, all);
      for (const [name, e] of expected) expect(relativeMaxError(got.get(name)!, e, 1), `${device.name}: ${name}`).toBeLessThan(1e-5);
    }
  });

  it('report misuse at the call with both sides named', () => {
    const check = (body: string): string => checkSource({ 'main.fib': `import "std/nn.fib"\nmodule M {\n  forward(x: f32[2, 3]) -> f32[2, 3] {\n    ${body}\n  }\n}\n` });
    expect(check('return x[0, 0, 0]')).toContain('3 subscripts for f32[2,3], which has 2 axes');
    expect(check('return x[5]')).toContain('index 5 is out of range for axis 0 of f32[2,3]');
    expect(check('return x[..., ...]')).toContain("at most one '...'");
    expect(check('return x * [[1.0, 2.0], [3.0]]')).toContain('ragged');
    expect(check('return einsum("ij,jk->ik", x, x)')).toContain("index 'j' is 3 in one place and 2 in another");
    expect(check('return einsum("ii->i", x)')).toContain('diagonals are not supported');
    expect(check('return stack([x, x[0]], 0)')).toContain('differ in shape');
    expect(check('return x * tensor([for_ok])')).toContain("unknown name 'for_ok'");
    expect(check('return x + sin(x) * relu(cos(x)) + pow(x, 2.0) + tensor([[1, 2, 3], [4, 5, 6]], f32)')).toBe('ok');
  });
});

describe('the example in spec/language.md', () => {
  it('builds, runs on the interpreter and on WebGPU alike', async () => {
    const spec = readFileSync(join(__dirname, '../../spec/language.md'), 'utf8');
    const block = spec.slice(spec.indexOf('A variant using them')).split('```')[1]!;
    const graph = buildGraph(loadProgram(fileWith(block)), 'RotaryScores', { bindings: { B: 2, T: 3 } });
    const feeds = new Map([['x', randomTensor([2, 3, 4], 5)], ['k', randomTensor([2, 3, 4], 6)]]);
    const expected = interpret(graph, feeds);
    const got = await (await gpu('fused')).run(graph, feeds);
    for (const [name, e] of expected) expect(relativeMaxError(got.get(name)!, e, 1), name).toBeLessThan(1e-5);
  });
});

describe('namespaced imports and the search path', () => {
  it('a user name may equal a std name when std comes through a namespace', () => {
    const ok = checkSource({ 'main.fib': 'import "std/nn.fib" as nn\nfn softmax(x: tensor) {\n  return nn.softmax(x * 2.0)\n}\nmodule M {\n  forward(x: f32[2, 3]) -> f32[2, 3] {\n    return softmax(x)\n  }\n}\n' });
    expect(ok).toBe('ok');
    const clash = checkSource({ 'main.fib': 'import "std/nn.fib"\nfn softmax(x: tensor) {\n  return x\n}\n' });
    expect(clash).toContain("'softmax' is already defined");
    const typo = checkSource({ 'main.fib': 'import "std/nn.fib" as nn\nmodule M {\n  forward(x: f32[2, 3]) -> f32[2, 3] {\n    return nn.sofmax(x)\n  }\n}\n' });
    expect(typo).toContain("namespace nn: unknown name 'sofmax'; did you mean 'softmax'?");
  });

  it('a file outside the repository imports fiber.fib from the installed examples, or from --lib folders', () => {
    const file = fileWith('import "fiber.fib" as fib\nmodule Mine {\n  let layer = fib.TextFusionLayerTiny()\n  forward(h: f32[B, T, 32], mask: f32[B, T], image: f32[B, L, 32]) -> f32[B, T, 32] {\n    return layer(h, mask, image)\n  }\n}\n');
    const g = buildGraph(loadProgram(file), 'Mine', { bindings: { B: 1, T: 4, L: 16 } });
    expect(g.params.length).toBeGreaterThan(10);
    const lib = mkdtempSync(join(tmpdir(), 'fiberc-lib-'));
    mkdirSync(join(lib, 'blocks'));
    writeFileSync(join(lib, 'blocks', 'twice.fib'), 'fn twice(x: tensor) {\n  return x * 2.0\n}\n');
    const user = fileWith('import "blocks/twice.fib"\nmodule M {\n  forward(x: f32[2]) -> f32[2] {\n    return twice(x)\n  }\n}\n');
    expect(() => loadProgram(user)).toThrow(/cannot find imported file blocks\/twice.fib/);
    expect(buildGraph(loadProgram(user, undefined, [lib]), 'M').outputs).toHaveLength(1);
  });
});

describe('stop_gradient', () => {
  // y = x * stop_gradient(x) + stop_gradient(2) * x: the value x^2 + 2x, the gradient x + 2 (not 2x + 2).
  const graph = buildGraph(loadProgram(fileWith(`module Detached {
  forward(x: f32[2, 3]) -> f32[2, 3] {
    return x * stop_gradient(x) + stop_gradient(2.0) * x
  }
}
`)), 'Detached');
  const x = randomTensor([2, 3], 3);
  const seed = randomTensor([2, 3], 4);
  const feeds = new Map([['x', x], ['grad:out', seed]]);
  const expected = interpret(gradGraph(graph), feeds);

  it('passes the value and no gradient (interpreter)', () => {
    x.data.forEach((v, i) => {
      expect(expected.get('out')!.data[i]).toBeCloseTo(v * v + 2 * v, 12);
      expect(expected.get('grad:x')!.data[i]).toBeCloseTo(seed.data[i]! * (v + 2), 12);
    });
  });

  it('is the identity in WebGPU and PTX kernels, forward and backward', async () => {
    for (const device of [await gpu('fused'), CudaDevice.withDriver(new SimulatedCudaDriver())]) {
      const got = await device.run(gradGraph(graph), feeds);
      for (const [name, e] of expected) expect(relativeMaxError(got.get(name)!, e, 1), `${device.name}: ${name}`).toBeLessThan(1e-5);
    }
  });
});
