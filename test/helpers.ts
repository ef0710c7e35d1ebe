import { readFileSync } from 'node:fs';
import { Diagnostic, formatDiagnostic } from '../src/dsl/diagnostic.js';
import { buildGraph, entryNames } from '../src/dsl/entry.js';
import { loadProgram } from '../src/dsl/loader.js';
import { resolveProgram } from '../src/dsl/resolve.js';
import { GraphBuilder } from '../src/ir/builder.js';
import { Graph } from '../src/ir/graph.js';
import { interpret } from '../src/ir/interpret.js';
import type { Node } from '../src/ir/node.js';
import { HostTensor } from '../src/ir/tensor.js';

/** Builds a one-output graph from named f32 inputs and runs it on the interpreter. */
export function run1(inputs: Record<string, HostTensor>, body: (b: GraphBuilder, x: Record<string, Node>) => Node): HostTensor {
  const { graph, feeds } = graphOf(inputs, body);
  return interpret(graph, feeds).get('out')!;
}

export function graphOf(inputs: Record<string, HostTensor>, body: (b: GraphBuilder, x: Record<string, Node>) => Node): { graph: Graph; feeds: Map<string, HostTensor> } {
  const b = new GraphBuilder();
  const nodes: Record<string, Node> = {};
  for (const [k, t] of Object.entries(inputs)) nodes[k] = b.input(k, t.shape, t.dtype);
  const graph = new Graph(Object.values(nodes), [], [{ name: 'out', node: body(b, nodes) }]);
  return { graph, feeds: new Map(Object.entries(inputs)) };
}

export const T = (shape: number[], values: number[], dtype: 'f32' | 'i32' = 'f32'): HostTensor => HostTensor.from(shape, values, dtype);

/** Max absolute difference of two tensors (shapes must match). */
export { maxAbsDifference as maxDiff } from '../src/ir/compare.js';

/** Checks a program held in memory (plus std), building every entry; returns the formatted error or 'ok'. */
export function checkSource(files: Record<string, string>, main = 'main.fib'): string {
  const read = (p: string): string | undefined => {
    const key = Object.keys(files).find((k) => p.endsWith(`/${k}`));
    if (key) return files[key];
    if (p.includes('/std/')) return readStd(p);
    return undefined;
  };
  let sources = new Map<string, string>();
  try {
    const program = loadProgram(`/virtual/${main}`, read);
    sources = program.sources;
    resolveProgram(program);
    for (const name of entryNames(program)) buildGraph(program, name, { witness: true });
    return 'ok';
  } catch (e) {
    if (e instanceof Diagnostic) {
      const text = formatDiagnostic(e, sources.size ? sources : new Map(Object.entries(files).map(([k, v]) => [`/virtual/${k}`, v])));
      return text;
    }
    throw e;
  }
}

function readStd(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

