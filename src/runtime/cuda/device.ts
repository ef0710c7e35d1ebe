import { CUDA_DEFAULT_LIMITS } from '../../compile/limits.js';
import { compilePtx } from '../../driver/pipeline.js';
import { PTX_ARCHS, type PtxArch } from '../../codegen/ptx/emit.js';
import type { MatmulPrecision } from '../../codegen/ptx/mma.js';
import { runWithoutEmpty } from '../../ir/empty.js';
import type { Graph } from '../../ir/graph.js';
import { numel } from '../../ir/shape.js';
import { HostTensor } from '../../ir/tensor.js';
import { deviceArray } from '../host-data.js';
import type { Device } from '../device.js';
import type { LoadOptions, Program } from '../program.js';
import { HostProgram } from '../host-program.js';
import { CudaDriver, type CudaDriverApi } from './driver.js';

/**
 * The CUDA backend: the graph's PTX (one entry per dispatch) JIT-loaded by the driver, buffers
 * for arenas and tensors, kernels launched in plan order on a stream of the run's own (timed
 * with events recorded on it). Creating it
 * on a machine without a driver throws NoCudaDriverError ("no CUDA driver found").
 */
export class CudaDevice implements Device {
  readonly name: string;

  private constructor(
    private readonly driver: CudaDriverApi,
    readonly arch: PtxArch,
    deviceArch: string,
    /** Operand type of matmul kernels: f16/bf16 run them on the tensor cores (mma.sync). */
    readonly matmul: MatmulPrecision,
  ) {
    this.name = `cuda (${deviceArch}, PTX for ${arch}${matmul === 'f32' ? '' : `, ${matmul} tensor-core matmuls`})`;
  }

  static create(ordinal = 0, matmul: MatmulPrecision = 'f32'): CudaDevice {
    return CudaDevice.withDriver(CudaDriver.load(), ordinal, matmul);
  }

  /**
   * The backend over any implementation of the driver calls: the PTX simulator
   * (runtime/ptxsim) runs the same host code and PTX without a GPU.
   */
  static withDriver(driver: CudaDriverApi, ordinal = 0, matmul: MatmulPrecision = 'f32'): CudaDevice {
    const { arch } = driver.open(ordinal);
    // The newest PTX target fiberc emits that the device runs (sm_90a only on exactly sm_90).
    const supported = PTX_ARCHS.filter((a) => a !== 'sm_90a' && Number(a.slice(3)) <= Number(arch.slice(3)));
    return new CudaDevice(driver, supported[supported.length - 1] ?? 'sm_80', arch, matmul);
  }

  /**
   * A Program on CUDA. For now a HostProgram: params stay on the host and travel with
   * every run (the module is loaded and buffers are allocated per run); persistent device
   * buffers are the next step.
   */
  async load(graph: Graph, options: LoadOptions = {}): Promise<Program> {
    return new HostProgram(graph, (g, feeds) => this.run(g, feeds), options);
  }

  async run(graph: Graph, feeds: ReadonlyMap<string, HostTensor>): Promise<Map<string, HostTensor>> {
    return runWithoutEmpty(graph, async (g) => this.execute(g, feeds, 0).outputs);
  }

  /**
   * Runs a graph once for its outputs, then `repeats` more times launching only the kernels
   * (data stays on the device) and returns the median GPU time per run, measured with CUDA
   * events recorded on the run's stream.
   */
  time(graph: Graph, feeds: ReadonlyMap<string, HostTensor>, repeats: number): { outputs: Map<string, HostTensor>; medianMs: number; launches: number } {
    return this.execute(graph, feeds, repeats);
  }

  private execute(graph: Graph, feeds: ReadonlyMap<string, HostTensor>, repeats: number): { outputs: Map<string, HostTensor>; medianMs: number; launches: number } {
    const d = this.driver;
    const { plan, module } = compilePtx(graph, { mode: 'fused', limits: CUDA_DEFAULT_LIMITS, arch: this.arch, matmul: this.matmul });
    const mod = d.loadModule(module.source);
    const allocations: bigint[] = [];
    const streams: unknown[] = [];
    const alloc = (bytes: number): bigint => {
      const p = d.alloc(bytes);
      allocations.push(p);
      return p;
    };
    try {
      const arenas = plan.arenas.map((a) => alloc(a.length * 4));
      const own = new Map<number, bigint>();
      const arenaData = plan.arenas.map((a) => (a.role === 'params' ? (a.type === 'i32' ? new Int32Array(a.length) : new Float32Array(a.length)) : null));
      for (const t of plan.tensors.values()) {
        if (!t.arena && !t.workgroup) own.set(t.ref.id, alloc(numel(t.ref.node.shape) * 4));
        if (t.kind !== 'input' && t.kind !== 'param') continue;
        const value = feeds.get(t.name);
        if (!value) throw new Error(`no value for ${t.kind} '${t.name}'`);
        const data = deviceArray(t.kind, t.name, value, t.ref.type === 'i32' ? 'i32' : 'f32');
        if (t.arena) arenaData[t.arena.index]!.set(data, t.arena.offset);
        else d.upload(own.get(t.ref.id)!, data);
      }
      arenaData.forEach((data, i) => data && d.upload(arenas[i]!, data));
      const pointer = (param: string): bigint => (param.startsWith('arena') ? arenas[Number(param.slice(5))]! : own.get(Number(param.slice(3)))!);
      const launches = module.entries.map((e) => ({ e, fn: d.getFunction(mod, e.name), args: e.params.map(pointer) }));
      const stream = d.createStream();
      streams.push(stream);
      // Param-only dispatches (Dispatch.paramOnly) run in the first run only: the params do not change.
      const paramOnly = new Set(plan.dispatches.flatMap((dd, i) => (dd.paramOnly ? [module.entries[i]!.name] : [])));
      const queueAll = (first: boolean): void => {
        for (const l of launches) if (first || !paramOnly.has(l.e.name)) d.launch(l.e.name, l.fn, l.e.blocks, l.e.threads, l.args, stream);
      };
      queueAll(true);
      d.synchronizeStream(stream);
      // GPU time per run, between events recorded on the stream around its launches.
      const times: number[] = [];
      for (let i = 0; i < repeats; i++) times.push(d.timeOnStream(stream, () => queueAll(false)));
      times.sort((a, b) => a - b);
      const result = new Map<string, HostTensor>();
      for (const o of graph.outputs) {
        const t = [...plan.tensors.values()].find((x) => x.kind === 'output' && (x.name === o.name || x.ref.node === o.node))!;
        const n = numel(t.ref.node.shape);
        const host = t.ref.type === 'i32' ? new Int32Array(n) : new Float32Array(n);
        d.download(host, t.arena ? arenas[t.arena.index]! + BigInt(t.arena.offset * 4) : own.get(t.ref.id)!);
        result.set(o.name, new HostTensor(o.node.shape, o.node.dtype, Float64Array.from(host)));
      }
      return { outputs: result, medianMs: times[Math.floor(times.length / 2)] ?? 0, launches: launches.length };
    } finally {
      for (const s of streams) d.destroyStream(s);
      for (const p of allocations) d.free(p);
    }
  }

  dispose(): void {}
}
