/// <reference types="@webgpu/types" />
import { createHash } from 'node:crypto';
import type { TargetLimits } from '../../compile/limits.js';
import { WEBGPU_DEFAULT_LIMITS } from '../../compile/limits.js';
import type { FusionMode } from '../../compile/plan.js';
import type { RuntimePlan } from '../../compile/plan-types.js';
import type { ScheduledPlan } from '../../compile/schedule.js';
import { cachedExecutable } from '../../driver/executable-cache.js';
import { compileWgsl } from '../../driver/pipeline.js';
import type { WgslKernel } from '../../codegen/wgsl/emit.js';
import { withoutEmptyTensors } from '../../ir/empty.js';
import { checkUpdates, runOnce, type LoadOptions } from '../program.js';
import { WebGpuProgram } from './program.js';
import type { Graph } from '../../ir/graph.js';
import { HostTensor } from '../../ir/tensor.js';
import type { Device } from '../device.js';
import { LARGE_PLAN_DISPATCHES } from '../../compile/schedule.js';
import { getAdapter } from './dawn.js';
import { WebGpuError } from './errors.js';
import { precompileAvailable, precompileInChildren, type PipelineSpec, type PrecompileOutcome } from './precompile.js';
import { WebGpuSession } from './session.js';

export { WebGpuSession } from './session.js';

export { WebGpuError } from './errors.js';

export interface WebGpuOptions {
  /** `adapter`: request the adapter's own limits; `default`: the WebGPU defaults (16 KiB, 8 buffers). */
  readonly limits?: 'adapter' | 'default';
  /** Limits to plan for below the device's (tests: a small binding size makes params split). */
  readonly lowerLimits?: Partial<TargetLimits>;
  readonly mode?: FusionMode;
  /**
   * Space Dawn's polling while awaiting submitted work instead of letting it poll from the
   * event loop without pause (see pacedPolling). Default true; false reproduces the spinning wait.
   */
  readonly yieldWhileWaiting?: boolean;
  /**
   * Where the shaders of a large plan (over LARGE_PLAN_DISPATCHES dispatches) are compiled
   * first on lavapipe: `children` (the default) in child processes that fill Mesa's shader
   * cache, so that this process loads them without counting against llvmpipe's bound on
   * compiled code and every register tile fits (see precompile.ts); `here` in this process
   * (large plans then tile only their largest phases). `children` falls back to `here` where
   * precompileAvailable says no (another adapter, Mesa's cache off, FIBERC_PRECOMPILE=off).
   */
  readonly precompile?: 'children' | 'here';
}

/**
 * What a session runs: where tensors live (a plan, possibly read back from the executable
 * cache without its kernel IR), one WGSL kernel and one pipeline per dispatch.
 */
export interface Executable {
  readonly plan: RuntimePlan;
  readonly kernels: readonly WgslKernel[];
  readonly pipelines: readonly GPUComputePipeline[];
}

/** A graph compiled in this process: an Executable with the whole plan (for reports and profiles). */
export interface CompiledGraph extends Executable {
  readonly plan: ScheduledPlan;
}

/** Pipelines kept per device (FiberBase's forward and backward need a few hundred). */
const PIPELINE_CACHE_SIZE = 1024;

const LIMIT_NAMES = [
  'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupSizeX',
  'maxUniformBufferBindingSize',
] as const;

/**
 * The WebGPU backend on Dawn. Limits are read from the adapter and requested explicitly
 * (a device created without requiredLimits only gets the spec defaults); they feed the
 * planner. Pipelines are cached by a hash of their WGSL source. All kernels of a run are
 * recorded in one compute pass of one command encoder.
 */
export class WebGpuDevice implements Device {
  readonly name: string;
  private readonly pipelineCache = new Map<string, Promise<GPUComputePipeline>>();
  private readonly compiled = new WeakMap<Graph, CompiledGraph>();
  private readonly executables = new WeakMap<Graph, Executable>();
  private lost: string | undefined;
  /** The precompiles this device ran (WebGpuOptions.precompile), in order. */
  readonly precompiles: PrecompileOutcome[] = [];

