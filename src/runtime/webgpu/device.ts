/// <reference types="@webgpu/types" />
import { createHash } from 'node:crypto';
import type { TargetLimits } from '../../compile/limits.js';
import { WEBGPU_DEFAULT_LIMITS } from '../../compile/limits.js';
import type { FusionMode, Plan } from '../../compile/plan.js';
import { compileWgsl } from '../../driver/pipeline.js';
import type { WgslKernel } from '../../codegen/wgsl/emit.js';
import { runWithoutEmpty } from '../../ir/empty.js';
import type { Graph } from '../../ir/graph.js';
import { numel } from '../../ir/shape.js';
import { HostTensor } from '../../ir/tensor.js';
import { deviceArray } from '../host-data.js';
import type { Device } from '../device.js';
import { getAdapter } from './dawn.js';
import { YieldingWait } from './yielding-wait.js';

/** Raised for WebGPU validation errors and device loss; names the kernel when one is at fault. */
export class WebGpuError extends Error {
  override readonly name = 'WebGpuError';
}

export interface WebGpuOptions {
  /** `adapter`: request the adapter's own limits; `default`: the WebGPU defaults (16 KiB, 8 buffers). */
  readonly limits?: 'adapter' | 'default';
  readonly mode?: FusionMode;
  /**
   * Sleep before awaiting submitted work instead of letting Dawn poll from the event loop the
   * whole time (see YieldingWait). Default true; false reproduces the spinning wait.
   */
  readonly yieldWhileWaiting?: boolean;
}

/** A graph compiled for this device: its plan and one WGSL kernel per planned kernel. */
export interface CompiledGraph {
  readonly plan: Plan;
  readonly kernels: readonly WgslKernel[];
  readonly pipelines: readonly GPUComputePipeline[];
}

/** Pipelines kept per device (FiberBase's forward and backward need a few hundred). */
const PIPELINE_CACHE_SIZE = 1024;

const LIMIT_NAMES = [
  'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupSizeX',
] as const;

/**
 * The WebGPU backend on Dawn. Limits are read from the adapter and requested explicitly
 * (a device created without requiredLimits only gets the spec defaults); they feed the
 * planner. Pipelines are cached by a hash of their WGSL source. All kernels of a run are
 * recorded in one compute pass of one command encoder.
 */
export class WebGpuDevice implements Device {
  readonly name: string;
  private readonly pipelineCache = new Map<string, GPUComputePipeline>();
  private readonly compiled = new WeakMap<Graph, CompiledGraph>();
  private lost: string | undefined;

  private constructor(
    readonly device: GPUDevice,
    readonly limits: TargetLimits,
    readonly features: ReadonlySet<string>,
    readonly mode: FusionMode,
    description: string,
    /** See WebGpuOptions.yieldWhileWaiting. */
    readonly yieldWhileWaiting: boolean,
  ) {
    this.name = `webgpu (${description})`;
    void device.lost.then((info) => {
      this.lost = `${info.reason}: ${info.message}`;
    });
  }

  static async create(options: WebGpuOptions = {}): Promise<WebGpuDevice> {
    const adapter = await getAdapter();
    const useAdapter = (options.limits ?? 'adapter') === 'adapter';
    const requiredLimits: Record<string, number> = {};
    if (useAdapter) for (const k of LIMIT_NAMES) requiredLimits[k] = adapter.limits[k];
    const wanted = ['shader-f16', 'subgroups', 'timestamp-query'].filter((f) => adapter.features.has(f)) as GPUFeatureName[];
    const device = await adapter.requestDevice({ requiredLimits, requiredFeatures: wanted });
    const l = device.limits;
    const limits: TargetLimits = useAdapter
      ? {
          maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
          maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
          maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
          maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: Math.min(l.maxStorageBufferBindingSize, l.maxBufferSize),
          ...(fixedSubgroupSize(adapter) ? { subgroupSize: fixedSubgroupSize(adapter) } : {}),
        }
      : WEBGPU_DEFAULT_LIMITS;
    const info = adapter.info as GPUAdapterInfo | undefined;
    return new WebGpuDevice(device, limits, new Set(wanted), options.mode ?? 'fused', info?.description || info?.vendor || 'adapter', options.yieldWhileWaiting ?? true);
  }

  private check(): void {
    if (this.lost) throw new WebGpuError(`the WebGPU device was lost (${this.lost})`);
  }

  /** Plans, emits and creates pipelines for a graph (cached per graph object). */
  async compile(graph: Graph, mode: FusionMode = this.mode): Promise<CompiledGraph> {
    const cached = mode === this.mode ? this.compiled.get(graph) : undefined;
    if (cached) return cached;
    this.check();
    const { plan, kernels } = compileWgsl(graph, { mode, limits: this.limits });
    const pipelines: GPUComputePipeline[] = [];
    for (const k of kernels) pipelines.push(await this.pipeline(k));
    const result = { plan, kernels, pipelines };
    if (mode === this.mode) this.compiled.set(graph, result);
    return result;
  }

