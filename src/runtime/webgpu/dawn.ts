/// <reference types="@webgpu/types" />
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withNativeStderrSilenced } from '../quiet-stderr.js';

/**
 * Dawn through the npm package `webgpu`. The object `create()` returns must stay referenced
 * for the whole process: if it is garbage-collected, later mapAsync/onSubmittedWorkDone calls
 * crash or hang (seen as intermittent aborts in InstanceBase::ProcessEvents). It is kept in a
 * module-level variable.
 */
let gpu: GPU | undefined;

/** Thrown when no WebGPU adapter can be found; the message says how to get one. */
export class NoAdapterError extends Error {
  override readonly name = 'NoAdapterError';
}

export async function getGpu(): Promise<GPU> {
  if (gpu) return gpu;
  // Vulkan loaders (lavapipe) want a runtime dir; a fresh CI machine may not have one.
  if (!process.env.XDG_RUNTIME_DIR) {
    const dir = join(tmpdir(), `xdg-runtime-${process.getuid?.() ?? 'user'}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    process.env.XDG_RUNTIME_DIR = dir;
  }
  let mod: { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
  try {
    mod = (await import('webgpu')) as unknown as typeof mod;
  } catch (e) {
    throw new NoAdapterError(`cannot load Dawn (npm package 'webgpu'): ${(e as Error).message}`);
  }
  // GPUBufferUsage, GPUMapMode, ... as the WebGPU spec defines them on the global object.
  Object.assign(globalThis, mod.globals);
  gpu = mod.create([]);
  return gpu;
}

/** Whether Dawn's own warnings reach stderr (`--verbose`); by default they are kept out. */
let dawnVerbose = process.env.FIBERC_VERBOSE === '1';

/** Lets Dawn's warnings through (true) or keeps them out of the output (false, the default). */
export function setDawnVerbose(verbose: boolean): void {
  dawnVerbose = verbose;
}

export async function getAdapter(): Promise<GPUAdapter> {
  const instance = await getGpu();
  // lavapipe's adapter makes Dawn print two warnings about dynamic buffer limits fiberc never uses.
  const adapter = dawnVerbose ? await instance.requestAdapter() : await withNativeStderrSilenced(() => instance.requestAdapter());
  if (!adapter) {
    throw new NoAdapterError('no WebGPU adapter found: on a machine without a GPU install Mesa lavapipe 25 (bash scripts/setup.sh does)');
  }
  return adapter;
}
