import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileWgsl } from '../../src/driver/pipeline.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { Graph } from '../../src/ir/graph.js';
import { WebGpuDevice } from '../../src/runtime/webgpu/device.js';
import { PrecompileError, precompileInChildren } from '../../src/runtime/webgpu/precompile.js';

/** A small graph of a few distinct kernels (unfused): a matmul, a tanh, a residual, a sum. */
function smallGraph(): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [2, 6, 8], 'f32');
  const w = b.param('w', [8, 8], 'f32', { kind: 'constant', value: 0 });
  const y = b.unary('tanh', b.matmul(x, w));
  return new Graph([x], [w], [{ name: 'out', node: b.binary('add', y, x) }, { name: 'sum', node: b.reduce('sum', y, [2]) }]);
}

function bytesUnder(dir: string): number {
  const s = statSync(dir);
  return s.isDirectory() ? readdirSync(dir).reduce((sum, e) => sum + bytesUnder(join(dir, e)), 0) : s.size;
}

describe('shaders compiled in child processes (lavapipe)', () => {
  const saved = process.env.MESA_SHADER_CACHE_DIR;
  const cache = mkdtempSync(join(tmpdir(), 'fiberc-mesa-cache-'));
  afterAll(() => {
    if (saved === undefined) delete process.env.MESA_SHADER_CACHE_DIR;
    else process.env.MESA_SHADER_CACHE_DIR = saved;
    rmSync(cache, { recursive: true, force: true });
  });

  it('fills Mesa\'s shader cache from two processes and reports what they did', async () => {
    const device = await WebGpuDevice.create({ precompile: 'here' });
    const { kernels } = compileWgsl(smallGraph(), { mode: 'unfused', limits: device.limits });
    device.dispose();
    expect(kernels.length).toBeGreaterThanOrEqual(3);
    // The children inherit this process's environment: their cache is this empty folder.
    process.env.MESA_SHADER_CACHE_DIR = cache;
    const report = await precompileInChildren(kernels, 'adapter', 2);
    expect(report).toMatchObject({ shaders: kernels.length, processes: 2 });
    expect(report.seconds).toBeGreaterThan(0);
    expect(readdirSync(cache).some((e) => e.startsWith('mesa_shader_cache'))).toBe(true);
    expect(bytesUnder(cache)).toBeGreaterThan(0);
  }, 120_000);

  it('rejects with the child\'s error when a shader does not compile', async () => {
    const bad = { name: 'broken_kernel', source: '@compute @workgroup_size(1) fn main() { let x: f32 = undefined_name; }', bindings: [], bases: [] };
    await expect(precompileInChildren([bad], 'adapter', 1)).rejects.toThrow(PrecompileError);
    await expect(precompileInChildren([bad], 'adapter', 1)).rejects.toThrow(/process 0 exited with 1:[\s\S]*kernel broken_kernel failed to compile/);
  }, 120_000);

  it('plans for llvmpipe\'s bound on compiled code only where this process compiles the shaders', async () => {
    const here = await WebGpuDevice.create({ precompile: 'here' });
    const children = await WebGpuDevice.create();
    try {
      expect(here.limits.boundedShaderCode).toBe(true);
      expect(children.limits.boundedShaderCode).toBeUndefined();
    } finally {
      here.dispose();
      children.dispose();
    }
  });
});