  private constructor(
    readonly device: GPUDevice,
    readonly limits: TargetLimits,
    readonly features: ReadonlySet<string>,
    readonly mode: FusionMode,
    description: string,
    /** See WebGpuOptions.yieldWhileWaiting. */
    readonly yieldWhileWaiting: boolean,
    /** The limits choice (WebGpuOptions.limits), for precompile processes' devices. */
    private readonly limitsChoice: 'adapter' | 'default',
    /** Whether large plans' shaders are compiled in child processes first. */
    private readonly precompilesLarge: boolean,
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
    const granted: TargetLimits = useAdapter
      ? {
          maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
          maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
          maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
          maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: Math.min(l.maxStorageBufferBindingSize, l.maxBufferSize),
          maxUniformBufferBindingSize: l.maxUniformBufferBindingSize,
          ...(fixedSubgroupSize(adapter) ? { subgroupSize: fixedSubgroupSize(adapter) } : {}),
        }
      : WEBGPU_DEFAULT_LIMITS;
    const info = adapter.info as GPUAdapterInfo | undefined;
    const description = info?.description || info?.vendor || 'adapter';
    const precompiles = (options.precompile ?? 'children') === 'children' && precompileAvailable(description);
    // llvmpipe bounds the code it compiles itself (see TargetLimits.boundedShaderCode).
    const bounded = /llvmpipe/i.test(description) && !precompiles;
    const limits = lowered({ ...granted, ...(bounded ? { boundedShaderCode: true } : {}) }, options.lowerLimits ?? {});
    return new WebGpuDevice(device, limits, new Set(wanted), options.mode ?? 'fused', description, options.yieldWhileWaiting ?? true, useAdapter ? 'adapter' : 'default', precompiles);
  }

  private check(): void {
    if (this.lost) throw new WebGpuError(`the WebGPU device was lost (${this.lost})`);
  }

  /** Plans, emits and creates pipelines for a graph (cached per graph object). */
  async compile(graph: Graph, mode: FusionMode = this.mode): Promise<CompiledGraph> {
    const cached = mode === this.mode ? this.compiled.get(graph) : undefined;
    if (cached) return cached;
    this.check();
    let { plan, kernels } = compileWgsl(graph, { mode, limits: this.limits });
    if (!(await this.precompileLarge(kernels, plan.dispatches.length))) ({ plan, kernels } = compileWgsl(graph, { mode, limits: this.boundedLimits }));
    // All at once: Dawn compiles asynchronous pipelines on its worker threads (FiberTiny's
    // training step, 121 pipelines on lavapipe: 2.8 s instead of 3.5 s one after another).
    const pipelines = await Promise.all(kernels.map((k) => this.pipelineFor(k)));
    const result = { plan, kernels, pipelines };
    if (mode === this.mode) this.compiled.set(graph, result);
    return result;
  }

