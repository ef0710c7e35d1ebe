import { describe, expect, it } from 'vitest';
import { planGraph } from '../../src/compile/plan.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { relativeMaxError } from '../../src/ir/compare.js';
import { randomTensor } from '../../src/ir/gradcheck.js';
import { Graph } from '../../src/ir/graph.js';
import { interpret } from '../../src/ir/interpret.js';
import type { HostTensor } from '../../src/ir/tensor.js';
import { withoutComments } from '../../src/runtime/webgpu/device.js';
import { pacing } from '../../src/runtime/webgpu/paced-polling.js';
import { gpu } from './gpu.js';

/** out = x @ table[index]ᵀ with a constant index (iota-derived): the lookup depends on no input. */
function biasLookup(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [1, 6, 4], 'f32');
  const table = b.param('table', [5, 4], 'f32', { kind: 'constant', value: 0 });
  const index = b.binary('mod', b.iota([6], 0, 'i32'), b.constant(5, [6], 'i32'));
  const rows = b.gather(table, index);
  return new Graph([x], [table], [{ name: 'out', node: b.matmul(x, b.transpose(rows, -1, -2)) }]);
}

describe('a session runs param-only dispatches once per parameter upload', () => {
  it('plans the lookup as param-only and recomputes it after new params are written', async () => {
    const graph = biasLookup();
    const device = await gpu('fused');
    const compiled = await device.compile(graph);
    expect(compiled.plan.dispatches.some((d) => d.paramOnly)).toBe(true);
    expect(planGraph(graph, 'fused', device.limits).dispatches.filter((d) => !d.paramOnly).length).toBeGreaterThan(0);
    const session = device.session(compiled);
    const check = async (feeds: Map<string, HostTensor>): Promise<void> => {
      const actual = (await session.read()).get('out')!;
      expect(relativeMaxError(actual, interpret(graph, feeds).get('out')!, 1e-3)).toBeLessThan(1e-6);
    };
    try {
      const first = new Map([['x', randomTensor([1, 6, 4], 1)], ['table', randomTensor([5, 4], 2)]]);
      session.write(first);
      session.dispatch();
      await check(first);
      // Later runs skip the lookup and still see its result.
      session.dispatch(3);
      await check(first);
      const second = new Map([['x', randomTensor([1, 6, 4], 3)], ['table', randomTensor([5, 4], 4)]]);
      session.write(second);
      session.dispatch();
      await check(second);
    } finally {
      session.destroy();
    }
  });
});

/** h = tanh(h @ w_i) through `depth` layers of one size: the same kernels, other params (one row: no batch to stitch over). */
function stackedLayers(depth: number): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [1, 8], 'f32');
  const ws = [...Array(depth).keys()].map((i) => b.param(`w${i}`, [8, 8], 'f32', { kind: 'constant', value: 0 }));
  let h = x;
  for (const w of ws) h = b.unary('tanh', b.matmul(h, w));
  return new Graph([x], ws, [{ name: 'out', node: h }]);
}

describe('pipelines', () => {
  it('dispatches that differ only in where their tensors start share one pipeline, each bound to its own offsets', async () => {
    const graph = stackedLayers(5);
    const device = await gpu('fused');
    const compiled = await device.compile(graph);
    const sources = compiled.kernels.map((k) => withoutComments(k.source));
    expect(compiled.kernels.length).toBe(5);
    // The middle layers read and write arena tensors only: one source, different offsets.
    expect(new Set(sources.slice(1, 4)).size).toBe(1);
    expect(new Set(compiled.kernels.slice(1, 4).map((k) => k.bases.join())).size).toBe(3);
    expect(sources[1]).toContain('var<uniform> fib_bases');
    expect(new Set(compiled.pipelines).size).toBeLessThan(compiled.kernels.length);
    const feeds = new Map([['x', randomTensor([1, 8], 1)], ...[...Array(5).keys()].map((i): [string, HostTensor] => [`w${i}`, randomTensor([8, 8], 2 + i)])]);
    const actual = (await device.run(graph, feeds)).get('out')!;
    expect(relativeMaxError(actual, interpret(graph, feeds).get('out')!, 1e-3)).toBeLessThan(1e-6);
  });

  it('a shader that fails to compile is an error naming the kernel and the compiler\'s messages', async () => {
    const device = await gpu('fused');
    // The pipeline step itself, with a shader no planner emits.
    await expect(device.pipelineFor({ name: 'k_bad', bindings: [], bases: [], source: '@compute @workgroup_size(1) fn main() { let x: f32 = 1; x = 2.0; }' }))
      .rejects.toThrow(/kernel k_bad failed to compile[\s\S]*line 1:57: error: cannot assign to 'let x'/);
  });
});

describe('a session paces Dawn\'s polling while it waits', () => {
  it('routes the binding\'s ticks through the paced setImmediate and restores the global after', async () => {
    const graph = biasLookup();
    const device = await gpu('fused');
    const session = device.session(await device.compile(graph));
    const before = globalThis.setImmediate;
    const ticks = pacing.ticks;
    try {
      session.write(new Map([['x', randomTensor([1, 6, 4], 3)], ['table', randomTensor([5, 4], 4)]]));
      session.dispatch(4);
      await session.read();
      // Dawn queued its polling ticks with the global setImmediate, which was paced meanwhile:
      // were the binding to stop looking it up there, the waits would spin a core again.
      expect(pacing.ticks).toBeGreaterThan(ticks);
      expect(globalThis.setImmediate).toBe(before);
    } finally {
      session.destroy();
    }
  });
});