  private async pipeline(k: WgslKernel): Promise<GPUComputePipeline> {
    const hash = createHash('sha256').update(k.source).digest('hex');
    const hit = this.pipelineCache.get(hash);
    if (hit) {
      // Least recently used last: a long-lived process (the fuzzer) compiles thousands of shaders.
      this.pipelineCache.delete(hash);
      this.pipelineCache.set(hash, hit);
      return hit;
    }
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ code: k.source, label: k.name });
    const pipeline = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: k.name });
    const error = await this.device.popErrorScope();
    if (error) {
      const info = await module.getCompilationInfo();
      const messages = info.messages.map((m) => `  line ${m.lineNum}:${m.linePos}: ${m.type}: ${m.message}`).join('\n');
      throw new WebGpuError(`kernel ${k.name} failed to compile: ${error.message}\n${messages}`);
    }
    this.pipelineCache.set(hash, pipeline);
    if (this.pipelineCache.size > PIPELINE_CACHE_SIZE) this.pipelineCache.delete(this.pipelineCache.keys().next().value!);
    return pipeline;
  }

  async run(graph: Graph, feeds: ReadonlyMap<string, HostTensor>): Promise<Map<string, HostTensor>> {
    return runWithoutEmpty(graph, (g) => this.runCompiled(g, feeds));
  }

  private async runCompiled(graph: Graph, feeds: ReadonlyMap<string, HostTensor>): Promise<Map<string, HostTensor>> {
    const compiled = await this.compile(graph);
    const session = new WebGpuSession(this, compiled);
    try {
      session.write(feeds);
      session.dispatch();
      return await session.read();
    } finally {
      session.destroy();
    }
  }

  /** Creates a session: buffers for a compiled graph, reusable across runs (benchmarks). */
  session(compiled: CompiledGraph): WebGpuSession {
    return new WebGpuSession(this, compiled);
  }

  /** Waits for submitted work and surfaces errors; used after dispatches. */
  async flush(): Promise<void> {
    this.device.pushErrorScope('validation');
    await this.device.queue.onSubmittedWorkDone();
    const error = await this.device.popErrorScope();
    if (error) throw new WebGpuError(error.message);
    this.check();
  }

  dispose(): void {
    this.device.destroy();
  }
}

/** The adapter's subgroup size when it has the feature and the size is fixed (min = max). */
function fixedSubgroupSize(adapter: GPUAdapter): number | undefined {
  const info = adapter.info as GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number };
  if (!adapter.features.has('subgroups') || !info.subgroupMinSize || info.subgroupMinSize !== info.subgroupMaxSize) return undefined;
  return info.subgroupMinSize;
}

/** The buffers of one compiled graph on one device. */
export class WebGpuSession {
  private readonly buffers = new Map<number, GPUBuffer>();
  private readonly arenas: GPUBuffer[];
  private readonly bindGroups: GPUBindGroup[];
  private readonly waiter: YieldingWait;

  constructor(
    private readonly owner: WebGpuDevice,
    readonly compiled: CompiledGraph,
  ) {
    const device = owner.device;
    this.waiter = new YieldingWait(owner.yieldWhileWaiting);
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const { plan } = compiled;
    this.arenas = plan.arenas.map((a, i) => device.createBuffer({ size: Math.max(16, Math.ceil(a.length / 4) * 16), usage, label: `arena${i}` }));
    for (const t of plan.tensors.values()) {
      if (t.arena) continue;
      this.buffers.set(t.ref.id, device.createBuffer({ size: Math.max(16, Math.ceil((numel(t.ref.node.shape) * 4) / 16) * 16), usage, label: t.name || `t${t.ref.id}` }));
    }
    this.bindGroups = compiled.kernels.map((k, i) =>
      device.createBindGroup({
        layout: compiled.pipelines[i]!.getBindGroupLayout(0),
        entries: k.bindings.map((b, binding) => ({ binding, resource: { buffer: b.kind === 'arena' ? this.arenas[b.index]! : this.buffers.get(b.id)! } })),
      }),
    );
  }

  /** False until the param-only dispatches (Dispatch.paramOnly) have run on the current params. */
  private paramsDerived = false;

  /** Uploads inputs and params (params go to their arena offsets). */
  write(feeds: ReadonlyMap<string, HostTensor>): void {
    this.paramsDerived = false;
    const queue = this.owner.device.queue;
    const arenaData = this.compiled.plan.arenas.map((a) => (a.role !== 'params' ? null : a.type === 'i32' ? new Int32Array(a.length) : new Float32Array(a.length)));
    for (const t of this.compiled.plan.tensors.values()) {
      if (t.kind !== 'input' && t.kind !== 'param') continue;
      const value = feeds.get(t.name);
      if (!value) throw new WebGpuError(`no value for ${t.kind} '${t.name}'`);
      const data = deviceArray(t.kind, t.name, value, t.ref.type === 'i32' ? 'i32' : 'f32');
      if (t.arena) arenaData[t.arena.index]!.set(data, t.arena.offset);
      else queue.writeBuffer(this.buffers.get(t.ref.id)!, 0, data);
    }
    arenaData.forEach((d, i) => {
      if (d) queue.writeBuffer(this.arenas[i]!, 0, d);
    });
  }

