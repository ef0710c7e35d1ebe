import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { relativeMaxError } from '../../src/ir/compare.js';
import { gradGraph } from '../../src/ir/grad.js';
import { randomTensor } from '../../src/ir/gradcheck.js';
import { interpret } from '../../src/ir/interpret.js';
import { buildRandomGraph, randomStep } from '../random-graph.js';
import { gpu } from './gpu.js';

/**
 * Property: any small random graph of primitives, compiled fused and unfused for WebGPU, equals
 * the interpreter. This exercises what hand-written cases miss: index simplification through
 * chains of movement ops, materialization decisions, owner-phased stitching (the inputs share a
 * batch dim of 2), arenas.
 */

describe('random graphs of primitives and their gradients compile to WGSL that equals the interpreter', () => {
  it('fused and unfused, forward and backward', async () => {
    const fused = await gpu('fused');
    const unfused = await gpu('unfused');
    await fc.assert(
      fc.asyncProperty(fc.array(randomStep, { minLength: 2, maxLength: 10 }), async (steps) => {
        const { graph: forward, feeds } = buildRandomGraph(steps);
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
