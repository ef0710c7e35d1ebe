/// <reference types="@webgpu/types" />
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Dawn through the npm package `webgpu`. The object `create()` returns must stay referenced
 * for the whole process: if it is garbage-collected, later mapAsync/onSubmittedWorkDone calls
 * crash or hang (../shared/MACHINE-NOTES.md). It is kept in a module-level variable.
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

export async function getAdapter(): Promise<GPUAdapter> {
  const adapter = await (await getGpu()).requestAdapter();
  if (!adapter) {
    throw new NoAdapterError('no WebGPU adapter found: on a machine without a GPU install Mesa lavapipe 25 (bash scripts/setup.sh does)');
  }
  return adapter;
}
