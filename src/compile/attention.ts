import type { Graph } from '../ir/graph.js';
import type { Node } from '../ir/node.js';

/**
 * The attention template's pattern: `P = matmul(reshape*(E / sum(E)), V)` with
 * `E = exp(X - max(X))` over the last axis — the softmax the standard library writes,
 * followed by the value matmul. X, the scores, is whatever expression the model computes
 * (q·kᵀ scaled, plus relative-position bias, shift mask, padding or causal bias: the template's
 * "hooks" are simply the terms of X). Matched, P is computed by one kernel with online softmax
 * (src/codegen/wgsl/emit.ts): per query row, one pass over the keys with a running max, a
 * running sum and Dv accumulators, so neither the scores nor the probabilities are stored.
 */
export interface AttentionMatch {
  /** P: the output of the value matmul. */
  readonly output: Node;
  /** The matmul's probability operand (the softmax division, possibly behind reshapes). */
  readonly probs: Node;
  /** The softmax division E / broadcast(sum(E)). */
  readonly division: Node;
  /** X: the scores. */
  readonly scores: Node;
  readonly values: Node;
  /** Nodes that exist only inside the template and are never stored. */
  readonly internal: ReadonlySet<Node>;
}

/** Value head dims up to this are kept in registers (one accumulator each). */
export const MAX_TEMPLATE_HEAD_DIM = 128;

/**
 * Largest keys x value-columns per query row for which the template is used. Each invocation
 * loads every key's and value's row itself; on lavapipe those loads are per-lane gathers,
 * so at FIBER-B sizes the register-tiled, subgroup-shared matmuls and separate softmax
 * kernels win. Measured on lavapipe, FIBER-B image block at batch 1: windowed self-attention
 * (144 keys x 32) 84 ms as the template vs 33 ms as five kernels; image-to-text attention
 * (40 keys x 32) 23 ms vs 11 ms. Small attentions (FiberTiny: up to 16 keys x 16) gain from it.
 */
export const MAX_TEMPLATE_ROW_WORK = 1024;

/** Every attention in the graph, by its output node. */
export function findAttention(graph: Graph): Map<Node, AttentionMatch> {
  const consumers = new Map<Node, Node[]>();
  for (const n of graph.nodes) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const outputs = new Set(graph.outputs.map((o) => o.node));
  const only = (n: Node, allowed: readonly Node[]): boolean => !outputs.has(n) && (consumers.get(n) ?? []).every((c) => allowed.includes(c));
  const lastAxis = (n: Node): number => n.shape.length - 1;
  const isReduceLast = (n: Node, fn: string): boolean => n.op.kind === 'reduce' && n.op.fn === fn && n.op.axes.length === 1 && n.op.axes[0] === lastAxis(n);
  const found = new Map<Node, AttentionMatch>();
  for (const p of graph.nodes) {
    if (p.op.kind !== 'matmul' || outputs.has(p.inputs[0]!)) continue;
    const [probs, values] = p.inputs as [Node, Node];
    const [keys, columns] = values.shape.slice(-2) as [number, number];
    if (columns > MAX_TEMPLATE_HEAD_DIM || keys * columns > MAX_TEMPLATE_ROW_WORK) continue;
    // Reshapes between the softmax and the matmul must keep the key axis.
    const chain: Node[] = [];
    let a = probs;
    while (a.op.kind === 'reshape' && a.shape[lastAxis(a)] === a.inputs[0]!.shape[lastAxis(a.inputs[0]!)]) {
      chain.push(a);
      a = a.inputs[0]!;
    }
    if (a.op.kind !== 'binary' || a.op.fn !== 'div') continue;
    const [e, sb] = a.inputs as [Node, Node];
    if (sb.op.kind !== 'broadcast' || !isReduceLast(sb.inputs[0]!, 'sum') || sb.inputs[0]!.inputs[0] !== e) continue;
    const s = sb.inputs[0]!;
    if (e.op.kind !== 'unary' || e.op.fn !== 'exp') continue;
    const y = e.inputs[0]!;
    if (y.op.kind !== 'binary' || y.op.fn !== 'sub') continue;
    const [x, mb] = y.inputs as [Node, Node];
    if (mb.op.kind !== 'broadcast' || !isReduceLast(mb.inputs[0]!, 'max') || mb.inputs[0]!.inputs[0] !== x) continue;
    const m = mb.inputs[0]!;
    // Everything between X and P must be used only inside the template.
    const ok = only(x, [m, y]) && only(m, [mb]) && only(mb, [y]) && only(y, [e]) && only(e, [s, a]) && only(s, [sb]) && only(sb, [a]) &&
      only(a, [chain[chain.length - 1] ?? p]) && chain.every((c, i) => only(c, [i === 0 ? p : chain[i - 1]!]));
    if (!ok) continue;
    found.set(p, { output: p, probs, division: a, scores: x, values, internal: new Set([x, m, mb, y, e, s, sb, a, ...chain]) });
  }
  return found;
}
