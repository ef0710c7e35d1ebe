import type { Graph } from '../ir/graph.js';
import { leafName } from '../ir/graph.js';
import { HostTensor } from '../ir/tensor.js';
import { FeedError } from './feeds.js';
import { checkParams, checkRunInputs, checkUpdates, type LoadOptions, type Program } from './program.js';

/**
 * A Program whose params and outputs are kept on the host, each run handing them with the
 * inputs to a whole-graph runner: the interpreter's (the host is its device).
 */
export class HostProgram implements Program {
  private readonly params = new Map<string, HostTensor>();
  private outputs = new Map<string, HostTensor>();
  private readonly updates: ReadonlyMap<string, string>;

  constructor(
    readonly graph: Graph,
    private readonly runGraph: (graph: Graph, feeds: ReadonlyMap<string, HostTensor>) => Promise<Map<string, HostTensor>>,
    options: LoadOptions = {},
  ) {
    this.updates = options.updates ?? new Map();
    checkUpdates(graph, this.updates);
    for (const p of graph.params) this.params.set(leafName(p), HostTensor.zeros(p.shape, p.dtype));
  }

  setParams(params: ReadonlyMap<string, HostTensor>): void {
    checkParams(this.graph, params);
    for (const [name, t] of params) this.params.set(name, t);
  }

  async run(inputs: ReadonlyMap<string, HostTensor>): Promise<void> {
    checkRunInputs(this.graph, inputs);
    this.outputs = await this.runGraph(this.graph, new Map([...this.params, ...inputs]));
    for (const [out, param] of this.updates) this.params.set(param, this.outputs.get(out)!);
  }

  async read(names: readonly string[]): Promise<Map<string, HostTensor>> {
    return new Map(names.map((name) => {
      const t = this.outputs.get(name) ?? this.params.get(name);
      if (!t) throw new FeedError(`'${name}' is neither an output of the last run nor a param`);
      return [name, t];
    }));
  }

  dispose(): void {
    this.params.clear();
    this.outputs.clear();
  }
}
