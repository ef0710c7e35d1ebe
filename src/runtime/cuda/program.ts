import type { RuntimePlan } from '../../compile/plan-types.js';
import type { PtxModule } from '../../codegen/ptx/emit.js';
import type { BindingSource } from '../../compile/bindings.js';
import type { Graph } from '../../ir/graph.js';
import type { Node } from '../../ir/node.js';
import { numel } from '../../ir/shape.js';
import { HostTensor } from '../../ir/tensor.js';
import { FeedError } from '../feeds.js';
import { deviceArray } from '../host-data.js';
import { plannedByName } from '../planned-names.js';
import { checkParams, checkRunInputs, readOutputsOrParams, type LoadOptions, type Program } from '../program.js';
import type { CudaDriverApi } from './driver.js';

/** One kernel launch of the program: its entry, function handle and argument pointers. */
interface Launch {
  readonly name: string;
  readonly fn: unknown;
  readonly blocks: readonly [number, number];
  readonly threads: number;
  readonly args: readonly bigint[];
  /** Reads only params (Dispatch.paramOnly): runs again only after the params change. */
  readonly paramOnly: boolean;
}

/**
 * A Program on CUDA: the module loaded once, every arena and tensor buffer allocated once
 * (zeroed) and kept until dispose, the launches resolved once. A run uploads only its
 * inputs, queues the kernels on the program's stream, then copies each updated output over
 * its param on the device (params and optimizer state never travel to the host); read
 * downloads only the names asked for. dispose frees the buffers, the stream and the module.
 */
export class CudaProgram implements Program {
  private readonly module: unknown;
  private readonly stream: unknown;
  private readonly allocations: bigint[] = [];
  private readonly arenas: bigint[];
  private readonly own = new Map<number, bigint>();
  private readonly launches: Launch[];
  private readonly copies: { readonly from: string; readonly to: string }[];
  /** False until the param-only launches have run on the current params. */
  private paramsDerived = false;
  private disposed = false;

  /**
   * `compiled` is for the graph without its empty tensors (see withoutEmptyTensors),
   * undefined when every output is empty; `empty` holds those outputs.
   */
  constructor(
    readonly graph: Graph,
    private readonly driver: CudaDriverApi,
    private readonly compiled: { readonly plan: RuntimePlan; readonly module: PtxModule } | undefined,
    private readonly empty: ReadonlyMap<string, HostTensor>,
    options: LoadOptions = {},
  ) {
    this.copies = [...(options.updates ?? new Map())].filter(([from]) => !empty.has(from)).map(([from, to]) => ({ from, to }));
    if (!compiled) {
      this.arenas = [];
      this.launches = [];
      return;
    }
    const { plan, module } = compiled;
    // CUDA has no binding limit to split params over (its limits never make placeInArenas split).
    if ([...plan.tensors.values()].some((t) => t.split)) throw new Error('internal: a param split over several bindings on CUDA');
    const d = driver;
    this.module = d.loadModule(module.source);
    try {
      this.stream = d.createStream();
      this.arenas = plan.arenas.map((a) => this.alloc(a.length * 4));
      for (const t of plan.tensors.values()) if (!t.arena && !t.workgroup) this.own.set(t.ref.id, this.alloc(numel(t.ref.node.shape) * 4));
      // An entry's parameters are its dispatch's binding table, in order (compile/bindings.ts).
      const pointer = (b: BindingSource): bigint => (b.kind === 'arena' ? this.arenas[b.index]! : this.own.get(b.id)!);
      this.launches = module.entries.map((e, i) => ({
        name: e.name, fn: d.getFunction(this.module, e.name), blocks: e.blocks, threads: e.threads,
        args: e.bindings.map(pointer), paramOnly: plan.dispatches[i]!.paramOnly === true,
      }));
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  private alloc(bytes: number): bigint {
    const p = this.driver.alloc(bytes);
    this.allocations.push(p);
    // Params no one has set read as zeros, as on every other backend.
    this.driver.zero(p, Math.max(4, bytes));
    return p;
  }

  /** Device address and node of a named input, param or output. */
  private location(name: string): { readonly at: bigint; readonly node: Node } | undefined {
    const t = this.compiled && plannedByName(this.compiled.plan, name);
    if (!t) return undefined;
    return { at: t.arena ? this.arenas[t.arena.index]! + BigInt(t.arena.offset * 4) : this.own.get(t.ref.id)!, node: t.ref.node };
  }

  private check(): void {
    if (this.disposed) throw new FeedError('this program was disposed');
  }

  /** Uploads named inputs or params, each to its own place. */
  private write(tensors: ReadonlyMap<string, HostTensor>): void {
    for (const [name, value] of tensors) {
      const loc = this.location(name);
      if (!loc) continue; // an empty tensor: taken out before compiling
      if (loc.node.op.kind === 'param') this.paramsDerived = false;
      this.driver.upload(loc.at, deviceArray(loc.node.op.kind, name, value, loc.node.dtype === 'i32' ? 'i32' : 'f32'));
    }
  }

  setParams(params: ReadonlyMap<string, HostTensor>): void {
    this.check();
    checkParams(this.graph, params);
    this.write(params);
  }

  async run(inputs: ReadonlyMap<string, HostTensor>): Promise<void> {
    this.check();
    checkRunInputs(this.graph, inputs);
    if (!this.compiled) return;
    this.write(inputs);
    this.queue();
    for (const { from, to } of this.copies) {
      const [a, b] = [this.location(from)!, this.location(to)!];
      if (a.at !== b.at) this.driver.copy(b.at, a.at, numel(a.node.shape) * 4, this.stream);
    }
    if (this.copies.length > 0) this.paramsDerived = false;
    this.driver.synchronizeStream(this.stream);
  }

  /** Queues one run's launches on the stream (param-only ones when the params are new). */
  private queue(): void {
    for (const l of this.launches) if (!l.paramOnly || !this.paramsDerived) this.driver.launch(l.name, l.fn, l.blocks, l.threads, l.args, this.stream);
    this.paramsDerived = true;
  }

  /**
   * GPU milliseconds per run (median of `repeats`, between events recorded on the stream)
   * of the launches alone, on the inputs of the last run; nothing is uploaded or copied.
   */
  time(repeats: number): number {
    this.check();
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) times.push(this.driver.timeOnStream(this.stream, () => this.queue()));
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)] ?? 0;
  }

  /** Kernel launches in one run (param-only ones included). */
  get launchCount(): number {
    return this.launches.length;
  }

  async read(names: readonly string[]): Promise<Map<string, HostTensor>> {
    this.check();
    return readOutputsOrParams(this.graph, this.empty, names, async (onDevice) => {
      this.driver.synchronizeStream(this.stream);
      return new Map(onDevice.map((name) => {
        const { at, node } = this.location(name)!;
        const n = numel(node.shape);
        const host = node.dtype === 'i32' ? new Int32Array(n) : new Float32Array(n);
        this.driver.download(host, at);
        return [name, new HostTensor(node.shape, node.dtype, host)];
      }));
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.allocations.splice(0)) this.driver.free(p);
    if (this.stream !== undefined) this.driver.destroyStream(this.stream);
    if (this.module !== undefined) this.driver.unloadModule(this.module);
  }
}
