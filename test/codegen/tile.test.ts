import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WEBGPU_DEFAULT_LIMITS } from '../../src/compile/limits.js';
import { compileWgsl } from '../../src/driver/pipeline.js';
import { buildGraph } from '../../src/dsl/entry.js';
import { loadProgram } from '../../src/dsl/loader.js';

function projection(schedule: string, { tokens = 32, limits = WEBGPU_DEFAULT_LIMITS, features = 128 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'fiberc-tile-'));
  writeFileSync(join(dir, 'p.fib'), `import "std/nn.fib"
module Proj {
  let fc = Linear(64, ${features})
  forward(x: f32[B, ${tokens}, 64]) -> f32[B, ${tokens}, ${features}] {
    return fc(x)
  }
}
${schedule}
`);
  const graph = buildGraph(loadProgram(join(dir, 'p.fib')), 'Proj', { bindings: { B: 1 } });
  return compileWgsl(graph, { mode: 'fused', limits }).kernels.map((k) => k.source).join('\n');
}

describe('matmul register tiles', () => {
  it('default to 8x4 outputs per invocation', () => {
    expect(projection('')).toContain('8x4 register tile per invocation');
  });
  it('take four k steps per iteration, loading aligned operand runs as one vec4', () => {
    const source = projection('');
    expect(source).toMatch(/var<storage, read> buf\d+: array<vec4<f32>>/);
    // The part of the index that does not change in the k loop is computed once, above it.
    expect(source).toMatch(/let (base\d+) = m0 \* 16;[^]*let vk\d+ = buf\d+\[\1 \+ r0_4\];/);
    expect(source).toContain('acc_0_0 = acc_0_0 + dot(vk0, ');
  });
  it('with a fixed subgroup size, take the shape of least modelled cost', () => {
    const lavapipe = { ...WEBGPU_DEFAULT_LIMITS, subgroupSize: 8 };
    // 576 tokens: 32-row tiles on the output's own rows, 4 columns per lane.
    expect(projection('', { tokens: 576, limits: lavapipe })).toContain('32x4 register tile per invocation, rows shared across a subgroup of 8');
    // 40 tokens by 3072 features: transposed, 24 feature rows per tile, 5 tokens per lane (8 lanes: all 40).
    const few = projection('', { tokens: 40, features: 3072, limits: lavapipe });
    expect(few).toContain('24x5 register tile per invocation (transposed: its rows run along the last axis), rows shared across a subgroup of 8');
    expect(few).toContain('let n0 = tile_n * 5;');
  });
  it('follow a schedule\'s tile, separately from the algorithm', () => {
    expect(projection('schedule Linear for wgsl {\n  tile = [4, 4]\n}')).toContain('4x4 register tile per invocation');
  });
});
