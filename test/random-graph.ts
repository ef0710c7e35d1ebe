import fc from 'fast-check';
import { expect } from 'vitest';
import { relativeMaxError } from '../src/ir/compare.js';
import { gradGraph } from '../src/ir/grad.js';
import { interpret } from '../src/ir/interpret.js';
import type { Device } from '../src/runtime/device.js';
import { GraphBuilder } from '../src/ir/builder.js';
import { Graph } from '../src/ir/graph.js';
import { randomTensor } from '../src/ir/gradcheck.js';
import type { Node } from '../src/ir/node.js';
import type { HostTensor } from '../src/ir/tensor.js';

/** Random small graphs of primitives for property tests of the compiler (three inputs, batch 2). */
export type Step = { op: number; a: number; b: number; axis: number; amount: number };

export function buildRandomGraph(steps: readonly Step[]): { graph: Graph; feeds: Map<string, HostTensor> } {
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

export const randomStep = fc.record({ op: fc.nat(), a: fc.nat(), b: fc.nat(), axis: fc.nat(), amount: fc.nat() });


/**
 * Builds the random graph of `steps` and its gradient (cotangents seeded), and checks that
 * every device's outputs equal the interpreter's within `tolerance`.
 */
export async function checkRandomGraph(steps: readonly Step[], devices: readonly Device[], tolerance = 1e-4): Promise<void> {
  const { graph: forward, feeds } = buildRandomGraph(steps);
  // The backward graph contains the forward one: check both at once.
  const graph = gradGraph(forward);
  forward.outputs.forEach((o, i) => feeds.set(`grad:${o.name}`, randomTensor(o.node.shape, 70 + i)));
  const expected = interpret(graph, feeds);
  for (const device of devices) {
    const actual = await device.run(graph, feeds);
    for (const [name, e] of expected) expect(relativeMaxError(actual.get(name)!, e, 1), `${device.name}: ${name}`).toBeLessThan(tolerance);
  }
}
