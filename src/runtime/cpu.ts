import type { Graph } from '../ir/graph.js';
import { interpret } from '../ir/interpret.js';
import type { HostTensor } from '../ir/tensor.js';
import { HostProgram } from './host-program.js';
import type { Device } from './device.js';
import type { LoadOptions, Program } from './program.js';

/** The CPU backend: the Float64 reference interpreter behind the Device interface. */
export class CpuDevice implements Device {
  readonly name = 'cpu (Float64 reference interpreter)';

  async load(graph: Graph, options: LoadOptions = {}): Promise<Program> {
    return new HostProgram(graph, async (g, feeds) => interpret(g, feeds), options);
  }

  async run(graph: Graph, feeds: ReadonlyMap<string, HostTensor>): Promise<Map<string, HostTensor>> {
    return interpret(graph, feeds);
  }

  dispose(): void {}
}
