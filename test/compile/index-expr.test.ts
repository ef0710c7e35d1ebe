import { describe, expect, it } from 'vitest';
import { div, flatten, idx, key, mod, unflatten } from '../../src/compile/index-expr.js';
import { WEBGPU_DEFAULT_LIMITS } from '../../src/compile/limits.js';
import { planGraph } from '../../src/compile/plan.js';
import { buildGraph } from '../../src/dsl/entry.js';
import { loadProgram } from '../../src/dsl/loader.js';
import { gradGraph } from '../../src/ir/grad.js';

/**
 * Index expressions divide by products of the shape's dims. Their coefficients must stay exact
 * integers whatever the dims (392 * (1 / 196) is 1.9999999999999998 in floating point), or keys
 * that should match do not, and the stitch pass fails to prove that a phase reads only its own
 * batch element's data.
 */
describe('index expressions', () => {
  it('collapse a flat index divided by its batch element\'s size to the batch index, exactly, for every length', () => {
    for (let t = 1; t <= 40; t++) {
      const shape = [8, 2, t, t];
      const vars = shape.map((s, i) => idx.variable(`i${i}`, s));
      const flat = flatten(vars, shape);
      expect(key(div(flat, 2 * t * t)), `T = ${t}`).toBe(key(vars[0]!));
      // And back: the multi-index of the flat index is the multi-index.
      unflatten(flat, shape).forEach((v, i) => expect(key(v), `T = ${t}, dim ${i}`).toBe(key(vars[i]!)));
      for (const term of div(flat, t).terms) expect(Number.isInteger(term.coef), `T = ${t}`).toBe(true);
      expect(key(mod(flat, t * t))).toBe(key(flatten(vars.slice(2), [t, t])));
    }
  });

  it('let a text layer\'s forward and backward at 14 positions (the synthetic questions\' longest) stitch as at 16', () => {
    const program = loadProgram('examples/fiber.fib');
    // With its backward the attention's probabilities are kept, so its scores are a kernel of their own.
    const plan = (T: number) => planGraph(gradGraph(buildGraph(program, 'TextFusionLayerTiny', { bindings: { B: 8, T, L: 16 } })), 'fused', WEBGPU_DEFAULT_LIMITS).dispatches;
    expect(plan(14).length).toBe(plan(16).length);
  });
});
