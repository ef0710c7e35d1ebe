import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/ir/builder.js';
import { relativeMaxError } from '../../src/ir/compare.js';
import { gradGraph } from '../../src/ir/grad.js';
import { Graph } from '../../src/ir/graph.js';
import { randomTensor } from '../../src/ir/gradcheck.js';
import { interpret } from '../../src/ir/interpret.js';
import type { Node } from '../../src/ir/node.js';
import type { HostTensor } from '../../src/ir/tensor.js';
import { gpu } from './gpu.js';

/**
 * Property: any small random graph of primitives, compiled fused and unfused for WebGPU, equals
 * the interpreter. This exercises what hand-written cases miss: index simplification through
 * chains of movement ops, materialization decisions, owner-phased stitching (the inputs share a
 * batch dim of 2), arenas.
 */

type Step = { op: number; a: number; b: number; axis: number; amount: number };

function build(steps: readonly Step[]): { graph: Graph; feeds: Map<string, HostTensor> } {
  const b = new GraphBuilder();
  const shapes = [[2, 3, 4], [2, 3, 4], [2, 4, 5]];
  const inputs = shapes.map((s, i) => b.input(`x${i}`, s, 'f32'));
  const nodes: Node[] = [...inputs];
  const pick = (i: number): Node => nodes[i % nodes.length]!;
  for (const st of steps) {
    const x = pick(st.a);
    const rank = x.shape.length;
    const axis = rank > 0 ? st.axis % rank : 0;
    let y: Node | undefined;
    try {
      switch (st.op % 12) {
        case 0: y = b.unary((['tanh', 'sigmoid', 'abs', 'neg', 'erf'] as const)[st.amount % 5]!, x); break;
        case 1: { const o = pick(st.b); y = b.binaryBroadcast((['add', 'mul', 'sub', 'max'] as const)[st.amount % 4]!, x, o); break; }
        case 2: y = b.reduce(st.amount % 2 ? 'sum' : 'max', x, [axis]); break;
        case 3: { const perm = [...x.shape.keys()].reverse(); y = b.permute(x, st.amount % 2 ? perm : [...x.shape.keys()]); break; }
        case 4: y = b.reshape(x, [x.shape.reduce((p, q) => p * q, 1)]); break;
        case 5: y = b.roll(x, (st.amount % 5) - 2, axis); break;
        case 6: { const n = x.shape[axis]!; const start = st.amount % n; y = b.slice(x, x.shape.map((_, i) => (i === axis ? start : 0)), x.shape.map((d, i) => (i === axis ? n - start : d))); break; }
        case 7: y = b.pad(x, x.shape.map((_, i) => (i === axis ? st.amount % 3 : 0)), x.shape.map((_, i) => (i === axis ? 1 : 0))); break;
        case 8: { const o = pick(st.b); if (rank >= 2 && o.shape.length >= 2) y = b.matmul(x, b.transpose(o, -1, -2)); break; }
        case 9: y = b.concat([x, x], axis); break;
        case 10: y = b.where(b.binary('gt', x, b.constant(0, x.shape, 'f32')), x, b.unary('neg', x)); break;
        case 11: y = b.broadcastTo(b.reduce('sum', x, [axis]), x.shape); break;
      }
    } catch {
      y = undefined; // shapes did not fit this op: skip the step
    }
    if (y && y.shape.reduce((p, q) => p * q, 1) <= 4096) nodes.push(y);
  }
  const outs = nodes.length > 3 ? [nodes[nodes.length - 1]!, nodes[3 + ((nodes.length - 4) >> 1)]!] : [nodes[0]!];
  const graph = new Graph(inputs, [], [...new Set(outs)].map((node, i) => ({ name: `o${i}`, node })));
  return { graph, feeds: new Map(shapes.map((s, i) => [`x${i}`, randomTensor(s, 90 + i)])) };
}

const step = fc.record({ op: fc.nat(), a: fc.nat(), b: fc.nat(), axis: fc.nat(), amount: fc.nat() });

describe('random graphs of primitives and their gradients compile to WGSL that equals the interpreter', () => {
  it('fused and unfused, forward and backward', async () => {
    const fused = await gpu('fused');
    const unfused = await gpu('unfused');
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 2, maxLength: 10 }), async (steps) => {
        const { graph: forward, feeds } = build(steps);
        // The backward graph contains the forward one: check both at once.
        const graph = gradGraph(forward);
        forward.outputs.forEach((o, i) => feeds.set(`grad:${o.name}`, randomTensor(o.node.shape, 70 + i)));
        const expected = interpret(graph, feeds);
        for (const device of [fused, unfused]) {
          const actual = await device.run(graph, feeds);
          for (const [name, e] of expected) expect(relativeMaxError(actual.get(name)!, e, 1), name).toBeLessThan(1e-4);
        }
      }),
      { numRuns: 40 * Number(process.env.FIBERC_FUZZ_SCALE ?? 1) },
    );
  }, 300_000);
});
