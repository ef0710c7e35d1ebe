import { WebGpuDevice } from '../../src/runtime/webgpu/device.js';
import type { FusionMode } from '../../src/compile/plan.js';

const devices = new Map<string, Promise<WebGpuDevice>>();

/** One shared device per (mode, limits) for the whole test file: creating devices is slow. */
export function gpu(mode: FusionMode = 'fused', limits: 'adapter' | 'default' = 'adapter'): Promise<WebGpuDevice> {
  const key = `${mode}/${limits}`;
  let d = devices.get(key);
  if (!d) {
    d = WebGpuDevice.create({ mode, limits });
    devices.set(key, d);
  }
  return d;
}
