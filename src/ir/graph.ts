import type { Node } from './node.js';

/** A named output of a graph. */
export interface GraphOutput {
  readonly name: string;
  readonly node: Node;
}

/** Tuning knobs attached to a module for one target, Halide-style (see spec/language.md). */
export interface Schedule {
  readonly module: string;
  readonly target: string;
  readonly settings: Readonly<Record<string, number | string | boolean | readonly number[]>>;
}

/**
 * A whole program in graph IR: named inputs, every declared parameter (used or not, so a
 * checkpoint round-trips), named outputs, the dim bindings it was built with, the schedules
 * that apply to its modules, and the declared batch dim.
 */
export class Graph {
  readonly nodes: readonly Node[];

  constructor(
    readonly inputs: readonly Node[],
    readonly params: readonly Node[],
    readonly outputs: readonly GraphOutput[],
    readonly bindings: Readonly<Record<string, number>> = {},
    readonly schedules: readonly Schedule[] = [],
    /**
     * The dim the entry declared as its batch (`forward(...) batch B`): the compiler splits
     * work by it (owner-phased dispatches, see spec/compiler.md). Undefined: not declared.
     */
    readonly batch?: string,
  ) {
    this.nodes = topoOrder(outputs.map((o) => o.node));
    Object.freeze(this);
  }

  /** The parameter node with a given dotted name, if declared. */
  param(name: string): Node | undefined {
    return this.params.find((p) => p.op.kind === 'param' && p.op.name === name);
  }
}

/** Nodes reachable from `roots`, each after its inputs. Iterative: graphs can be deep. */
export function topoOrder(roots: readonly Node[]): Node[] {
  const order: Node[] = [];
  const state = new Map<number, 1 | 2>();
  const stack: { node: Node; next: number }[] = [];
  for (const root of roots) {
    if (state.has(root.id)) continue;
    stack.push({ node: root, next: 0 });
    state.set(root.id, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.node.inputs.length) {
        const child = top.node.inputs[top.next++]!;
        if (!state.has(child.id)) {
          state.set(child.id, 1);
          stack.push({ node: child, next: 0 });
        }
      } else {
        state.set(top.node.id, 2);
        order.push(top.node);
        stack.pop();
      }
    }
  }
  return order;
}

/** Name of an input or param node (the empty string for other nodes). */
export function leafName(node: Node): string {
  return node.op.kind === 'input' || node.op.kind === 'param' ? node.op.name : '';
}
