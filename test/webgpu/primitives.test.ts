import { describe, expect, it } from 'vitest';
import type { GraphBuilder } from '../../src/ir/builder.js';
import { gradGraph } from '../../src/ir/grad.js';
import { randomTensor } from '../../src/ir/gradcheck.js';
import { interpret } from '../../src/ir/interpret.js';
import type { Node } from '../../src/ir/node.js';
import { HostTensor } from '../../src/ir/tensor.js';
import { relativeMaxError } from '../../src/ir/compare.js';
import { graphOf, T } from '../helpers.js';
import { gpu } from './gpu.js';

/**
 * Every primitive lowered to WGSL and run on the WebGPU device, forward and backward (the
 * backward graph is ordinary IR, so its kernels are tested the same way), in the unfused
 * mode (one kernel per primitive) and the fused mode, against the Float64 interpreter.
 */
async function check(inputs: Record<string, HostTensor>, body: (b: GraphBuilder, x: Record<string, Node>) => Node, tol = 2e-5): Promise<void> {
  const { graph, feeds } = graphOf(inputs, body);
  const floatInputs = Object.entries(inputs).filter(([, t]) => t.dtype === 'f32').map(([k]) => k);
  const back = floatInputs.length > 0 && graph.outputs[0]!.node.dtype === 'f32' ? gradGraph(graph, floatInputs) : graph;
  const seedFeeds = new Map(feeds);
  for (const i of back.inputs) {
    const name = (i.op as { name: string }).name;
    if (!seedFeeds.has(name)) seedFeeds.set(name, randomTensor(i.shape, 77));
  }
  const expected = interpret(back, seedFeeds);
  for (const mode of ['unfused', 'fused'] as const) {
    const device = await gpu(mode);
    const actual = await device.run(back, seedFeeds);
    for (const [name, e] of expected) {
      expect(relativeMaxError(actual.get(name)!, e, 1), `${mode} ${name}`).toBeLessThan(tol);
    }
  }
}

const x = randomTensor([2, 3, 4], 1);
const y = randomTensor([2, 3, 4], 2);
const pos = new HostTensor([2, 3, 4], 'f32', randomTensor([2, 3, 4], 3).data.map((v) => 0.5 + Math.abs(v)));

