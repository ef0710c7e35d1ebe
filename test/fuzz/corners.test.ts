import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { Graph } from '../../src/ir/graph.js';
import { interpret } from '../../src/ir/interpret.js';
import { HostTensor } from '../../src/ir/tensor.js';
import type { Device } from '../../src/runtime/device.js';
import { CudaDevice } from '../../src/runtime/cuda/device.js';
import { SimulatedCudaDriver } from '../../src/runtime/ptxsim/driver.js';
import { PTXAS } from '../ptx/helpers.js';
import { gpu } from '../webgpu/gpu.js';

/**
 * Regression tests for the corners the IR spec defines (spec/ir.md, "Corner cases"), each
 * once found giving a silently wrong answer on some backend.
 */

const ROOT = resolve(__dirname, '../..');
const sim = CudaDevice.withDriver(new SimulatedCudaDriver());

async function devices(): Promise<[string, Device][]> {
  return [['webgpu', await gpu('fused')], ['webgpu-unfused', await gpu('unfused')], ['cuda-sim', sim]];
}

function powGraph(n: number): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [n], 'f32');
  const y = b.input('y', [n], 'f32');
  return new Graph([x, y], [], [{ name: 'p', node: b.binary('pow', x, y) }]);
}

describe('x ** y follows C99 pow on every backend', () => {
  // Finite cases: every backend. (-2) ** -1 was NaN on WebGPU and cuda-sim; 0 ** 0 was 0.
  const finite: [number, number, number][] = [
    [-2, -1, -0.5], [0, 0, 1], [-3, 2, 9], [-2, 3, -8], [-0.5, -2, 4], [2, 0.5, Math.SQRT2], [0, 2, 0], [5, 0, 1], [1, 7.5, 1], [-1, 3, -1], [3, -2, 1 / 9], [1e-3, 2, 1e-6],
  ];
  it('finite bases and exponents, negative bases included', async () => {
    const feeds = new Map([['x', HostTensor.from([finite.length], finite.map((c) => c[0]))], ['y', HostTensor.from([finite.length], finite.map((c) => c[1]))]]);
    const graph = powGraph(finite.length);
    expect(Array.from(interpret(graph, feeds).get('p')!.data)).toEqual(finite.map((c) => c[2]));
    for (const [name, d] of await devices()) {
      const got = (await d.run(graph, feeds)).get('p')!.data;
      finite.forEach((c, i) => expect(got[i]!, `${name}: ${c[0]} ** ${c[1]}`).toBeCloseTo(c[2], 5));
    }
  });

  it('NaN, infinities and signed zeros where IEEE semantics hold (interpreter, PTX)', async () => {
    const cases: [number, number, number][] = [
      [-8, 1 / 3, NaN], [NaN, 0, 1], [1, NaN, 1], [-1, Infinity, 1], [0, -1, Infinity], [-0, -1, -Infinity], [-0, 3, -0], [Infinity, -2, 0], [-Infinity, 3, -Infinity], [2, Infinity, Infinity], [0.5, Infinity, 0], [NaN, 2, NaN],
    ];
    const feeds = new Map([['x', HostTensor.from([cases.length], cases.map((c) => c[0]))], ['y', HostTensor.from([cases.length], cases.map((c) => c[1]))]]);
    const graph = powGraph(cases.length);
    expect(Array.from(interpret(graph, feeds).get('p')!.data)).toEqual(cases.map((c) => c[2]));
    const got = (await sim.run(graph, feeds)).get('p')!.data;
    cases.forEach((c, i) => expect(Object.is(got[i], c[2]) || got[i] === c[2], `cuda-sim: ${c[0]} ** ${c[1]} = ${got[i]}`).toBe(true));
  });
});

describe('ids outside the i32 range are an error, not a wrap', () => {
  const b = new GraphBuilder();
  const table = b.input('table', [4, 2], 'f32');
  const ids = b.input('ids', [3], 'i32');
  const graph = new Graph([table, ids], [], [{ name: 'rows', node: b.gather(table, ids) }]);

  it('on every device backend, naming the tensor, the value and its position', async () => {
    const feeds = new Map([['table', HostTensor.from([4, 2], [1, 2, 3, 4, 5, 6, 7, 8])], ['ids', HostTensor.from([3], [0, 2 ** 32, 1], 'i32')]]);
    for (const [name, d] of await devices()) {
      await expect(d.run(graph, feeds), name).rejects.toThrow("input 'ids' (i32[3]) holds 4294967296 at [1], outside the i32 range");
    }
  });

  it('ids inside the i32 range but past the table read zero rows everywhere', async () => {
    const feeds = new Map([['table', HostTensor.from([4, 2], [1, 2, 3, 4, 5, 6, 7, 8])], ['ids', HostTensor.from([3], [2 ** 31 - 1, -(2 ** 31), 3], 'i32')]]);
    for (const [name, d] of await devices()) expect(Array.from((await d.run(graph, feeds)).get('rows')!.data), name).toEqual([0, 0, 0, 0, 7, 8]);
  });

  it('fiberc run rejects an I64 id of 2^31 from the inputs file (exit 1, one line)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fiberc-ids-'));
    const file = join(dir, 'in.safetensors');
    writeFileSync(file, safetensorsWithI64Ids([1, 4], [5, 2 ** 31, 7, 9]));
    let err = '';
    const code = await main(['run', join(ROOT, 'examples/fiber.fib'), '--entry', 'FiberTiny', '--inputs', file, '--out', join(dir, 'out.safetensors')], { out: () => {}, err: (s) => (err += `${s}\n`) });
    expect(code).toBe(1);
    expect(err).toContain("input 'ids' (i32[1,4]) holds 2147483648 at [0, 1], outside the i32 range");
  });
});

