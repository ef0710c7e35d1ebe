import type { Node } from './node.js';

/**
 * Attention as the standard library writes it: `P = matmul(reshape*(E / sum(E)), V)` with
 * `E = exp(X - max(X))` over the last axis (std/nn.fib's softmax followed by the value
 * matmul). X, the scores, is whatever the model computes: q·kᵀ scaled, plus relative-position
 * bias, shift mask, padding or causal bias. Recognised by the compiler (the online-softmax
 * template, compile/attention.ts) and by autodiff (the backward pass that recomputes the
 * probabilities from the row log-sum-exp, ir/grad.ts).
 */
export interface AttentionPattern {
  /** P: the output of the value matmul. */
  readonly output: Node;
  /** The matmul's probability operand (the softmax division, possibly behind reshapes). */
  readonly probs: Node;
  /** The softmax division E / broadcast(sum(E)). */
  readonly division: Node;
  /** X: the scores. */
  readonly scores: Node;
  readonly values: Node;
  /** The row maximum of X and the row sum of E (both keep the key axis as size 1). */
  readonly rowMax: Node;
  readonly rowSum: Node;
  /** Nodes that exist only inside the pattern: nothing outside it reads them. */
  readonly internal: ReadonlySet<Node>;
}

/**
 * Every attention among `nodes` (a topologically ordered node list, e.g. a graph's), keyed by
 * its output node. A candidate matches only if its intermediate nodes are read by nothing but
 * the pattern itself and none of them is in `outputs`; `accept` can refuse a match by shape.
 */
export function matchAttentions(
  nodes: readonly Node[], outputs: ReadonlySet<Node>, accept: (p: AttentionPattern) => boolean = () => true,
): Map<Node, AttentionPattern> {
  const consumers = new Map<Node, Node[]>();
  for (const n of nodes) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const only = (n: Node, allowed: readonly Node[]): boolean => !outputs.has(n) && (consumers.get(n) ?? []).every((c) => allowed.includes(c));
  const lastAxis = (n: Node): number => n.shape.length - 1;
  const isReduceLast = (n: Node, fn: string): boolean => n.op.kind === 'reduce' && n.op.fn === fn && n.op.axes.length === 1 && n.op.axes[0] === lastAxis(n);
  const found = new Map<Node, AttentionPattern>();
  for (const p of nodes) {
    if (p.op.kind !== 'matmul' || outputs.has(p.inputs[0]!)) continue;
    const [probs, values] = p.inputs as [Node, Node];
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
    // Everything between X and P must be used only inside the pattern.
    const ok = only(x, [m, y]) && only(m, [mb]) && only(mb, [y]) && only(y, [e]) && only(e, [s, a]) && only(s, [sb]) && only(sb, [a]) &&
      only(a, [chain[chain.length - 1] ?? p]) && chain.every((c, i) => only(c, [i === 0 ? p : chain[i - 1]!]));
    if (!ok) continue;
    const match = { output: p, probs, division: a, scores: x, values, rowMax: m, rowSum: s, internal: new Set([x, m, mb, y, e, s, sb, a, ...chain]) };
    if (accept(match)) found.set(p, match);
  }
  return found;
}
