import type { Graph } from '../ir/graph.js';
import type { HostTensor } from '../ir/tensor.js';

/**
 * What every backend offers: run a graph on host tensors. The CPU backend interprets the
 * graph; the GPU backends (WebGPU, CUDA) compile it to kernels first. Feeds hold inputs and
 * params by name; the result holds the graph's outputs by name.
 */
export interface Device {
  readonly name: string;
  run(graph: Graph, feeds: ReadonlyMap<string, HostTensor>): Promise<Map<string, HostTensor>>;
  dispose(): void;
}

/**
 * Backends `fiberc run --backend` accepts. `cuda-sim` is the CUDA backend over the PTX
 * simulator (runtime/ptxsim): the same host code and PTX, run on the CPU, for small shapes.
 */
export const BACKENDS = ['cpu', 'webgpu', 'cuda', 'cuda-sim'] as const;
export type BackendName = (typeof BACKENDS)[number];
