import type { Graph } from '../ir/graph.js';
import type { HostTensor } from '../ir/tensor.js';
import type { LoadOptions, Program } from './program.js';

/**
 * What every backend offers. `load` gives a Program whose buffers persist across runs
 * (params set once, inputs per run, outputs read by name, outputs that replace params in
 * place); `run` is the one-shot convenience over it: feeds hold inputs and params by name,
 * the result holds the graph's outputs by name. The CPU backend interprets the graph; the GPU
 * backends (WebGPU, CUDA) compile it to kernels first.
 */
export interface Device {
  readonly name: string;
  load(graph: Graph, options?: LoadOptions): Promise<Program>;
  run(graph: Graph, feeds: ReadonlyMap<string, HostTensor>): Promise<Map<string, HostTensor>>;
  dispose(): void;
}

/**
 * Backends `fiberc run --backend` accepts. `cuda-sim` is the CUDA backend over the PTX
 * simulator (runtime/ptxsim): the same host code and PTX, run on the CPU, for small shapes.
 */
export const BACKENDS = ['cpu', 'webgpu', 'cuda', 'cuda-sim'] as const;
export type BackendName = (typeof BACKENDS)[number];
