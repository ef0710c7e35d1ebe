import { describe, expect, it } from 'vitest';
import { WEBGPU_DEFAULT_LIMITS } from '../../src/compile/limits.js';
import { compileWgsl } from '../../src/driver/pipeline.js';
import { graphOf, T } from '../helpers.js';

/** The WGSL of a graph compiled in unfused mode (one kernel per primitive). */
function unfusedSource(inputs: Parameters<typeof graphOf>[0], body: Parameters<typeof graphOf>[1]): string[] {
  const { graph } = graphOf(inputs, body);
  return compileWgsl(graph, { mode: 'unfused', limits: WEBGPU_DEFAULT_LIMITS }).kernels.map((k) => k.source);
}

const rows = (n: number, width: number): ReturnType<typeof T> => T([n, width], Array.from({ length: n * width }, (_, i) => i % 7));

describe('vec4 code generation (WGSL)', () => {
  it('reductions along a contiguous axis take four steps per iteration', () => {
    const [max] = unfusedSource({ s: rows(3, 16) }, (b, n) => b.reduce('max', n.s!, [1]));
    // -inf as the identity, and NaN-propagating max (spec/ir.md, corner cases).
    expect(max).toMatch(/var acc0: vec4<f32> = vec4<f32>\(fib_neg_inf\(\)\);/);
    expect(max).toMatch(/for \(var r0_v: i32 = 0; r0_v < 4 \+ fib_z; r0_v\+\+\)/);
    expect(max).toContain('acc0 = fib_max4(acc0, ');
    expect(max).toContain('fib_max(fib_max(acc0.x, acc0.y), fib_max(acc0.z, acc0.w))');
  });
  it('element-wise kernels write four elements per invocation', () => {
    const [exp] = unfusedSource({ s: rows(3, 16) }, (b, n) => b.unary('exp', n.s!));
    expect(exp).toContain('4 elements per invocation as a vec4');
    expect(exp).toMatch(/if \(flat >= 12\)/);
    expect(exp).toMatch(/let q4 = flat % 4;\n\s*arena\d+\[\(fib_b0 >> 2u\) \+ flat\] = exp\(buf\d+\[i0 \* 4 \+ q4\]\);/);
  });
  it('stay scalar where four consecutive elements are not one aligned vec4', () => {
    // Rows of 6: the fours of the last axis do not start at multiples of 4.
    const [sum] = unfusedSource({ s: rows(4, 6) }, (b, n) => b.reduce('sum', n.s!, [1]));
    expect(sum).not.toContain('vec4<f32>');
    const [neg] = unfusedSource({ s: rows(4, 6) }, (b, n) => b.unary('neg', n.s!));
    expect(neg).not.toContain('vec4<f32>');
  });
});
