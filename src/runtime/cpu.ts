import type { Graph } from '../ir/graph.js';
import { interpret } from '../ir/interpret.js';
import type { HostTensor } from '../ir/tensor.js';
import type { Device } from './device.js';

/** The CPU backend: the Float64 reference interpreter behind the Device interface. */
export class CpuDevice implements Device {
  readonly name = 'cpu (Float64 reference interpreter)';

  async run(graph: Graph, feeds: ReadonlyMap<string, HostTensor>): Promise<Map<string, HostTensor>> {
    return interpret(graph, feeds);
  }

  dispose(): void {}
}
