import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../src/dsl/entry.js';
import { loadProgram } from '../../src/dsl/loader.js';
import { relativeMaxError } from '../../src/ir/compare.js';
import { gradGraph } from '../../src/ir/grad.js';
import { gradientSamples, randomTensor } from '../../src/ir/gradcheck.js';
import { interpret } from '../../src/ir/interpret.js';
import { HostTensor } from '../../src/ir/tensor.js';
import { gpu } from '../webgpu/gpu.js';

/**
 * std/losses.fib against straightforward JavaScript versions of PyTorch's definitions, its
 * gradients against finite differences, and WebGPU against the interpreter.
 */

const SOURCE = `import "std/losses.fib" as L
module Losses {
  forward(logits: f32[B, T, 5], labels: i32[B, T], x: f32[B, 3], t: f32[B, 3], sim: f32[B, 6], sim2: f32[B, 6], temp: f32[]) -> (ce: f32[], smoothed: f32[], bce: f32[], itc: f32[]) {
    return (L.cross_entropy(logits, labels), L.cross_entropy(logits, labels, ignore_index = 0, label_smoothing = 0.1), L.binary_cross_entropy(x, t), L.contrastive_loss(sim, sim2, temp))
  }
}
`;

const B = 2;
const T = 4;

function rows(t: HostTensor, width: number): number[][] {
  return Array.from({ length: t.data.length / width }, (_, r) => Array.from(t.data.subarray(r * width, (r + 1) * width)));
}

function logSoftmax(row: number[]): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
}

/** torch.nn.functional.cross_entropy(logits, labels, ignore_index, label_smoothing). */
function crossEntropy(logits: number[][], labels: number[], ignore: number, smoothing: number): number {
  let total = 0;
  let count = 0;
  logits.forEach((row, i) => {
    if (labels[i] === ignore || labels[i]! < 0 || labels[i]! >= row.length) return;
    const lp = logSoftmax(row);
    total += (1 - smoothing) * -lp[labels[i]!]! + smoothing * -(lp.reduce((s, v) => s + v, 0) / lp.length);
    count++;
  });
  return count === 0 ? 0 : total / count;
}

describe('std/losses.fib', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fiberc-losses-'));
  writeFileSync(join(dir, 'losses.fib'), SOURCE);
  const graph = buildGraph(loadProgram(join(dir, 'losses.fib')), 'Losses', { bindings: { B, T } });
  const logits = randomTensor([B, T, 5], 1, 2);
  const labels = HostTensor.from([B, T], [0, 3, -100, 4, 1, 0, 2, -100], 'i32');
  const x = randomTensor([B, 3], 2, 3);
  const t = HostTensor.from([B, 3], [1, 0, 0.5, 0, 1, 1]);
  const sim = randomTensor([B, 6], 3);
  const sim2 = randomTensor([B, 6], 4);
  const temp = HostTensor.from([], [0.07]);
  const feeds = new Map([['logits', logits], ['labels', labels], ['x', x], ['t', t], ['sim', sim], ['sim2', sim2], ['temp', temp]]);
  const out = interpret(graph, feeds);

  it('equal PyTorch\'s definitions: ignore_index, label smoothing, stable BCE on logits, symmetric InfoNCE', () => {
    const l = Array.from(labels.data);
    expect(out.get('ce')!.data[0]).toBeCloseTo(crossEntropy(rows(logits, 5), l, -100, 0), 12);
    expect(out.get('smoothed')!.data[0]).toBeCloseTo(crossEntropy(rows(logits, 5), l, 0, 0.1), 12);
    const bce = Array.from(x.data).reduce((s, v, i) => {
      const p = 1 / (1 + Math.exp(-v));
      return s - (t.data[i]! * Math.log(p) + (1 - t.data[i]!) * Math.log(1 - p));
    }, 0) / x.data.length;
    expect(out.get('bce')!.data[0]).toBeCloseTo(bce, 12);
    const scaled = (m: HostTensor): number[][] => rows(m, 6).map((r) => r.map((v) => v / 0.07));
    const itc = 0.5 * (crossEntropy(scaled(sim), [0, 1], -100, 0) + crossEntropy(scaled(sim2), [0, 1], -100, 0));
    expect(out.get('itc')!.data[0]).toBeCloseTo(itc, 10);
  });

  it('differentiate: logits, similarities and the temperature against finite differences', () => {
    const samples = gradientSamples(graph, feeds, ['logits', 'x', 'sim', 'temp'], 4);
    for (const s of samples) expect(Math.abs(s.autodiff - s.numeric), `${s.leaf}[${s.index}]`).toBeLessThan(2e-5 * Math.max(1, Math.abs(s.numeric)));
  });

  it('run on WebGPU as on the interpreter, forward and backward', async () => {
    const backward = gradGraph(graph);
    const all = new Map(feeds);
    for (const o of graph.outputs) all.set(`grad:${o.name}`, HostTensor.from([], [1]));
    const expected = interpret(backward, all);
    const got = await (await gpu('fused')).run(backward, all);
    for (const [name, e] of expected) expect(relativeMaxError(got.get(name)!, e, 1), name).toBeLessThan(1e-5);
  });
});
