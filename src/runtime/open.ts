import { WEBGPU_DEFAULT_LIMITS, type TargetLimits } from '../compile/limits.js';
import { CpuDevice } from './cpu.js';
import { CudaDevice } from './cuda/device.js';
import type { BackendName, Device } from './device.js';
import { SimulatedCudaDriver } from './ptxsim/driver.js';
import { WebGpuDevice } from './webgpu/device.js';

let webgpu: Promise<WebGpuDevice> | undefined;

/** The shared WebGPU device of this process (Dawn devices are costly to create). */
export function sharedWebGpu(): Promise<WebGpuDevice> {
  webgpu ??= WebGpuDevice.create();
  return webgpu;
}

/** Opens a backend by name. */
export async function openDevice(name: BackendName): Promise<Device> {
  if (name === 'cuda') return CudaDevice.create();
  if (name === 'cuda-sim') return CudaDevice.withDriver(new SimulatedCudaDriver());
  return name === 'webgpu' ? sharedWebGpu() : new CpuDevice();
}

/** Limits to plan for: the adapter's (read from Dawn) or the WebGPU defaults. */
export async function targetLimits(which: 'adapter' | 'default'): Promise<TargetLimits> {
  return which === 'default' ? WEBGPU_DEFAULT_LIMITS : (await sharedWebGpu()).limits;
}
