import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WEBGPU_DEFAULT_LIMITS } from '../../src/compile/limits.js';
import { planGraph } from '../../src/compile/plan.js';
import { ownerCount } from '../../src/compile/stitch.js';
import { buildGraph } from '../../src/dsl/entry.js';
import { loadProgram } from '../../src/dsl/loader.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { gradGraph } from '../../src/ir/grad.js';
import { Graph } from '../../src/ir/graph.js';
import { relativeMaxError } from '../../src/ir/compare.js';
import { randomTensor } from '../../src/ir/gradcheck.js';
import { interpret } from '../../src/ir/interpret.js';
import { gpu } from '../webgpu/gpu.js';

/**
 * Owner-phased stitching needs the batch axis. An input without one (a RoPE table [T, D])
 * must not turn fusion off, and where there is no usable batch the plan says the true reason.
 */

const ROPE = `import "fiber.fib" as fib
module RopeText {
  let layer = fib.TextFusionLayerTiny()
  forward(h: f32[B, T, 32], mask: f32[B, T], image: f32[B, L, 32], rope: f32[T, 32]) -> f32[B, T, 32] {
    return layer(h * cos(rope) + h * sin(rope), mask, image)
  }
}
`;

describe('the batch axis of owner-phased dispatches', () => {
  it('an input with no batch axis keeps the text layer one dispatch, and its backward as many as without it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fiberc-owners-'));
    writeFileSync(join(dir, 'rope.fib'), ROPE);
    const bindings = { B: 2, T: 8, L: 16 };
    const rope = buildGraph(loadProgram(join(dir, 'rope.fib')), 'RopeText', { bindings });
    const plain = buildGraph(loadProgram(resolve(__dirname, '../../examples/fiber.fib')), 'TextFusionLayerTiny', { bindings });
    expect(ownerCount(rope).owners).toBe(2);
    expect(planGraph(rope, 'fused', WEBGPU_DEFAULT_LIMITS).dispatches).toHaveLength(1);
    const backward = planGraph(gradGraph(rope), 'fused', WEBGPU_DEFAULT_LIMITS).dispatches.length;
    expect(backward).toBe(planGraph(gradGraph(plain), 'fused', WEBGPU_DEFAULT_LIMITS).dispatches.length);
  });

  it('a declared batch (forward(...) batch N) decides where the inputs\' leading dims do not', async () => {
    // Pairs of a batch with its negatives (ITM-style): N rows and M negative rows, N != M.
    const source = (clause: string): string => `import "std/nn.fib" as nn
module Pairs {
  let proj = nn.Linear(8, 8)
  let norm = nn.LayerNorm(8)
  forward(x: f32[N, 8], negatives: f32[M, 8]) -> f32[N, 8] ${clause}{
    let h = nn.gelu(proj(x))
    return norm(h + nn.mean(negatives, 0)) * 2.0
  }
}
`;
    const dir = mkdtempSync(join(tmpdir(), 'fiberc-batch-'));
    writeFileSync(join(dir, 'guessed.fib'), source(''));
    writeFileSync(join(dir, 'declared.fib'), source('batch N '));
    const bindings = { N: 4, M: 6 };
    const guessed = buildGraph(loadProgram(join(dir, 'guessed.fib')), 'Pairs', { bindings });
    const declared = buildGraph(loadProgram(join(dir, 'declared.fib')), 'Pairs', { bindings });
    expect(ownerCount(guessed)).toEqual({ owners: 1, why: expect.stringContaining('declare it with forward(...) batch B') });
    expect(declared.batch).toBe('N');
    expect(ownerCount(declared)).toEqual({ owners: 4 });
    expect(ownerCount(gradGraph(declared))).toEqual({ owners: 4 });
    const fused = planGraph(declared, 'fused', WEBGPU_DEFAULT_LIMITS);
    expect(fused.dispatches.length).toBeLessThan(planGraph(guessed, 'fused', WEBGPU_DEFAULT_LIMITS).dispatches.length);
    expect(fused.dispatches.some((d) => d.owners === 4 && d.phases.length > 1)).toBe(true);
    // And the stitched plan computes the same values.
    const feeds = new Map([['x', randomTensor([4, 8], 1)], ['negatives', randomTensor([6, 8], 2)], ...declared.params.map((p) => [(p.op as { name: string }).name, randomTensor(p.shape, 3)] as const)]);
    const want = interpret(declared, feeds).get('out')!;
    const got = (await (await gpu('fused')).run(declared, feeds)).get('out')!;
    expect(relativeMaxError(got, want, 1e-3)).toBeLessThan(1e-4);
  });

  it('a tensor computed whole in every workgroup never reads one computed a part per workgroup (found by the fuzzer)', async () => {
    // neg(table) is a graph output, so it is computed one part per owner; the column sum is
    // input-free, so every owner computes it whole: it must not share their dispatch.
    const b = new GraphBuilder();
    const x = b.input('x', [2, 1, 8], 'f32');
    const table = b.param('table', [5, 8], 'f32', { kind: 'normal', std: 1, mean: 0 });
    const neg = b.unary('neg', table);
    const graph = new Graph([x], [table], [{ name: 'sums', node: b.broadcastTo(b.reduce('sum', neg, [0]), [5, 8]) }, { name: 'neg', node: neg }, { name: 'x2', node: b.unary('exp', x) }]);
    const plan = planGraph(graph, 'fused', WEBGPU_DEFAULT_LIMITS);
    const holder = plan.dispatches.find((d) => d.phases.some((p) => p.kernel.name.includes('neg')))!;
    expect(holder.phases.some((p) => p.kernel.name.includes('reduce'))).toBe(false);
    const feeds = new Map([['x', randomTensor([2, 1, 8], 1)], ['table', randomTensor([5, 8], 2)]]);
    const expected = interpret(graph, feeds);
    const got = await (await gpu('fused')).run(graph, feeds);
    for (const [name, e] of expected) expect(relativeMaxError(got.get(name)!, e, 1), name).toBeLessThan(1e-6);
  });

  it('says why when there is no usable batch', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [2, 3], 'f32');
    const y = b.input('y', [5, 3], 'f32');
    const two = new Graph([x, y], [], [{ name: 'o', node: b.reduce('sum', b.unary('exp', x), [1]) }, { name: 'p', node: b.unary('exp', y) }]);
    expect(ownerCount(two).why).toContain("leading dims (2, 5) do not tell which is the batch; declare it with forward(...) batch B");
    const reasons = planGraph(two, 'fused', WEBGPU_DEFAULT_LIMITS).dispatches.map((d) => d.reason);
    for (const r of reasons) expect(r).not.toContain('a batch of 1');
    const one = new Graph([b.input('z', [1, 4], 'f32')], [], [{ name: 'o', node: b.unary('exp', b.input('z', [1, 4], 'f32')) }]);
    expect(ownerCount(one).why).toContain('a batch of 1');
    const flat = new Graph([b.input('v', [4], 'f32')], [], [{ name: 'o', node: b.unary('exp', b.input('v', [4], 'f32')) }]);
    expect(ownerCount(flat).why).toContain('no input has a batch axis');
  });
});
