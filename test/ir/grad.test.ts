import { describe, expect, it } from 'vitest';
import type { GraphBuilder } from '../../src/ir/builder.js';
import { gradientSamples, randomTensor, relativeError } from '../../src/ir/gradcheck.js';
import type { Node } from '../../src/ir/node.js';
import { HostTensor } from '../../src/ir/tensor.js';
import { matchAttentions } from '../../src/ir/attention-pattern.js';
import { gradGraph } from '../../src/ir/grad.js';
import { interpret } from '../../src/ir/interpret.js';
import { graphOf, T } from '../helpers.js';

/** Every float input's gradient at every coordinate against central finite differences. */
function checkGrad(inputs: Record<string, HostTensor>, body: (b: GraphBuilder, x: Record<string, Node>) => Node, tol = 1e-6): void {
  const { graph, feeds } = graphOf(inputs, body);
  const leaves = Object.entries(inputs).filter(([, t]) => t.dtype !== 'i32').map(([k]) => k);
  const samples = gradientSamples(graph, feeds, leaves, 6, 3, 1e-6);
  for (const s of samples) {
    expect(relativeError(s.autodiff, s.numeric), `${s.leaf}[${s.index}]: autodiff ${s.autodiff} vs numeric ${s.numeric}`).toBeLessThan(tol);
  }
}

const positive = (shape: number[], seed: number) => new HostTensor(shape, 'f32', randomTensor(shape, seed).data.map((v) => 0.5 + Math.abs(v)));
const x = randomTensor([2, 3], 11);
const y = randomTensor([2, 3], 12);

describe('gradient rules against central finite differences', () => {
  for (const fn of ['neg', 'exp', 'tanh', 'erf', 'abs', 'sigmoid', 'floor'] as const) {
    it(`unary ${fn}`, () => checkGrad({ x }, (b, n) => b.unary(fn, n.x!)));
  }
  for (const fn of ['log', 'sqrt', 'rsqrt', 'recip'] as const) {
    it(`unary ${fn} (positive inputs)`, () => checkGrad({ x: positive([2, 3], 4) }, (b, n) => b.unary(fn, n.x!)));
  }
  for (const fn of ['add', 'sub', 'mul', 'div', 'max', 'min'] as const) {
    it(`binary ${fn}`, () => checkGrad({ x, y }, (b, n) => b.binary(fn, n.x!, n.y!)));
  }
  it('binary pow (positive base)', () => checkGrad({ x: positive([2, 3], 5), y }, (b, n) => b.binary('pow', n.x!, n.y!)));
  it('comparisons carry no gradient', () => checkGrad({ x, y }, (b, n) => b.binary('mul', b.binary('lt', n.x!, n.y!), n.x!)));
  it('where', () => checkGrad({ c: T([2, 3], [1, 0, 1, 0, 0, 1]), x, y }, (b, n) => b.where(n.c!, n.x!, n.y!)));
  it('reduce sum and max', () => {
    checkGrad({ x }, (b, n) => b.reduce('sum', n.x!, [1]));
    checkGrad({ x }, (b, n) => b.reduce('max', n.x!, [0]));
    checkGrad({ x }, (b, n) => b.reduce('max', n.x!, [0, 1]));
  });
  it('matmul, batched and broadcast', () => {
    checkGrad({ a: randomTensor([2, 3, 4], 1), w: randomTensor([4, 5], 2) }, (b, n) => b.matmul(n.a!, n.w!));
  });
  it('reshape, permute, broadcast', () => {
    checkGrad({ x }, (b, n) => b.reshape(n.x!, [3, 2]));
    checkGrad({ a: randomTensor([2, 3, 4], 3) }, (b, n) => b.permute(n.a!, [2, 0, 1]));
    checkGrad({ a: randomTensor([2, 1], 3) }, (b, n) => b.broadcastTo(n.a!, [3, 2, 4]));
  });
  it('slice, pad, roll, concat', () => {
    checkGrad({ a: randomTensor([3, 4], 6) }, (b, n) => b.slice(n.a!, [1, 1], [2, 2]));
    checkGrad({ a: randomTensor([3, 4], 6) }, (b, n) => b.pad(n.a!, [1, 0], [0, 2]));
    checkGrad({ a: randomTensor([3, 4], 6) }, (b, n) => b.roll(n.a!, -3, 1));
    checkGrad({ x, y }, (b, n) => b.concat([n.x!, n.y!], 0));
  });
  it('gather and scatter_add', () => {
    const idx = T([2, 3], [0, 2, 2, 1, 0, 3], 'i32');
    checkGrad({ table: randomTensor([4, 2], 8), idx }, (b, n) => b.gather(n.table!, n.idx!));
    checkGrad({ idx, u: randomTensor([2, 3, 2], 9) }, (b, n) => b.scatterAdd(n.idx!, n.u!, 5));
  });
  it('cast between float types', () => checkGrad({ x }, (b, n) => b.cast(b.cast(n.x!, 'f16'), 'f32')));
  it('a composite: softmax cross a layer norm', () => {
    checkGrad({ x: randomTensor([3, 5], 21) }, (b, n) => {
      const m = b.reduce('max', n.x!, [1]);
      const e = b.unary('exp', b.binaryBroadcast('sub', n.x!, m));
      const p = b.binaryBroadcast('div', e, b.reduce('sum', e, [1]));
      return b.binary('mul', p, b.unary('tanh', n.x!));
    }, 1e-5);
  });
  it('attention: probabilities recomputed from the row log-sum-exp', () => {
    const inputs = { q: randomTensor([2, 3, 4], 31), k: randomTensor([2, 5, 4], 32), v: randomTensor([2, 5, 3], 33), bias: randomTensor([3, 5], 34) };
    checkGrad(inputs, attentionBody, 1e-5);
  });
});