  /**
   * Records the kernels of `times` runs in one compute pass and submits it. Param-only
   * dispatches run only in the first run after `write` (their results stay in the scratch
   * arena, which nothing else writes there).
   */
  dispatch(times = 1): void {
    const device = this.owner.device;
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    const dispatches = this.compiled.plan.dispatches;
    for (let t = 0; t < times; t++) {
      this.compiled.kernels.forEach((_, i) => {
        if (!dispatches[i]!.paramOnly || !this.paramsDerived) this.record(pass, i);
      });
      this.paramsDerived = true;
    }
    pass.end();
    device.queue.submit([encoder.finish()]);
    this.waiter.submitted(times);
  }

  /**
   * Waits for the runs submitted so far, surfacing errors. It sleeps through most of the
   * expected time first (see YieldingWait), so prefer it to the device's flush after dispatch.
   */
  async wait(): Promise<void> {
    await this.waiter.wait(() => this.owner.flush());
  }

  /**
   * Times each dispatch with timestamp queries (one compute pass per dispatch, so the times
   * include no neighbour's work): milliseconds per dispatch, in plan order, from one run.
   * Needs the adapter's `timestamp-query` feature.
   */
  async profile(): Promise<number[]> {
    const device = this.owner.device;
    if (!this.owner.features.has('timestamp-query')) throw new WebGpuError('the adapter has no timestamp-query feature: profiling is not available');
    const n = this.compiled.kernels.length;
    const querySet = device.createQuerySet({ type: 'timestamp', count: 2 * n });
    const resolved = device.createBuffer({ size: 16 * n, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const staging = device.createBuffer({ size: 16 * n, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = device.createCommandEncoder();
    this.compiled.kernels.forEach((_, i) => {
      const pass = encoder.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
      this.record(pass, i);
      pass.end();
    });
    encoder.resolveQuerySet(querySet, 0, 2 * n, resolved, 0);
    encoder.copyBufferToBuffer(resolved, 0, staging, 0, 16 * n);
    device.queue.submit([encoder.finish()]);
    this.waiter.submitted(1);
    await this.wait();
    await staging.mapAsync(GPUMapMode.READ);
    const stamps = new BigInt64Array(staging.getMappedRange().slice(0));
    staging.unmap();
    for (const b of [staging, resolved]) b.destroy();
    querySet.destroy();
    return Array.from({ length: n }, (_, i) => Number(stamps[2 * i + 1]! - stamps[2 * i]!) / 1e6);
  }

  /** Records dispatch `i` (pipeline, bindings, grid) into a compute pass. */
  private record(pass: GPUComputePassEncoder, i: number): void {
    const k = this.compiled.kernels[i]!;
    pass.setPipeline(this.compiled.pipelines[i]!);
    pass.setBindGroup(0, this.bindGroups[i]!);
    pass.dispatchWorkgroups(k.workgroups[0], k.workgroups[1]);
  }

  /** Reads the graph outputs back to the host. */
  async read(): Promise<Map<string, HostTensor>> {
    const device = this.owner.device;
    const outs = [...this.compiled.plan.tensors.values()].filter((t) => t.kind === 'output');
    const encoder = device.createCommandEncoder();
    const staging = outs.map((t) => {
      // Outputs live in an output arena: copy just their slice.
      const source = t.arena ? this.arenas[t.arena.index]! : this.buffers.get(t.ref.id)!;
      const size = Math.max(4, numel(t.ref.node.shape) * 4);
      const s = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      encoder.copyBufferToBuffer(source, (t.arena?.offset ?? 0) * 4, s, 0, size);
      return s;
    });
    device.queue.submit([encoder.finish()]);
    await this.wait();
    await Promise.all(staging.map((s) => s.mapAsync(GPUMapMode.READ)));
    // Each output tensor is converted once; graph outputs that share a node share it.
    const values = outs.map((t, i) => {
      const n = numel(t.ref.node.shape);
      const raw = staging[i]!.getMappedRange();
      const view = t.ref.type === 'i32' ? new Int32Array(raw, 0, n) : new Float32Array(raw, 0, n);
      return { t, value: new HostTensor(t.ref.node.shape, t.ref.node.dtype, Float64Array.from(view)) };
    });
    for (const s of staging) {
      s.unmap();
      s.destroy();
    }
    const result = new Map<string, HostTensor>();
    for (const o of this.compiled.plan.graph.outputs) {
      const entry = values.find((v) => v.t.name === o.name) ?? values.find((v) => v.t.ref.node === o.node)!;
      result.set(o.name, entry.value);
    }
    return result;
  }

  destroy(): void {
    for (const b of this.buffers.values()) b.destroy();
    for (const a of this.arenas) a.destroy();
  }
}
