import { describe, expect, it } from 'vitest';
import { planGraph } from '../../src/compile/plan.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { relativeMaxError } from '../../src/ir/compare.js';
import { randomTensor } from '../../src/ir/gradcheck.js';
import { Graph } from '../../src/ir/graph.js';
import { interpret } from '../../src/ir/interpret.js';
import type { HostTensor } from '../../src/ir/tensor.js';
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

describe('pipelines', () => {
  it('a shader that fails to compile is an error naming the kernel and the compiler\'s messages', async () => {
    const device = await gpu('fused');
    // The pipeline step itself, with a shader no planner emits (pipeline creation is private).
    const create = (device as unknown as { pipeline(k: { name: string; source: string; bindings: [] }): Promise<unknown> }).pipeline.bind(device);
    await expect(create({ name: 'k_bad', bindings: [], source: '@compute @workgroup_size(1) fn main() { let x: f32 = 1; x = 2.0; }' }))
      .rejects.toThrow(/kernel k_bad failed to compile[\s\S]*line 1:57: error: cannot assign to 'let x'/);
  });
});
