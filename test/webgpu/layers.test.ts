import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleInputs, withAlpha } from '../../src/cli/demo.js';
import { WEBGPU_DEFAULT_LIMITS } from '../../src/compile/limits.js';
import { PlanError } from '../../src/compile/arenas.js';
import { planGraph } from '../../src/compile/plan.js';
import { compileWgsl } from '../../src/driver/pipeline.js';
import { buildGraph } from '../../src/dsl/entry.js';
import { loadProgram } from '../../src/dsl/loader.js';
import { gradGraph } from '../../src/ir/grad.js';
import { randomTensor } from '../../src/ir/gradcheck.js';
import { interpret } from '../../src/ir/interpret.js';
import { prepareFeeds } from '../../src/runtime/feeds.js';
import { relativeMaxError } from '../../src/ir/compare.js';
import type { HostTensor } from '../../src/ir/tensor.js';
import { gpu } from './gpu.js';

const program = loadProgram(resolve(__dirname, '../../examples/fiber.fib'));
const bindings = { B: 2, T: 8, L: 16 };
const LAYERS = ['ImageFusionBlockTiny', 'TextFusionLayerTiny'] as const;

/** Every output the interpreter computed, matched by the device's within the layers' tolerance. */
function expectInterpreterOutputs(expected: ReadonlyMap<string, HostTensor>, actual: ReadonlyMap<string, HostTensor>): void {
  for (const [name, e] of expected) expect(relativeMaxError(actual.get(name)!, e, 1e-3), name).toBeLessThan(2e-4);
}

/** Forward and backward graph of a layer with feeds: alpha = 0.5, padded text, random cotangents. */
function layerCase(entry: string) {
  const graph = buildGraph(program, entry, { bindings });
  const back = gradGraph(graph);
  const feeds = withAlpha(graph, prepareFeeds(graph, exampleInputs(graph, 2), new Map(), 3), 0.5);
  for (const o of graph.outputs) feeds.set(`grad:${o.name}`, randomTensor(o.node.shape, 4));
  return { graph, back, feeds };
}

describe('FIBER fusion layers on WebGPU equal the interpreter (FiberTiny sizes, shifted windows, padded text, alpha = 0.5)', () => {
  for (const entry of LAYERS) {
    for (const limits of ['adapter', 'default'] as const) {
      it(`${entry}: outputs and the gradients of every param and input (${limits} limits)`, async () => {
        const { back, feeds } = layerCase(entry);
        const expected = interpret(back, feeds);
        const actual = await (await gpu('fused', limits)).run(back, feeds);
        expect(back.outputs.length).toBeGreaterThan(20);
        expectInterpreterOutputs(expected, actual);
      });
    }
  }
});

describe('owner phases tiled over the owners\' bands of rows', () => {
  it('a text layer of 22 tokens (5.5 tile rows per example): its backward on WebGPU equals the interpreter', async () => {
    // Each example's 22 rows of [B * T, hidden] products are 5 whole 4-row tiles and half of
    // one: tiled as [B, T, hidden] (compile/owner-band.ts), the partial tiles guarded.
    const graph = buildGraph(program, 'TextFusionLayerTiny', { bindings: { B: 2, T: 22, L: 16 } });
    const back = gradGraph(graph);
    const feeds = withAlpha(graph, prepareFeeds(graph, exampleInputs(graph, 2), new Map(), 3), 0.5);
    for (const o of graph.outputs) feeds.set(`grad:${o.name}`, randomTensor(o.node.shape, 4));
    const session = await gpu('fused', 'adapter');
    const { plan } = compileWgsl(back, { mode: 'fused', limits: session.limits });
    const views = plan.dispatches.flatMap((d) => (d.schedule.phaseViews ?? []).filter((v) => v));
    expect(views.length).toBeGreaterThanOrEqual(4);
    for (const v of views) expect(v!.output.node.shape.slice(0, 2)).toEqual([2, 22]);
    const expected = interpret(back, feeds);
    const actual = await session.run(back, feeds);
    expectInterpreterOutputs(expected, actual);
  });
});

