/// <reference types="@webgpu/types" />
/**
 * A shader precompile process (see precompile.ts): `node precompile-child.js JOB PART`
 * creates a device as its parent's, dispatches each pipeline of part PART of JOB once, waits
 * for Mesa to write what llvmpipe compiled into its shader cache, and exits 0 (1 with the
 * error on stderr).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { WebGpuDevice } from './device.js';
import type { PipelineSpec, PrecompileJob } from './precompile.js';

/** Bytes of each scratch storage buffer: shaders index runtime-sized arrays, clamped to it. */
const SCRATCH_BYTES = 256;

/**
 * Dispatches each pipeline once, one workgroup on small scratch buffers: llvmpipe compiles a
 * shader at its first dispatch whatever the grid, and WebGPU's bounds checks keep every
 * access inside the buffers (the values computed are thrown away).
 */
export async function dispatchEachOnce(device: WebGpuDevice, specs: readonly PipelineSpec[]): Promise<void> {
  const gpu = device.device;
  const pipelines = await Promise.all(specs.map((s) => device.pipelineFor(s)));
  const storage = Array.from({ length: Math.max(0, ...specs.map((s) => s.bindings.length)) }, () => gpu.createBuffer({ size: SCRATCH_BYTES, usage: GPUBufferUsage.STORAGE }));
  const uniform = gpu.createBuffer({ size: Math.max(16, ...specs.map((s) => Math.ceil(s.bases.length / 4) * 16)), usage: GPUBufferUsage.UNIFORM });
  const encoder = gpu.createCommandEncoder();
  const pass = encoder.beginComputePass();
  specs.forEach((s, i) => {
    const entries: GPUBindGroupEntry[] = s.bindings.map((_, binding) => ({ binding, resource: { buffer: storage[binding]! } }));
    if (s.bases.length > 0) entries.push({ binding: s.bindings.length, resource: { buffer: uniform, size: Math.ceil(s.bases.length / 4) * 16 } });
    pass.setPipeline(pipelines[i]!);
    pass.setBindGroup(0, gpu.createBindGroup({ layout: pipelines[i]!.getBindGroupLayout(0), entries }));
    pass.dispatchWorkgroups(1, 1);
  });
  pass.end();
  gpu.queue.submit([encoder.finish()]);
  await device.flush();
}

/**
 * Waits until Mesa's shader cache folders stop growing (checked every 250 ms, at most 10 s).
 * Mesa writes entries on a background thread of the lowest priority, and a process that
 * exits drops the writes still queued.
 */
export async function settleShaderCache(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const base = env.MESA_SHADER_CACHE_DIR || env.XDG_CACHE_HOME || join(homedir(), '.cache');
  let last = -1;
  for (let waited = 0; waited < 10_000; waited += 250) {
    await sleep(250);
    const size = cacheBytes(base);
    if (size === last) return;
    last = size;
  }
}

/** Bytes in the `mesa_shader_cache*` folders under `base` (0 when there are none). */
function cacheBytes(base: string): number {
  const total = (path: string): number => {
    const s = statSync(path, { throwIfNoEntry: false });
    if (!s) return 0;
    return s.isDirectory() ? readdirSync(path).reduce((sum, e) => sum + total(join(path, e)), 0) : s.size;
  };
  try {
    return readdirSync(base).filter((e) => e.startsWith('mesa_shader_cache')).reduce((sum, e) => sum + total(join(base, e)), 0);
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const [file, part] = process.argv.slice(2);
  const job = JSON.parse(readFileSync(file!, 'utf8')) as PrecompileJob;
  const specs = job.parts[Number(part)];
  if (!specs) throw new Error(`no part ${part} in ${file}`);
  const device = await WebGpuDevice.create({ limits: job.limits, precompile: 'here' });
  await dispatchEachOnce(device, specs);
  await settleShaderCache();
}

// Run as a script (not imported, as the tests do).
if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
