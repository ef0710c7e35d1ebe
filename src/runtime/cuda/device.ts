import { CUDA_DEFAULT_LIMITS } from '../../compile/limits.js';
import { compilePtx } from '../../driver/pipeline.js';
import { PTX_ARCHS, type PtxArch, type PtxModule } from '../../codegen/ptx/emit.js';
import type { RuntimePlan } from '../../compile/plan-types.js';
import { cachedExecutable } from '../../driver/executable-cache.js';
import type { MatmulPrecision } from '../../codegen/ptx/mma.js';
import { withoutEmptyTensors } from '../../ir/empty.js';
import { leafName, type Graph } from '../../ir/graph.js';
import type { HostTensor } from '../../ir/tensor.js';
import type { Device } from '../device.js';
import { checkUpdates, runOnce, type LoadOptions } from '../program.js';
import { CudaProgram } from './program.js';
import { CudaDriver, type CudaDriverApi } from './driver.js';

/**
 * The CUDA backend: a graph's PTX (one entry per dispatch) JIT-loaded by the driver into a
 * CudaProgram that keeps its module, buffers and stream across runs. Creating it on a machine
 * without a driver throws NoCudaDriverError ("no CUDA driver found").
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
   * Loads a graph as a Program: compiled to PTX once, its module loaded and its buffers
   * allocated until dispose (see CudaProgram). Empty tensors are taken out first.
   */
  async load(graph: Graph, options: LoadOptions = {}): Promise<CudaProgram> {
    checkUpdates(graph, options.updates ?? new Map());
    const { graph: g, empty } = withoutEmptyTensors(graph);
    let compiled: { plan: RuntimePlan; module: PtxModule } | undefined;
    if (g.outputs.length > 0) {
      // From the persistent executable cache, else planned and emitted (see driver/executable-cache.ts).
      const { plan, code } = cachedExecutable(g, `ptx-${this.arch}-${this.matmul}`, 'fused', CUDA_DEFAULT_LIMITS, () => {
        const p = compilePtx(g, { mode: 'fused', limits: CUDA_DEFAULT_LIMITS, arch: this.arch, matmul: this.matmul });
        return { plan: p.plan, code: p.module };
      });
      compiled = { plan, module: code as PtxModule };
    }
    return new CudaProgram(graph, this.driver, compiled, empty, options);
  }

  /** Runs a graph once on feeds (inputs and every param): a Program loaded, run, read and freed. */
  async run(graph: Graph, feeds: ReadonlyMap<string, HostTensor>): Promise<Map<string, HostTensor>> {
    return runOnce(this, graph, feeds);
  }

  /**
   * Runs a graph once for its outputs, then `repeats` more times launching only the kernels
   * (data stays on the device) and returns the median GPU time per run, measured with CUDA
   * events recorded on the program's stream.
   */
  async time(graph: Graph, feeds: ReadonlyMap<string, HostTensor>, repeats: number): Promise<{ outputs: Map<string, HostTensor>; medianMs: number; launches: number }> {
    const program = await this.load(graph);
    try {
      const inputs = new Set(graph.inputs.map(leafName));
      program.setParams(new Map([...feeds].filter(([k]) => !inputs.has(k))));
      await program.run(new Map([...feeds].filter(([k]) => inputs.has(k))));
      const outputs = await program.read(graph.outputs.map((o) => o.name));
      return { outputs, medianMs: program.time(repeats), launches: program.launchCount };
    } finally {
      program.dispose();
    }
  }

  dispose(): void {}
}
