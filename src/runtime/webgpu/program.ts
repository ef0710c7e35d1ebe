import type { Graph } from '../../ir/graph.js';
import { leafName } from '../../ir/graph.js';
import type { HostTensor } from '../../ir/tensor.js';
import { FeedError } from '../feeds.js';
import { checkParams, checkRunInputs, type LoadOptions, type Program } from '../program.js';
import type { CompiledGraph, WebGpuDevice } from './device.js';
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
    compiled: CompiledGraph | undefined,
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
    const known = new Set([...this.graph.outputs.map((o) => o.name), ...this.graph.params.map(leafName)]);
    const unknown = names.filter((n) => !known.has(n));
    if (unknown.length > 0) throw new FeedError(`${unknown.map((n) => `'${n}'`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} neither an output nor a param of this program`);
    const onDevice = names.filter((n) => !this.empty.has(n));
    const values = onDevice.length > 0 && this.session ? await this.session.readNamed(onDevice) : new Map<string, HostTensor>();
    return new Map(names.map((n) => [n, this.empty.get(n) ?? values.get(n)!]));
  }

  dispose(): void {
    this.session?.destroy();
  }
}
