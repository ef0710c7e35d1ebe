/**
 * The device limits the planner and code generators respect. They are inputs to the
 * compiler, read from the adapter (WebGPU) or the CUDA device; `WEBGPU_DEFAULT_LIMITS` are
 * the spec defaults every WebGPU device guarantees, which tests also compile for.
 */
export interface TargetLimits {
  readonly maxStorageBuffersPerShaderStage: number;
  readonly maxComputeWorkgroupStorageSize: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly maxStorageBufferBindingSize: number;
  /**
   * Bytes of one uniform binding. A shader's uniform holds its tensors' start offsets and its
   * segment tables (codegen/wgsl/resources.ts); tables that do not fit are written into the
   * shader as constant arrays instead.
   */
  readonly maxUniformBufferBindingSize: number;
  /**
   * The subgroup size when the device has the `subgroups` feature and a fixed subgroup size
   * (lavapipe: 8); absent otherwise. Matmul kernels then share operand rows across the
   * subgroup's lanes with subgroupBroadcast instead of each lane gathering them.
   */
  readonly subgroupSize?: number;
  /**
   * True when the device keeps a bounded amount of compiled shader code per process and this
   * process compiles the plan's shaders itself (lavapipe: llvmpipe evicts beyond 2M LLVM
   * instructions of code it compiled, and recompiles what it evicted on every run). Large
   * plans then tile only their largest phases. Absent on devices without such a bound, and
   * where the shaders are compiled in child processes first (runtime/webgpu/precompile.ts:
   * code llvmpipe loads from Mesa's shader cache does not count against the bound).
   */
  readonly boundedShaderCode?: boolean;
}

export const WEBGPU_DEFAULT_LIMITS: TargetLimits = {
  maxStorageBuffersPerShaderStage: 8,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupsPerDimension: 65535,
  maxStorageBufferBindingSize: 128 * 1024 * 1024,
  maxUniformBufferBindingSize: 64 * 1024,
};

/**
 * Limits for PTX targets (sm_80 and newer): kernel parameters take the place of bindings,
 * 1024 threads per block, 2^31-1 blocks in x. Shared memory: 48 KiB, the most a kernel may
 * declare statically (`.shared` arrays; ptxas rejects more). An H100 block may use up to
 * 227 KiB, but only as dynamic shared memory opted into per kernel at launch.
 */
export const CUDA_DEFAULT_LIMITS: TargetLimits = {
  maxStorageBuffersPerShaderStage: 1024,
  maxComputeWorkgroupStorageSize: 48 * 1024,
  maxComputeInvocationsPerWorkgroup: 1024,
  maxComputeWorkgroupsPerDimension: 65535,
  maxStorageBufferBindingSize: 2 ** 31,
  // Unused for PTX: its plans merge no independent kernels, so no shader has segment tables.
  maxUniformBufferBindingSize: 64 * 1024,
};
