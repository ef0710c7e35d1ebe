import { join } from 'node:path';
import { buildGraph } from '../dsl/entry.js';
import { loadProgram } from '../dsl/loader.js';
import { leafName, type Graph } from '../ir/graph.js';
import type { HostTensor } from '../ir/tensor.js';
import { installRoot } from '../paths.js';
import type { Device } from '../runtime/device.js';
import type { Program } from '../runtime/program.js';

/**
 * The entries of examples/fiber_pretrain.fib that training and evaluation run (pre-training,
 * retrieval, matching, VQA), and loading them with trained params by name.
 */

/** An entry of examples/fiber_pretrain.fib at batch `B` and `T` text positions. */
export function fiberEntryGraph(entry: string, B: number, T: number): Graph {
  return buildGraph(loadProgram(join(installRoot('examples/fiber_pretrain.fib'), 'examples', 'fiber_pretrain.fib')), entry, { bindings: { B, T } });
}

/** Rows of the text encoder's word embeddings: the ids a tokenizer may give the model. */
export function textVocabulary(graph: Graph): number {
  const table = graph.params.find((p) => leafName(p).endsWith('word_embeddings.weight'));
  if (!table) throw new Error('internal: the entry has no word embeddings');
  return table.shape[0]!;
}

/** Up to three names of a list, then how many more, for a message about params a checkpoint lacks. */
export function firstNames(names: readonly string[]): string {
  return `${names.slice(0, 3).join(', ')}${names.length > 3 ? ` (and ${names.length - 3} more)` : ''}`;
}

/**
 * Loads `graph` on a device with every param it uses taken from `params` (a checkpoint);
 * `trainedAs` names the entry the checkpoint should come from, for the message when one is missing.
 */
export async function loadTrained(device: Device, graph: Graph, params: ReadonlyMap<string, HostTensor>, trainedAs: string): Promise<Program> {
  const names = graph.params.map(leafName);
  const missing = names.filter((n) => !params.has(n));
  if (missing.length > 0) throw new Error(`the checkpoint has no ${firstNames(missing)}: was it trained as ${trainedAs}?`);
  const program = await device.load(graph);
  program.setParams(new Map(names.map((n) => [n, params.get(n)!])));
  return program;
}

/**
 * Runs `program` over `count` rows in batches of B (a last partial batch padded with row 0)
 * and returns each output's rows, in order.
 */
export async function runInBatches(program: Program, count: number, B: number, inputs: (rows: number[]) => Map<string, HostTensor>, outputs: readonly string[]): Promise<Map<string, Float32Array[]>> {
  const rows = new Map(outputs.map((o) => [o, [] as Float32Array[]]));
  for (let start = 0; start < count; start += B) {
    const take = [...Array(B).keys()].map((b) => (start + b < count ? start + b : 0));
    await program.run(inputs(take));
    const read = await program.read(outputs);
    for (const o of outputs) {
      const t = read.get(o)!;
      const width = t.data.length / B;
      for (let b = 0; b < B && start + b < count; b++) rows.get(o)!.push(Float32Array.from(t.data.subarray(b * width, (b + 1) * width)));
    }
  }
  return rows;
}