/** A safetensors file with `pixels`, `mask` (F32) and `ids` (I64) for FiberTiny. */
function safetensorsWithI64Ids(shape: [number, number], ids: number[]): Buffer {
  const pixels = 3 * 64 * 64 * shape[0];
  const header: Record<string, unknown> = {};
  let offset = 0;
  const add = (name: string, dtype: string, dims: number[], bytes: number): void => {
    header[name] = { dtype, shape: dims, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  };
  add('pixels', 'F32', [shape[0], 3, 64, 64], pixels * 4);
  add('mask', 'F32', shape, shape[0] * shape[1] * 4);
  add('ids', 'I64', shape, ids.length * 8);
  const json = Buffer.from(JSON.stringify(header));
  const data = Buffer.alloc(offset);
  for (let i = 0; i < shape[0] * shape[1]; i++) data.writeFloatLE(1, pixels * 4 + i * 4);
  ids.forEach((v, i) => data.writeBigInt64LE(BigInt(v), pixels * 4 + shape[0] * shape[1] * 4 + i * 8));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, data]);
}

describe('empty tensors work on every backend', () => {
  it('a batch of 0 and a matmul with an empty inner or outer dim', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', [0, 6], 'f32');
    const w = b.input('w', [6, 3], 'f32');
    const v = b.input('v', [3, 0], 'f32');
    const u = b.input('u', [2, 0], 'f32');
    const graph = new Graph([x, w, v, u], [], [
      { name: 'xw', node: b.unary('tanh', b.matmul(x, w)) },                  // [0, 3]
      { name: 'sum', node: b.reduce('sum', x, [0]) },                          // [1, 6] of zeros
      { name: 'wv', node: b.matmul(w, v) },                                    // [6, 0]
      { name: 'uk', node: b.binary('add', b.matmul(u, b.transpose(u, 0, 1)), b.constant(1, [2, 2], 'f32')) }, // k = 0: all 1
      { name: 'cat', node: b.concat([b.reshape(x, [6, 0]), b.constant(2, [6, 1], 'f32')], 1) },
    ]);
    const feeds = new Map([['x', HostTensor.zeros([0, 6])], ['w', HostTensor.from([6, 3], [...Array(18).keys()])], ['v', HostTensor.zeros([3, 0])], ['u', HostTensor.zeros([2, 0])]]);
    const expected = interpret(graph, feeds);
    expect(Array.from(expected.get('uk')!.data)).toEqual([1, 1, 1, 1]);
    for (const [name, d] of await devices()) {
      const got = await d.run(graph, feeds);
      for (const [k, e] of expected) {
        expect(got.get(k)!.shape, `${name}: ${k}`).toEqual(e.shape);
        expect(Array.from(got.get(k)!.data), `${name}: ${k}`).toEqual(Array.from(e.data));
      }
    }
  });
});

describe('tanh near zero on PTX', () => {
  it('keeps the sign and the size of tiny inputs (it gave +0 for -1e-40, so 1/tanh had the wrong sign; found by the fuzzer)', async () => {
    const xs = [-1e-40, 1e-40, -1e-6, 3e-4, -0.05, 0.0999, 0.1, -0.7, 2.5, -30];
    const b = new GraphBuilder();
    const x = b.input('x', [xs.length], 'f32');
    const graph = new Graph([x], [], [{ name: 't', node: b.unary('tanh', x) }]);
    const got = (await sim.run(graph, new Map([['x', HostTensor.from([xs.length], xs)]]))).get('t')!.data;
    xs.forEach((v, i) => {
      const want = Math.fround(Math.tanh(Math.fround(v)));
      expect(Math.sign(got[i]!), `tanh(${v})`).toBe(Math.sign(want));
      expect(Math.abs(got[i]! - want), `tanh(${v})`).toBeLessThanOrEqual(2e-6 * Math.abs(want) + 1e-45);
    });
  });
});

