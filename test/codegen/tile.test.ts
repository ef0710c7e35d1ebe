import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WEBGPU_DEFAULT_LIMITS } from '../../src/compile/limits.js';
import { compileWgsl } from '../../src/compile/pipeline.js';
import { buildGraph } from '../../src/dsl/entry.js';
import { loadProgram } from '../../src/dsl/loader.js';

function projection(schedule: string) {
  const dir = mkdtempSync(join(tmpdir(), 'fiberc-tile-'));
  writeFileSync(join(dir, 'p.fib'), `import "std/nn.fib"
module Proj {
  let fc = Linear(64, 128)
  forward(x: f32[B, 32, 64]) -> f32[B, 32, 128] {
    return fc(x)
  }
}
${schedule}
`);
  const graph = buildGraph(loadProgram(join(dir, 'p.fib')), 'Proj', { bindings: { B: 1 } });
  return compileWgsl(graph, { mode: 'fused', limits: WEBGPU_DEFAULT_LIMITS }).kernels.map((k) => k.source).join('\n');
}

describe('matmul register tiles', () => {
  it('default to 8x4 outputs per invocation', () => {
    expect(projection('')).toContain('8x4 register tile per invocation');
  });
  it('take four k steps per iteration, loading aligned operand runs as one vec4', () => {
    const source = projection('');
    expect(source).toMatch(/var<storage, read> buf\d+: array<vec4<f32>>/);
    expect(source).toMatch(/let vk\d+ = buf\d+\[m0 \* 16 \+ r0_4\];/);
    expect(source).toContain('acc_0_0 = acc_0_0 + dot(vk0, ');
  });
  it('follow a schedule\'s tile, separately from the algorithm', () => {
    expect(projection('schedule Linear for wgsl {\n  tile = [4, 4]\n}')).toContain('4x4 register tile per invocation');
  });
});
