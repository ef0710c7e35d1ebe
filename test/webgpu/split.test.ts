import { describe, expect, it } from 'vitest';
import { PlanError } from '../../src/compile/arenas.js';
import { WEBGPU_DEFAULT_LIMITS } from '../../src/compile/limits.js';
import { planGraph } from '../../src/compile/plan.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { relativeMaxError } from '../../src/ir/compare.js';
import { Graph } from '../../src/ir/graph.js';
import { randomTensor } from '../../src/ir/gradcheck.js';
import { interpret } from '../../src/ir/interpret.js';
import { HostTensor } from '../../src/ir/tensor.js';
import { WebGpuDevice } from '../../src/runtime/webgpu/device.js';

/**
 * Params larger than the device's largest storage binding (FIBER-B's 147 MiB word-embedding
 * table against lavapipe's 128 MiB) are split over several bindings and read through a
 * function that picks the part. Tested at a small size with a lowered limit: 1 KiB bindings.
 */

const BINDING = 1024;
const limits = { ...WEBGPU_DEFAULT_LIMITS, maxStorageBufferBindingSize: BINDING };

/** An embedding lookup and a vocabulary projection, both on params of 3.2 KB. */
function embedAndProject(): Graph {
  const b = new GraphBuilder();
  const ids = b.input('ids', [1, 2], 'i32');
  const table = b.param('table', [100, 8], 'f32', { kind: 'normal', std: 1, mean: 0 });
  const decoder = b.param('decoder', [8, 100], 'f32', { kind: 'normal', std: 1, mean: 0 });
  const h = b.unary('tanh', b.gather(table, ids));
  return new Graph([ids], [table, decoder], [{ name: 'logits', node: b.matmul(h, decoder) }, { name: 'h', node: h }]);
}

describe('params above the binding limit', () => {
  const graph = embedAndProject();
  const feeds = new Map([
    ['ids', HostTensor.from([1, 2], [31, 99], 'i32')],
    ['table', randomTensor([100, 8], 1)],
    ['decoder', randomTensor([8, 100], 2)],
  ]);

  it('are planned as parts of at most one binding each, and nothing else is split', () => {
    const plan = planGraph(graph, 'fused', limits);
    const split = [...plan.tensors.values()].filter((t) => t.split);
    expect(split.map((t) => [t.name, t.split!.arenas.length, t.split!.part])).toEqual([['table', 4, 256], ['decoder', 4, 256]]);
    for (const a of plan.arenas) expect(a.length * 4).toBeLessThanOrEqual(BINDING);
  });

  it('are read correctly on WebGPU (gather and matmul), written by setParams and read back', async () => {
    const device = await WebGpuDevice.create({ lowerLimits: { maxStorageBufferBindingSize: BINDING } });
    expect(device.limits.maxStorageBufferBindingSize).toBe(BINDING);
    const want = interpret(graph, feeds);
    const program = await device.load(graph);
    program.setParams(new Map([['table', feeds.get('table')!], ['decoder', feeds.get('decoder')!]]));
    await program.run(new Map([['ids', feeds.get('ids')!]]));
    const got = await program.read(['logits', 'h', 'table']);
    expect(relativeMaxError(got.get('h')!, want.get('h')!, 1e-3)).toBeLessThan(1e-5);
    expect(relativeMaxError(got.get('logits')!, want.get('logits')!, 1e-3)).toBeLessThan(1e-5);
    expect(Array.from(got.get('table')!.data)).toEqual(Array.from(feeds.get('table')!.data).map(Math.fround));
    program.dispose();
  });

  it('an output or intermediate above the limit is refused with its name and size', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [4, 8], 'f32');
    const big = new Graph([x], [], [{ name: 'outer', node: b.matmul(b.transpose(x, 0, 1), x) }]);
    const small = { ...limits, maxStorageBufferBindingSize: 200 };
    expect(() => planGraph(big, 'fused', small)).toThrow(PlanError);
    expect(() => planGraph(big, 'fused', small)).toThrow(/output outer \(f32\[8,8\], .* KiB\) is larger than the device's largest storage binding \(.* KiB\); only params \(read-only\) are split/);
  });
});