describe('WGSL primitives equal the interpreter, forward and backward', () => {
  it('unary functions', async () => {
    for (const fn of ['neg', 'exp', 'tanh', 'erf', 'abs', 'sigmoid', 'floor'] as const) await check({ x }, (b, n) => b.unary(fn, n.x!));
    for (const fn of ['log', 'sqrt', 'rsqrt', 'recip'] as const) await check({ x: pos }, (b, n) => b.unary(fn, n.x!));
  });
  it('binary functions and comparisons', async () => {
    for (const fn of ['add', 'sub', 'mul', 'div', 'max', 'min', 'lt', 'le', 'gt', 'ge', 'eq', 'ne'] as const) await check({ x, y }, (b, n) => b.binary(fn, n.x!, n.y!));
    await check({ x: pos, y }, (b, n) => b.binary('pow', n.x!, n.y!));
  });
  it('integer arithmetic floors like the interpreter', async () => {
    const a = T([6], [7, -7, 7, -7, 0, 5], 'i32');
    const c = T([6], [2, 2, -2, -2, 3, 5], 'i32');
    for (const fn of ['div', 'mod', 'add', 'mul'] as const) await check({ a, c }, (b, n) => b.binary(fn, n.a!, n.c!));
  });
  it('where, const, iota and cast', async () => {
    await check({ c: T([3, 1], [1, 0, 1]), x: randomTensor([3, 4], 4), y: randomTensor([3, 4], 5) }, (b, n) => b.where(n.c!, n.x!, n.y!));
    await check({ x: randomTensor([2, 3], 6) }, (b, n) => b.binary('add', n.x!, b.cast(b.iota([2, 3], 1, 'i32'), 'f32')));
    await check({ x: randomTensor([2, 3], 6) }, (b, n) => b.cast(b.binary('mul', n.x!, b.constant(10, [2, 3], 'f32')), 'i32'));
  });
  it('reductions and matmul', async () => {
    await check({ x }, (b, n) => b.reduce('sum', n.x!, [1]));
    await check({ x }, (b, n) => b.reduce('max', n.x!, [0, 2]));
    await check({ a: randomTensor([2, 3, 5], 7), w: randomTensor([5, 4], 8) }, (b, n) => b.matmul(n.a!, n.w!));
    // Rows of 16: the loops take four steps at a time as vec4 (a softmax's max and its sum of
    // exp(x - max), whose max is splatted), and the element-wise exp(x - max) / sum writes four
    // elements per invocation.
    await check({ s: randomTensor([3, 16], 9) }, (b, n) => {
      const max = b.reduce('max', n.s!, [1]);
      const e = b.unary('exp', b.binaryBroadcast('sub', n.s!, max));
      return b.binaryBroadcast('div', e, b.reduce('sum', e, [1]));
    });
  });
  it('register-tiled matmuls: partial tiles, batches, fused epilogues', async () => {
    // 6x7 outputs: 4x4 tiles with ragged edges; the bias add and tanh run on the accumulators.
    await check({ a: randomTensor([6, 5], 12), w: randomTensor([5, 7], 13), bias: randomTensor([7], 14) }, (b, n) =>
      b.unary('tanh', b.binaryBroadcast('add', b.matmul(n.a!, n.w!), n.bias!)));
    await check({ a: randomTensor([3, 9, 4], 15), w: randomTensor([3, 4, 10], 16) }, (b, n) => b.matmul(n.a!, n.w!));
    // Wide enough that a subgroup of lanes holds tiles of the same rows (shared by subgroupBroadcast
    // where the adapter has subgroups), with a ragged last row tile and an element-wise prologue.
    await check({ a: randomTensor([2, 10, 6], 17), w: randomTensor([6, 64], 18) }, (b, n) =>
      b.matmul(b.unary('exp', b.binary('mul', n.a!, b.constant(0.5, [2, 10, 6], 'f32'))), n.w!));
    // k a multiple of 4: the loop takes four steps per iteration as vec4 operands and dot
    // products, with and without subgroup sharing.
    await check({ a: randomTensor([2, 10, 12], 19), w: randomTensor([12, 64], 20) }, (b, n) => b.matmul(n.a!, n.w!));
    await check({ a: randomTensor([6, 8], 21), w: randomTensor([8, 7], 22) }, (b, n) => b.matmul(n.a!, n.w!));
    // Tiles taller than the subgroup (32 and 16 rows: each lane loads rows in groups of 8),
    // with the epilogue (bias, tanh) as a loop over the tile's rows.
    await check({ a: randomTensor([2, 64, 16], 23), w: randomTensor([16, 32], 24), bias: randomTensor([32], 25) }, (b, n) =>
      b.unary('tanh', b.binaryBroadcast('add', b.matmul(n.a!, n.w!), n.bias!)));
    await check({ a: randomTensor([40, 12], 26), w: randomTensor([12, 32], 27) }, (b, n) => b.matmul(n.a!, n.w!));
    // An operand scaled by a constant (attention's q / sqrt(d)) is still one vec4 load, times the constant.
    await check({ a: randomTensor([2, 32, 8], 28), w: randomTensor([2, 8, 32], 29) }, (b, n) =>
      b.matmul(b.binary('mul', n.a!, b.constant(0.25, [2, 32, 8], 'f32')), n.w!));
    // Few rows, many columns: with subgroups the tile is transposed (its rows run along the
    // output's columns, each lane holding 5 of the 37 rows: a ragged last column tile), the
    // operand a + shift is computed on vec4s, and the bias and tanh run in the epilogue.
    await check({ a: randomTensor([37, 16], 30), shift: randomTensor([16], 31), w: randomTensor([16, 768], 32), bias: randomTensor([768], 33) }, (b, n) =>
      b.unary('tanh', b.binaryBroadcast('add', b.matmul(b.binaryBroadcast('add', n.a!, n.shift!), n.w!), n.bias!)));
    // A sum over the batch of per-example products (a weight gradient): one contraction over
    // batch x k, tiled, its index split back into example and step (k = 6: not whole vec4 runs).
    await check({ a: randomTensor([3, 10, 6], 34), w: randomTensor([3, 6, 9], 35) }, (b, n) => b.reduce('sum', b.matmul(n.a!, n.w!), [0]));
  });
  it('movement: reshape, permute, broadcast, slice, pad, roll, concat', async () => {
    await check({ x }, (b, n) => b.permute(b.reshape(n.x!, [6, 4]), [1, 0]));
    await check({ x }, (b, n) => b.permute(n.x!, [2, 0, 1]));
    await check({ a: randomTensor([3, 1], 9) }, (b, n) => b.broadcastTo(n.a!, [2, 3, 4]));
    await check({ x }, (b, n) => b.slice(n.x!, [1, 1, 0], [1, 2, 3]));
    await check({ x }, (b, n) => b.pad(n.x!, [0, 1, 2], [1, 0, 1]));
    await check({ x }, (b, n) => b.roll(b.roll(n.x!, 2, 2), -1, 1));
    await check({ x, y }, (b, n) => b.concat([n.x!, n.y!], 1));
  });
  it('gather and scatter_add', async () => {
    const idx = T([2, 3], [0, 2, 2, 1, 0, 5], 'i32');
    await check({ table: randomTensor([4, 3], 10), idx }, (b, n) => b.gather(n.table!, n.idx!));
    await check({ idx, u: randomTensor([2, 3, 2], 11) }, (b, n) => b.scatterAdd(n.idx!, n.u!, 4));
    // Big enough to be register-tiled as a one-hot contraction, rows shared across the subgroup.
    const many = T([64], Array.from({ length: 64 }, (_, i) => (i * 7) % 41), 'i32');
    await check({ idx: many, u: randomTensor([64, 32], 12) }, (b, n) => b.scatterAdd(n.idx!, n.u!, 40));
  });
});