describe('owner phases tiled over a contraction of 4 steps', () => {
  it('per-example products of 4 steps (an attention head\'s width) are register-tiled, share rows across the subgroup, and equal the interpreter', async () => {
    // As the text layers' attention backward in pre-training: [64, 4] x [4, 64] per example,
    // 32 kFLOP per owner, re-read by the row statistics, so a phase of an owner-phased dispatch.
    const dir = mkdtempSync(join(tmpdir(), 'fiberc-smallk-'));
    writeFileSync(join(dir, 'smallk.fib'), `import "std/nn.fib" as nn
module SmallK {
  forward(q: f32[B, 64, 4], k: f32[B, 4, 64]) -> f32[B, 64, 64] {
    let s = q @ k
    return (s - nn.mean(s, -1, true)) * exp(q[:, :, 0:1])
  }
}
`);
    const graph = buildGraph(loadProgram(join(dir, 'smallk.fib')), 'SmallK', { bindings: { B: 2 } });
    const back = gradGraph(graph);
    const session = await gpu('fused', 'adapter');
    const { plan } = compileWgsl(back, { mode: 'fused', limits: session.limits });
    const small = plan.dispatches.flatMap((d) => d.phases.map((_, i) => ({ tile: d.schedule.phaseTiles?.[i], sg: d.schedule.phaseSubgroups?.[i] })))
      .filter((p) => p.tile && p.tile.reduce.loop.size === 4);
    expect(small.length).toBeGreaterThanOrEqual(1);
    if (session.limits.subgroupSize) expect(small.some((p) => p.sg === session.limits.subgroupSize)).toBe(true);
    const feeds = new Map([['q', randomTensor([2, 64, 4], 1)], ['k', randomTensor([2, 4, 64], 2)], ['grad:out', randomTensor([2, 64, 64], 3)]]);
    const expected = interpret(back, feeds);
    expect([...expected.keys()]).toEqual(expect.arrayContaining(['out', 'grad:q', 'grad:k']));
    const actual = await session.run(back, feeds);
    expectInterpreterOutputs(expected, actual);
  });
});

describe('FIBER-B layers at their real sizes, batch 1 (register-tiled, subgroup-shared matmuls)', () => {
  for (const [entry, extra] of [['ImageFusionBlockBase', {}], ['TextFusionLayerBase', { L: 576 }]] as const) {
    it(`${entry} equals the interpreter`, async () => {
      const graph = buildGraph(program, entry, { bindings: { B: 1, T: 40, ...extra } });
      const feeds = withAlpha(graph, prepareFeeds(graph, exampleInputs(graph, 6), new Map(), 7), 0.5);
      const expected = interpret(graph, feeds).get('out')!;
      const actual = (await (await gpu('fused')).run(graph, feeds)).get('out')!;
      expect(relativeMaxError(actual, expected)).toBeLessThan(1e-5);
    });
  }
});