describe('i32 arithmetic wraps everywhere', () => {
  it('products and sums of a matmul, exactly (a Float64 sum of 2^62-sized products is not; found by the fuzzer)', async () => {
    const b = new GraphBuilder();
    const ids = b.input('ids', [1, 2], 'i32');
    const graph = new Graph([ids], [], [{ name: 'gram', node: b.matmul(ids, b.transpose(ids, 0, 1)) }, { name: 'sum', node: b.reduce('sum', ids, [1]) }]);
    const feeds = new Map([['ids', HostTensor.from([1, 2], [2147483647, 2147483647], 'i32')]]);
    // (2^31 - 1)^2 * 2 = 2 mod 2^32; (2^31 - 1) * 2 = -2 mod 2^32.
    expect(Array.from(interpret(graph, feeds).get('gram')!.data)).toEqual([2]);
    expect(Array.from(interpret(graph, feeds).get('sum')!.data)).toEqual([-2]);
    for (const [name, d] of await devices()) {
      const got = await d.run(graph, feeds);
      expect([got.get('gram')!.data[0], got.get('sum')!.data[0]], name).toEqual([2, -2]);
    }
  });
});

describe('guarded reads that can never be in range', () => {
  it('are 0 outright, not a load at a constant index outside the tensor (WGSL rejects buf[-1]; found by the fuzzer)', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', [1, 3], 'f32');
    const y = b.input('y', [1, 3], 'f32');
    // Row 0 of concat([x, y]) is x: the piece of y there would read y at row -1.
    const graph = new Graph([x, y], [], [{ name: 'first', node: b.unary('neg', b.slice(b.concat([x, y], 0), [0, 0], [1, 3])) }]);
    const feeds = new Map([['x', HostTensor.from([1, 3], [1, 2, 3])], ['y', HostTensor.from([1, 3], [4, 5, 6])]]);
    for (const [name, d] of await devices()) expect(Array.from((await d.run(graph, feeds)).get('first')!.data), name).toEqual([-1, -2, -3]);
  });
});

describe('concat keeps signed zeros', () => {
  it('-0 stays -0 on every device (PTX summed the guarded pieces, +0 + -0 = +0, so 1/x changed sign; found by the fuzzer)', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', [2, 3], 'f32');
    const y = b.input('y', [1, 3], 'f32');
    const graph = new Graph([x, y], [], [{ name: 'inv', node: b.binary('div', b.constant(1, [3, 3], 'f32'), b.concat([x, y], 0)) }]);
    const feeds = new Map([['x', HostTensor.from([2, 3], [-0, 0, -0, 1, -0, 2])], ['y', HostTensor.from([1, 3], [-0, 0, 4])]]);
    const want = Array.from(interpret(graph, feeds).get('inv')!.data);
    expect(want).toEqual([-Infinity, Infinity, -Infinity, 1, -Infinity, 0.5, -Infinity, Infinity, 0.25]);
    // IEEE backends only: WGSL lets a compiler assume no infinities (spec/ir.md, "Corner cases").
    const got = Array.from((await sim.run(graph, feeds)).get('inv')!.data);
    expect(got).toEqual(want);
  });
});

describe('a register-tiled contraction cast to i32', () => {
  it('stores integers on every device (PTX stored the i32 result with st.f32: -1 read back as 0xBF800000; found by the fuzzer)', async () => {
    const b = new GraphBuilder();
    const ids = b.input('ids', [1, 5], 'i32');
    const x = b.input('x', [1, 5, 4], 'f32');
    const graph = new Graph([ids, x], [], [{ name: 'o', node: b.cast(b.scatterAdd(ids, x, 4), 'i32') }]);
    const feeds = new Map([['ids', HostTensor.from([1, 5], [0, 1, 2, 3, 0], 'i32')], ['x', HostTensor.from([1, 5, 4], Array.from({ length: 20 }, (_, i) => (i % 3) - 1))]]);
    const want = Array.from(interpret(graph, feeds).get('o')!.data);
    expect(want.slice(0, 4)).toEqual([-1, 1, 0, -1]);
    for (const [name, d] of await devices()) expect(Array.from((await d.run(graph, feeds)).get('o')!.data), name).toEqual(want);
  });
});

describe('fiberc plan --target ptx reports ptxas for every kernel', () => {
  it.skipIf(!PTXAS)(`stitched (owner-phased) kernels included${PTXAS ? '' : ' (skipped: ptxas not found)'}`, async () => {
    let out = '';
    const code = await main(['plan', join(ROOT, 'examples/fiber.fib'), '--entry', 'ImageFusionBlockTiny', '--bind', 'B=2', '--bind', 'T=8', '--target', 'ptx', '--json'], { out: (s) => (out += s), err: () => {} });
    if (code !== 0) return expect.fail(`plan exited ${code}`);
    const report = JSON.parse(out) as { kernels: { name: string; phases: string[]; ptxas?: { registers: number } }[] };
    expect(report.kernels[0]!.phases.length).toBeGreaterThan(1);
    for (const k of report.kernels) expect(k.ptxas?.registers, k.name).toBeGreaterThan(0);
  });
});
