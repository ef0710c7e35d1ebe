import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CUDA_DEFAULT_LIMITS, WEBGPU_DEFAULT_LIMITS } from '../../src/compile/limits.js';
import { compilePtx } from '../../src/driver/pipeline.js';
import { planGraph } from '../../src/compile/plan.js';
import { buildGraph } from '../../src/dsl/entry.js';
import { loadProgram } from '../../src/dsl/loader.js';
import { relativeMaxError } from '../../src/ir/compare.js';
import { randomTensor } from '../../src/ir/gradcheck.js';
import { interpret } from '../../src/ir/interpret.js';
import { HostTensor } from '../../src/ir/tensor.js';
import { CudaDevice } from '../../src/runtime/cuda/device.js';
import type { Device } from '../../src/runtime/device.js';
import { SimulatedCudaDriver } from '../../src/runtime/ptxsim/driver.js';
import { checkSource } from '../helpers.js';
import { gpu } from './gpu.js';

const SOURCE = `import "std/attention.fib"
module Attend(heads: int = 2) {
  forward(q: f32[B, H, N, D], k: f32[B, H, M, D], v: f32[B, H, M, E], bias: f32[B, H, N, M]) -> f32[B, H, N, E] {
    return attention(q, k, v, bias)
  }
}
`;

function program() {
  expect(checkSource({ 'main.fib': SOURCE })).toBe('ok');
  const dir = mkdtempSync(join(tmpdir(), 'fiberc-attn-'));
  writeFileSync(join(dir, 'attend.fib'), SOURCE);
  return loadProgram(join(dir, 'attend.fib'));
}

describe('the attention template (online softmax), in WGSL and PTX', () => {
  const p = program();
  const shapes = { q: [2, 2, 5, 8], k: [2, 2, 7, 8], v: [2, 2, 7, 6], bias: [2, 2, 5, 7] };
  const graph = buildGraph(p, 'Attend', { inputShapes: new Map(Object.entries(shapes).map(([k, s]) => [k, { shape: s, dtype: 'f32' as const }])) });

  it('is recognised: one kernel computes the whole attention, scores and probabilities are not stored', () => {
    const plan = planGraph(graph, 'fused', WEBGPU_DEFAULT_LIMITS);
    expect(plan.kernels).toHaveLength(1);
    expect(plan.kernels[0]!.kernel.attention?.columns).toBe(6);
    expect(plan.kernels[0]!.reason).toContain('online-softmax');
  });

  // WGSL on the adapter, and PTX (codegen/ptx/attention.ts) on the PTX simulator.
  const devices: [string, () => Promise<Device>][] = [['WGSL', () => gpu('fused')], ['PTX', async () => CudaDevice.withDriver(new SimulatedCudaDriver())]];
  for (const [target, open] of devices) {
    it(`${target}: equals the interpreter, and a fully masked row gives 0 instead of NaN`, async () => {
      const device = await open();
      const feeds = new Map(Object.entries(shapes).map(([k, s], i) => [k, randomTensor(s, 40 + i, 2)]));
      const expected = interpret(graph, feeds).get('out')!;
      expect(relativeMaxError((await device.run(graph, feeds)).get('out')!, expected)).toBeLessThan(1e-5);
      // Mask every key of query row 3 in batch 1, head 0 with -inf.
      const bias = feeds.get('bias')!;
      const masked = Float64Array.from(bias.data);
      const row = ((1 * 2 + 0) * 5 + 3) * 7;
      for (let j = 0; j < 7; j++) masked[row + j] = -Infinity;
      const maskedFeeds = new Map(feeds).set('bias', new HostTensor(bias.shape, 'f32', masked));
      const out = (await device.run(graph, maskedFeeds)).get('out')!;
      const first = ((1 * 2 + 0) * 5 + 3) * 6;
      expect([...out.data.slice(first, first + 6)]).toEqual([0, 0, 0, 0, 0, 0]);
      expect(out.data.every(Number.isFinite)).toBe(true);
    });
  }
  it('PTX: the template is one entry with one key loop', () => {
    const { module, plan } = compilePtx(graph, { mode: 'fused', limits: CUDA_DEFAULT_LIMITS, arch: 'sm_90a' });
    expect(plan.dispatches).toHaveLength(1);
    expect(module.source.match(/_keys:/g)).toHaveLength(1);
  });
});