describe('dispatch counts from the plan', () => {
  // Asserted exactly so that every change to fusion shows up here. Forward: the whole layer
  // is one owner-phased dispatch (one workgroup per batch element). Backward: parameter
  // gradients sum over the batch, so the planner must split where a phase reads other
  // batch elements' parts.
  const expected: Record<(typeof LAYERS)[number], { forward: number; phases: number; unfused: number; backward: number }> = {
    ImageFusionBlockTiny: { forward: 1, phases: 23, unfused: 160, backward: 8 },
    TextFusionLayerTiny: { forward: 1, phases: 19, unfused: 115, backward: 5 },
  };
  for (const entry of LAYERS) {
    it(`${entry}`, () => {
      const graph = buildGraph(program, entry, { bindings });
      const fused = planGraph(graph, 'fused', WEBGPU_DEFAULT_LIMITS);
      const counts = {
        forward: fused.dispatches.length,
        phases: fused.kernels.length,
        unfused: planGraph(graph, 'unfused', WEBGPU_DEFAULT_LIMITS).dispatches.length,
        backward: planGraph(gradGraph(graph), 'fused', WEBGPU_DEFAULT_LIMITS).dispatches.length,
      };
      expect(counts).toEqual(expected[entry]);
      expect(fused.dispatches[0]!.owners).toBe(bindings.B);
    });
  }

  it('intermediates private to a dispatch live in workgroup memory, within the limit', () => {
    for (const entry of LAYERS) {
      for (const limits of [WEBGPU_DEFAULT_LIMITS, { ...WEBGPU_DEFAULT_LIMITS, maxComputeWorkgroupStorageSize: 2048 }]) {
        const plan = planGraph(buildGraph(program, entry, { bindings }), 'fused', limits);
        const bytes = Object.values(plan.dispatches[0]!.workgroupWords ?? {}).reduce((a, n) => a + 4 * n, 0);
        expect(bytes).toBeGreaterThan(0);
        expect(bytes).toBeLessThanOrEqual(limits.maxComputeWorkgroupStorageSize);
        const scoped = [...plan.tensors.values()].filter((t) => t.workgroup);
        // Each is an intermediate no later dispatch reads, and takes no arena space.
        for (const t of scoped) {
          expect(t.kind).toBe('intermediate');
          expect(t.arena).toBeUndefined();
          expect(plan.dispatches.slice(1).some((d) => d.phases.some((p) => p.kernel.reads.some((r) => r.id === t.ref.id)))).toBe(false);
        }
      }
      // Turned off, everything is in global memory again.
      const global = planGraph(buildGraph(program, entry, { bindings }), 'fused', WEBGPU_DEFAULT_LIMITS, undefined, { workgroupMemory: false });
      expect([...global.tensors.values()].some((t) => t.workgroup)).toBe(false);
    }
  });

  it('params larger than the largest storage binding are split; anything else that large is a clear planning error', () => {
    const graph = buildGraph(program, 'TextFusionLayerTiny', { bindings });
    // 4 KiB: the 8 KiB feed-forward weights split in two, everything else fits.
    const plan = planGraph(graph, 'fused', { ...WEBGPU_DEFAULT_LIMITS, maxStorageBufferBindingSize: 4096 });
    expect([...plan.tensors.values()].filter((t) => t.split).map((t) => t.name).sort()).toEqual(['intermediate.dense.weight', 'output.dense.weight']);
    // 1 KiB: the layer's 2 KiB output cannot be split (and a weight in 8 parts needs too many bindings).
    const tiny = { ...WEBGPU_DEFAULT_LIMITS, maxStorageBufferBindingSize: 1024 };
    expect(() => planGraph(graph, 'fused', tiny)).toThrow(PlanError);
    expect(() => planGraph(graph, 'fused', tiny)).toThrow(/is larger than the device's largest storage binding \(1\.0 KiB\)|needs \d+ storage buffers; the device allows 8/);
  });

  it('a batch of one is not stitched into one workgroup, and the plan says why', () => {
    const plan = planGraph(buildGraph(program, 'TextFusionLayerTiny', { bindings: { ...bindings, B: 1 } }), 'fused', WEBGPU_DEFAULT_LIMITS);
    expect(plan.dispatches.length).toBe(plan.kernels.length);
    expect(plan.dispatches[0]!.reason).toContain('a batch of 1 gives one owner');
  });

  it('every dispatch respects the storage-buffer limit it was planned for', () => {
    const graph = gradGraph(buildGraph(program, 'ImageFusionBlockTiny', { bindings }));
    for (const limit of [5, 6, 8]) {
      const tight = { ...WEBGPU_DEFAULT_LIMITS, maxStorageBuffersPerShaderStage: limit };
      const plan = planGraph(graph, 'fused', tight);
      for (const d of plan.dispatches) {
        // Workgroup-scope tensors bind no buffer.
        const buffers = new Set(d.phases.flatMap((p) => [p.kernel.output, ...p.kernel.reads]).flatMap((r) => {
          const t = plan.tensors.get(r.id)!;
          return t.workgroup ? [] : [t.arena ? `a${t.arena.index}` : `t${r.id}`];
        }));
        expect(buffers.size).toBeLessThanOrEqual(limit);
      }
      if (limit === 5) expect(plan.dispatches.some((d) => d.reason.includes('would bind more than 5 storage buffers'))).toBe(true);
    }
  });
});
