import type { Graph } from '../ir/graph.js';
import { leafName } from '../ir/graph.js';
import { formatType, sameShape } from '../ir/shape.js';
import type { HostTensor } from '../ir/tensor.js';
import { FeedError } from './feeds.js';
import { int32Problem } from './host-data.js';

/**
 * A graph loaded on a device, with buffers that persist across runs: params are written
 * once (setParams), each run uploads only its inputs, outputs stay on the device until read,
 * and outputs named in `updates` replace params after every run — how a training step keeps
 * params, gradients and optimizer state on the device. The same interface on every backend
 * (jax-js's small Backend interface is the model).
 */
export interface Program {
  readonly graph: Graph;
  /** Writes params (all or some, by name); the others keep their values (initially zero). */
  setParams(params: ReadonlyMap<string, HostTensor>): void;
  /**
   * Uploads the inputs (exactly the graph's, checked first: a bad run changes nothing), runs
   * the graph, then lets each output named in `updates` replace its param.
   */
  run(inputs: ReadonlyMap<string, HostTensor>): Promise<void>;
  /** Reads outputs of the last run, or params (current values), by name. */
  read(names: readonly string[]): Promise<Map<string, HostTensor>>;
  /** Frees the program's device memory. */
  dispose(): void;
}

/** How a graph is loaded. */
export interface LoadOptions {
  /** Output name -> the param it replaces after every run (in-place updates). */
  readonly updates?: ReadonlyMap<string, string>;
}

/** Checks that `updates` pairs outputs with params of the same shape and dtype. */
export function checkUpdates(graph: Graph, updates: ReadonlyMap<string, string>): void {
  const problems: string[] = [];
  for (const [out, param] of updates) {
    const o = graph.outputs.find((x) => x.name === out);
    const p = graph.params.find((x) => leafName(x) === param);
    if (!o) problems.push(`update '${out}' names no output of the graph`);
    else if (!p) problems.push(`update '${out}' -> '${param}' names no param of the graph`);
    else if (!sameShape(o.node.shape, p.shape) || o.node.dtype !== p.dtype) problems.push(`update '${out}' is ${formatType(o.node.dtype, o.node.shape)} but param '${param}' is ${formatType(p.dtype, p.shape)}`);
  }
  if (problems.length > 0) throw new FeedError(problems.join('\n'));
}

/**
 * The inputs of one run: exactly the graph's inputs, each with its shape and dtype (float
 * data is accepted for any float input), ids inside the i32 range. Every problem is named at
 * once, before anything is uploaded.
 */
export function checkRunInputs(graph: Graph, inputs: ReadonlyMap<string, HostTensor>): void {
  const problems: string[] = [];
  const names = graph.inputs.map(leafName);
  for (const node of graph.inputs) {
    const name = leafName(node);
    const t = inputs.get(name);
    if (!t) {
      problems.push(`input '${name}' (${formatType(node.dtype, node.shape)}) is missing`);
      continue;
    }
    const dtypeOk = t.dtype === node.dtype || (t.dtype !== 'i32' && node.dtype !== 'i32');
    if (!sameShape(t.shape, node.shape) || !dtypeOk) problems.push(`input '${name}' should be ${formatType(node.dtype, node.shape)}, got ${t.type}`);
    else if (node.dtype === 'i32') {
      const p = int32Problem('input', name, t);
      if (p) problems.push(p);
    }
  }
  for (const k of inputs.keys()) if (!names.includes(k)) problems.push(`'${k}' is not an input of this program (inputs: ${names.join(', ') || 'none'})`);
  if (problems.length > 0) throw new FeedError(problems.join('\n'));
}

/** Checks params given to setParams: known names, right shapes and dtypes. */
export function checkParams(graph: Graph, params: ReadonlyMap<string, HostTensor>): void {
  const problems: string[] = [];
  for (const [name, t] of params) {
    const p = graph.params.find((x) => leafName(x) === name);
    if (!p) problems.push(`'${name}' is not a param of this program`);
    else if (!sameShape(t.shape, p.shape) || (t.dtype === 'i32') !== (p.dtype === 'i32')) problems.push(`param '${name}' should be ${formatType(p.dtype, p.shape)}, got ${t.type}`);
    else if (p.dtype === 'i32') {
      const problem = int32Problem('param', name, t);
      if (problem) problems.push(problem);
    }
  }
  if (problems.length > 0) throw new FeedError(problems.join('\n'));
}

/**
 * `read` for a device program whose graph had its empty tensors taken out before compiling
 * (see withoutEmptyTensors): checks that every name is an output or a param, reads the
 * others from the device, and returns them in the order asked.
 */
export async function readOutputsOrParams(
  graph: Graph,
  empty: ReadonlyMap<string, HostTensor>,
  names: readonly string[],
  readDevice: (names: readonly string[]) => Promise<Map<string, HostTensor>>,
): Promise<Map<string, HostTensor>> {
  const known = new Set([...graph.outputs.map((o) => o.name), ...graph.params.map(leafName)]);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) throw new FeedError(`${unknown.map((n) => `'${n}'`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} neither an output nor a param of this program`);
  const onDevice = names.filter((n) => !empty.has(n));
  const values = onDevice.length > 0 ? await readDevice(onDevice) : new Map<string, HostTensor>();
  return new Map(names.map((n) => [n, empty.get(n) ?? values.get(n)!]));
}

/** A device that can load programs (every backend). */
export interface ProgramLoader {
  load(graph: Graph, options?: LoadOptions): Promise<Program>;
}

/**
 * Device.run as a convenience over Program: load, write every param from `feeds`, run on
 * the inputs from `feeds`, read every output, free. Feeds must hold every input and param.
 */
export async function runOnce(device: ProgramLoader, graph: Graph, feeds: ReadonlyMap<string, HostTensor>): Promise<Map<string, HostTensor>> {
  const missing = graph.params.map(leafName).filter((n) => !feeds.has(n));
  if (missing.length > 0) throw new FeedError(`no value for param${missing.length > 1 ? 's' : ''} ${missing.map((n) => `'${n}'`).join(', ')}`);
  const inputNames = new Set(graph.inputs.map(leafName));
  const program = await device.load(graph);
  try {
    program.setParams(new Map(graph.params.map((p) => [leafName(p), feeds.get(leafName(p))!])));
    await program.run(new Map([...feeds].filter(([k]) => inputNames.has(k))));
    return await program.read(graph.outputs.map((o) => o.name));
  } finally {
    program.dispose();
  }
}
