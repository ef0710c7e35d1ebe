/** Raised for WebGPU validation errors and device loss; names the kernel when one is at fault. */
export class WebGpuError extends Error {
  override readonly name = 'WebGpuError';
}