  /**
   * The pipeline layout of a kernel, from its binding table (not 'auto'): a binding the
   * shader declares but does not use stays in the layout, so the bind group always matches
   * the table.
   */
  private layout(k: PipelineSpec): GPUPipelineLayout {
    const entries = k.bindings.map((b, binding): GPUBindGroupLayoutEntry => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: b.access === 'read' ? 'read-only-storage' : 'storage' } }));
    if (k.bases.length > 0) entries.push({ binding: k.bindings.length, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } });
    return this.device.createPipelineLayout({ bindGroupLayouts: [this.device.createBindGroupLayout({ entries, label: k.name })], label: k.name });
  }

  /**
   * The pipeline of a kernel, created once per distinct code. Keyed by the code without its
   * comments, which name the layer: the same layer at another depth (its tensors' offsets are
   * bound, not written in) gets the pipeline compiled for the first, and lavapipe's bounded
   * store of compiled shaders holds one copy.
   */
  pipelineFor(k: PipelineSpec): Promise<GPUComputePipeline> {
    const hash = pipelineKey(k);
    const hit = this.pipelineCache.get(hash);
    if (hit) {
      // Least recently used last: a long-lived process (the fuzzer) compiles thousands of shaders.
      this.pipelineCache.delete(hash);
      this.pipelineCache.set(hash, hit);
      return hit;
    }
    // The module's own validation error is captured (not printed by Dawn): the pipeline's rejection reports it.
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ code: k.source, label: k.name });
    void this.device.popErrorScope();
    const pipeline = this.device.createComputePipelineAsync({ layout: this.layout(k), compute: { module, entryPoint: 'main' }, label: k.name }).catch(async (e: unknown) => {
      this.pipelineCache.delete(hash);
      const info = await module.getCompilationInfo();
      const messages = info.messages.map((m) => `  line ${m.lineNum}:${m.linePos}: ${m.type}: ${m.message}`).join('\n');
      throw new WebGpuError(`kernel ${k.name} failed to compile: ${(e as Error).message}\n${messages}`);
    });
    this.pipelineCache.set(hash, pipeline);
    if (this.pipelineCache.size > PIPELINE_CACHE_SIZE) this.pipelineCache.delete(this.pipelineCache.keys().next().value!);
    return pipeline;
  }

  /**
   * Loads a graph as a Program: compiled (pipelines cached), its buffers allocated and kept
   * until dispose (see WebGpuProgram). Empty tensors are taken out first (withoutEmptyTensors).
   */
  async load(graph: Graph, options: LoadOptions = {}): Promise<WebGpuProgram> {
    checkUpdates(graph, options.updates ?? new Map());
    const { graph: g, empty } = withoutEmptyTensors(graph);
    const compiled = g.outputs.length > 0 ? await this.executable(g) : undefined;
    return new WebGpuProgram(graph, this, compiled, empty, options);
  }

  /**
   * The executable of a graph: kept per graph object, else from the persistent executable
   * cache (driver/executable-cache.ts), else planned and emitted (and stored there).
   */
  async executable(graph: Graph): Promise<Executable> {
    const known = this.executables.get(graph) ?? this.compiled.get(graph);
    if (known) return known;
    this.check();
    const planned = (limits: TargetLimits): { plan: RuntimePlan; kernels: readonly WgslKernel[] } => {
      const { plan, code } = cachedExecutable(graph, 'wgsl', this.mode, limits, () => {
        const p = compileWgsl(graph, { mode: this.mode, limits });
        return { plan: p.plan, code: p.kernels };
      });
      return { plan, kernels: code as readonly WgslKernel[] };
    };
    let { plan, kernels } = planned(this.limits);
    if (!(await this.precompileLarge(kernels, plan.dispatches.length))) ({ plan, kernels } = planned(this.boundedLimits));
    const executable = { plan, kernels, pipelines: await Promise.all(kernels.map((k) => this.pipelineFor(k))) };
    this.executables.set(graph, executable);
    return executable;
  }

  /** This device's limits with llvmpipe's bound on compiled code (for plans compiled here). */
  private get boundedLimits(): TargetLimits {
    return { ...this.limits, boundedShaderCode: true };
  }

  /**
   * Compiles the shaders of a large plan (over LARGE_PLAN_DISPATCHES dispatches) that this
   * device has no pipeline for in child processes first, when this device does that
   * (WebGpuOptions.precompile). False when they failed (recorded in `precompiles`): the plan,
   * made for shaders loaded from Mesa's cache, must be made again for a bounded budget.
   */
  private async precompileLarge(kernels: readonly WgslKernel[], dispatches: number): Promise<boolean> {
    if (!this.precompilesLarge || dispatches <= LARGE_PLAN_DISPATCHES) return true;
    const fresh = new Map<string, WgslKernel>();
    for (const k of kernels) {
      const key = pipelineKey(k);
      if (!this.pipelineCache.has(key) && !fresh.has(key)) fresh.set(key, k);
    }
    if (fresh.size === 0) return true;
    try {
      this.precompiles.push(await precompileInChildren([...fresh.values()], this.limitsChoice));
      return true;
    } catch (e) {
      this.precompiles.push({ shaders: fresh.size, error: (e as Error).message });
      return false;
    }
  }

  /** Runs a graph once on feeds (inputs and every param): a Program loaded, run, read and freed. */
  async run(graph: Graph, feeds: ReadonlyMap<string, HostTensor>): Promise<Map<string, HostTensor>> {
    return runOnce(this, graph, feeds);
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

/** The pipeline cache's key of a kernel: a hash of its code without comments. */
function pipelineKey(k: PipelineSpec): string {
  return createHash('sha256').update(withoutComments(k.source)).digest('hex');
}

/** WGSL source without its `//` comments and blank lines (WGSL has no string literals). */
export function withoutComments(source: string): string {
  return source
    .split('\n')
    .map((line) => line.replace(/\s*\/\/.*$/, ''))
    .filter((line) => line.trim() !== '')
    .join('\n');
}

/** The adapter's subgroup size when it has the feature and the size is fixed (min = max). */
function fixedSubgroupSize(adapter: GPUAdapter): number | undefined {
  const info = adapter.info as GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number };
  if (!adapter.features.has('subgroups') || !info.subgroupMinSize || info.subgroupMinSize !== info.subgroupMaxSize) return undefined;
  return info.subgroupMinSize;
}

/** `limits` with each number of `lower` that is lower put in its place. */
function lowered(limits: TargetLimits, lower: Partial<TargetLimits>): TargetLimits {
  const out: Record<string, unknown> = { ...limits };
  for (const [k, v] of Object.entries(lower)) if (typeof v === 'number') out[k] = Math.min(v, (out[k] as number | undefined) ?? v);
  return out as unknown as TargetLimits;
}
