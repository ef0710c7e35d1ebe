import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WEBGPU_DEFAULT_LIMITS } from '../../src/compile/limits.js';
import { cachedExecutable } from '../../src/driver/executable-cache.js';
import { compileWgsl } from '../../src/driver/pipeline.js';
import { buildGraph } from '../../src/dsl/entry.js';
import { loadProgram } from '../../src/dsl/loader.js';
import type { Graph } from '../../src/ir/graph.js';
import { relativeMaxError } from '../../src/ir/compare.js';
import { interpret } from '../../src/ir/interpret.js';
import { prepareFeeds } from '../../src/runtime/feeds.js';
import { exampleInputs, withAlpha } from '../../src/cli/demo.js';
import type { Device } from '../../src/runtime/device.js';
import { WebGpuDevice } from '../../src/runtime/webgpu/device.js';
import { CudaDevice } from '../../src/runtime/cuda/device.js';
import { SimulatedCudaDriver } from '../../src/runtime/ptxsim/driver.js';

/**
 * The persistent executable cache: a second process (here: a graph built again from source,
 * with a fresh compile callback) reads the plan and kernels back instead of compiling, and
 * runs them with the same results; a different graph, a corrupt entry or the cache turned off
 * compile again.
 */

const FIBER = resolve(__dirname, '../../examples/fiber.fib');
const build = (T = 8): Graph => buildGraph(loadProgram(FIBER), 'TextFusionLayerTiny', { bindings: { B: 2, T, L: 16 } });

function lookup(graph: Graph, env: NodeJS.ProcessEnv): { hit: boolean; compiled: number; kernels: unknown } {
  let compiled = 0;
  const r = cachedExecutable(graph, 'wgsl', 'fused', WEBGPU_DEFAULT_LIMITS, () => {
    compiled++;
    const p = compileWgsl(graph, { mode: 'fused', limits: WEBGPU_DEFAULT_LIMITS });
    return { plan: p.plan, code: p.kernels };
  }, env);
  return { hit: r.hit, compiled, kernels: r.code };
}

describe('the executable cache', () => {
  it('serves a graph built again from source without compiling, and the same kernels', () => {
    const env = { FIBERC_CACHE_DIR: mkdtempSync(join(tmpdir(), 'fiberc-cache-')) };
    const first = lookup(build(), env);
    expect([first.hit, first.compiled]).toEqual([false, 1]);
    const second = lookup(build(), env);
    expect([second.hit, second.compiled]).toEqual([true, 0]);
    expect(second.kernels).toEqual(first.kernels);
    // Another binding is another graph.
    expect(lookup(build(16), env).hit).toBe(false);
    expect(readdirSync(env.FIBERC_CACHE_DIR)).toHaveLength(2);
  });

  it('a corrupt entry is compiled again and replaced; FIBERC_CACHE=off writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fiberc-cache-'));
    const env = { FIBERC_CACHE_DIR: dir };
    lookup(build(), env);
    const [file] = readdirSync(dir);
    writeFileSync(join(dir, file!), '{"key": "trunc');
    expect(lookup(build(), env)).toMatchObject({ hit: false, compiled: 1 });
    expect(lookup(build(), env)).toMatchObject({ hit: true, compiled: 0 });
    const off = mkdtempSync(join(tmpdir(), 'fiberc-cache-'));
    expect(lookup(build(), { FIBERC_CACHE_DIR: off, FIBERC_CACHE: 'off' })).toMatchObject({ hit: false, compiled: 1 });
    expect(existsSync(off) && readdirSync(off)).toEqual([]);
  });

  /**
   * Runs the layer twice, each time on a fresh device from `open` with the process's cache in
   * a new folder (the second run reads the first's entry), against the interpreter; returns the folder.
   */
  async function twoRunsFromTheCache(open: () => Promise<Device>): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'fiberc-cache-'));
    const saved = process.env.FIBERC_CACHE_DIR;
    process.env.FIBERC_CACHE_DIR = dir;
    try {
      for (let round = 0; round < 2; round++) {
        const graph = build();
        const feeds = withAlpha(graph, prepareFeeds(graph, exampleInputs(graph, 1), new Map(), 0), 0.5);
        const device = await open();
        const got = await device.run(graph, feeds);
        for (const [name, t] of interpret(graph, feeds)) expect(relativeMaxError(got.get(name)!, t, 1e-3), `round ${round}: ${name}`).toBeLessThan(2e-4);
        device.dispose();
        expect(readdirSync(dir)).toHaveLength(1);
      }
    } finally {
      process.env.FIBERC_CACHE_DIR = saved;
    }
    return dir;
  }

  it('a program loaded from a cached executable on a new device runs like the interpreter', async () => {
    await twoRunsFromTheCache(() => WebGpuDevice.create());
  });

  it('a CUDA program (PTX simulator) loaded from a cached executable runs like the interpreter', async () => {
    const dir = await twoRunsFromTheCache(async () => CudaDevice.withDriver(new SimulatedCudaDriver()));
    // The entry is the PTX one, not a WGSL one: a WebGPU lookup of the same graph misses.
    expect(lookup(build(), { FIBERC_CACHE_DIR: dir }).hit).toBe(false);
  });
});
