import fc from 'fast-check';
import { describe, it } from 'vitest';
import { checkRandomGraph, randomStep } from '../random-graph.js';
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
      fc.asyncProperty(fc.array(randomStep, { minLength: 2, maxLength: 10 }), (steps) => checkRandomGraph(steps, [fused, unfused])),
      { numRuns: 40 * Number(process.env.FIBERC_FUZZ_SCALE ?? 1) },
    );
  }, 300_000);
  it('found by it: a where whose sides each hold a reduction over the same body (written as branches)', async () => {
    // The second branch's loop once named its terms from the first branch's loop, out of scope.
    const steps = [{ op: 2147483626, a: 0, b: 0, axis: 0, amount: 0 }, { op: 1110170600, a: 0, b: 2, axis: 0, amount: 0 }, { op: 268061108, a: 7, b: 0, axis: 0, amount: 0 }];
    await checkRandomGraph(steps, [await gpu('fused'), await gpu('unfused')]);
  });
});