/** Scaled q·kᵀ plus a bias, the standard library's softmax, behind a reshape, times V. */
function attentionBody(b: GraphBuilder, n: Record<string, Node>): Node {
  const scores = b.binaryBroadcast('add', b.binary('mul', b.matmul(n.q!, b.transpose(n.k!, -1, -2)), b.constant(0.5, [2, 3, 5], 'f32')), n.bias!);
  const e = b.unary('exp', b.binaryBroadcast('sub', scores, b.reduce('max', scores, [2])));
  const p = b.binaryBroadcast('div', e, b.reduce('sum', e, [2]));
  const o = b.matmul(b.reshape(b.reshape(p, [6, 5]), [2, 3, 5]), n.v!);
  return b.unary('tanh', o);
}

describe('the attention backward pass', () => {
  const inputs = { q: randomTensor([2, 3, 4], 41), k: randomTensor([2, 5, 4], 42), v: randomTensor([2, 5, 3], 43), bias: randomTensor([3, 5], 44) };
  const { graph, feeds } = graphOf(inputs, attentionBody);
  it('is recognised as one pattern', () => {
    expect(matchAttentions(graph.nodes, new Set(graph.outputs.map((o) => o.node))).size).toBe(1);
  });
  it('equals primitive-by-primitive autodiff and stores no probabilities', () => {
    const seed = randomTensor(graph.outputs[0]!.node.shape, 45);
    const run = (attention: boolean) => {
      const g = gradGraph(graph, undefined, { attention });
      return { graph: g, values: interpret(g, new Map([...feeds, [`grad:${graph.outputs[0]!.name}`, seed]])) };
    };
    const whole = run(true);
    const primitive = run(false);
    for (const name of ['q', 'k', 'v', 'bias']) {
      const a = whole.values.get(`grad:${name}`)!.data;
      const b = primitive.values.get(`grad:${name}`)!.data;
      a.forEach((value, i) => expect(Math.abs(value - b[i]!)).toBeLessThan(1e-12));
    }
    // Only the whole-attention rule takes the log of the row sum (the log-sum-exp).
    expect(whole.graph.nodes.some((n) => n.op.kind === 'unary' && n.op.fn === 'log')).toBe(true);
    expect(primitive.graph.nodes.some((n) => n.op.kind === 'unary' && n.op.fn === 'log')).toBe(false);
  });
});
