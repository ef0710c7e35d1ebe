import type { Graph } from '../../ir/graph.js';
import type { HostTensor } from '../../ir/tensor.js';
import { checkParams, checkRunInputs, readOutputsOrParams, type LoadOptions, type Program } from '../program.js';
import type { Executable, WebGpuDevice } from './device.js';
import { WebGpuSession } from './session.js';

/**
 * A Program on WebGPU: one session's buffers (params, scratch and output arenas) kept for the
 * program's life. A run uploads its inputs, records the kernels in one compute pass, then
 * copies each updated output over its param on the device — params and optimizer state
 * never travel to the host — and the param-only dispatches run again on the new params.
 */
export class WebGpuProgram implements Program {
  private readonly session: WebGpuSession | undefined;
  private readonly copies: { readonly from: string; readonly to: string }[];

  /**
   * `compiled` is the graph without its empty tensors (see withoutEmptyTensors), undefined
   * when every output is empty; `empty` holds those outputs.
   */
  constructor(
    readonly graph: Graph,
    owner: WebGpuDevice,
    compiled: Executable | undefined,
    private readonly empty: ReadonlyMap<string, HostTensor>,
    options: LoadOptions = {},
  ) {
    this.session = compiled && new WebGpuSession(owner, compiled);
    this.copies = [...(options.updates ?? new Map())].filter(([from]) => !empty.has(from)).map(([from, to]) => ({ from, to }));
  }

  /** Names the device holds: empty tensors were taken out before compiling. */
  private held(tensors: ReadonlyMap<string, HostTensor>): Map<string, HostTensor> {
    return new Map([...tensors].filter(([name]) => this.session?.location(name) !== undefined));
  }

  setParams(params: ReadonlyMap<string, HostTensor>): void {
    checkParams(this.graph, params);
    this.session?.writeNamed(this.held(params));
  }

  async run(inputs: ReadonlyMap<string, HostTensor>): Promise<void> {
    checkRunInputs(this.graph, inputs);
    if (!this.session) return;
    this.session.writeNamed(this.held(inputs));
    this.session.dispatch();
    this.session.copyNamed(this.copies);
  }

  async read(names: readonly string[]): Promise<Map<string, HostTensor>> {
    return readOutputsOrParams(this.graph, this.empty, names, (onDevice) => this.session!.readNamed(onDevice));
  }

  dispose(): void {
    this.session?.destroy();
  }
}
