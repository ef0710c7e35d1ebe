import { describe, expect, it } from 'vitest';
import { buffersOf, type Draft } from '../../src/compile/kernels.js';
import { WEBGPU_DEFAULT_LIMITS } from '../../src/compile/limits.js';
import { planGraph } from '../../src/compile/plan.js';
import { segmentBody } from '../../src/compile/segments.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { Graph } from '../../src/ir/graph.js';
import type { Node } from '../../src/ir/node.js';

/**
 * Shared bodies (compile/segments.ts): element-wise kernels that differ only in where their
 * tensors start and how many elements they have get one key; anything else gets its own.
 */

describe('shared kernel bodies', () => {
  const b = new GraphBuilder();
  // Tensors that share a body must share a binding: here params (one arena), as a training
  // step's moments are; each graph input is a buffer of its own.
  const x = b.param('x', [3, 4], 'f32', { kind: 'constant', value: 2 });
  const y = b.param('y', [5], 'f32', { kind: 'constant', value: 2 });
  const p = b.param('p', [3, 4], 'f32', { kind: 'constant', value: 1 });
  const q = b.param('q', [5], 'f32', { kind: 'constant', value: 1 });
  const s = b.input('s', [], 'f32');
  const rule = (param: Node, grad: Node): Node => b.binary('add', b.binaryBroadcast('mul', param, b.constant(0.9, [], 'f32')), b.binaryBroadcast('mul', grad, s));
  const outputs = [
    { name: 'p_new', node: rule(p, x) },
    { name: 'q_new', node: rule(q, y) },
    // Reads x transposed: the element at another index than its own.
    { name: 'p_t', node: rule(b.permute(p, [1, 0]), b.permute(x, [1, 0])) },
    // Another constant: another body.
    { name: 'q_other', node: b.binary('add', b.binaryBroadcast('mul', q, b.constant(0.5, [], 'f32')), b.binaryBroadcast('mul', y, s)) },
    { name: 'x_sum', node: b.reduce('sum', x, [1]) },
  ];
  const graph = new Graph([s], [x, y, p, q], outputs);
  const plan = planGraph(graph, 'fused', WEBGPU_DEFAULT_LIMITS);
  const draft: Draft = new Map([...plan.tensors].map(([id, t]) => [id, { ref: t.ref, kind: t.kind, name: t.name }]));
  const binding = (id: number): string | undefined => buffersOf(id, draft, WEBGPU_DEFAULT_LIMITS)[0];
  const bodyOf = (name: string): ReturnType<typeof segmentBody> => {
    const k = plan.kernels.find((pk) => plan.tensors.get(pk.kernel.output.id)!.name === name)!.kernel;
    return segmentBody(k, binding);
  };

  it('gives kernels of one rule on tensors of different sizes the same key', () => {
    const [pNew, qNew] = [bodyOf('p_new')!, bodyOf('q_new')!];
    expect(pNew.key).toBe(qNew.key);
    // Loads in the same order, each at the output's own index or one fixed element (s).
    expect(pNew.loads.map((l) => l.kind)).toEqual(qNew.loads.map((l) => l.kind));
    expect(pNew.loads.map((l) => l.kind).sort()).toEqual(['fixed', 'flat', 'flat']);
  });

  it('tells apart tensors in other bindings', () => {
    const own = new GraphBuilder();
    const [u, v, w] = [own.input('u', [4], 'f32'), own.input('v', [6], 'f32'), own.param('w', [4], 'f32', { kind: 'constant', value: 1 })];
    const g = new Graph([u, v], [w], [{ name: 'a', node: own.unary('exp', u) }, { name: 'b', node: own.unary('exp', v) }, { name: 'c', node: own.unary('exp', w) }]);
    const pl = planGraph(g, 'fused', WEBGPU_DEFAULT_LIMITS);
    const d: Draft = new Map([...pl.tensors].map(([id, t]) => [id, { ref: t.ref, kind: t.kind, name: t.name }]));
    const keys = pl.kernels.map((pk) => segmentBody(pk.kernel, (id) => buffersOf(id, d, WEBGPU_DEFAULT_LIMITS)[0])!.key);
    expect(new Set(keys).size).toBe(3);
  });

  it('tells apart other constants, and shares nothing that reads across elements or reduces', () => {
    expect(bodyOf('q_other')!.key).not.toBe(bodyOf('q_new')!.key);
    expect(bodyOf('p_t')).toBeUndefined();
    expect(bodyOf('x_sum')).toBeUndefined();
  });
});
