import type { Graph } from '../ir/graph.js';
import type { Node } from '../ir/node.js';
import { matchAttentions, type AttentionPattern } from '../ir/attention-pattern.js';

/**
 * The attention template: an attention (ir/attention-pattern.ts) whose P is computed by one
 * kernel with online softmax (src/codegen/wgsl/emit.ts): per query row, one pass over the
 * keys with a running max, a running sum and Dv accumulators, so neither the scores nor the
 * probabilities are stored. The template's "hooks" (relative-position bias, shift mask,
 * padding or causal bias) are simply the terms of the scores X.
 */
export type AttentionMatch = AttentionPattern;

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

/**
 * Every attention in the graph, by its value matmul, split in two: those small enough for the
 * template (and only when `template` is allowed), and the rest, computed with the softmax's
 * normalization deferred, `(E @ V) / rowsum(E)` with `E = exp(X - rowmax(X))`. E is
 * element-wise in the stored scores and row max, so it is recomputed inside the row-sum
 * kernel and as the value matmul's operand (where rows shared across a subgroup load each
 * element once): the probabilities are never stored. FIBER-B image block at batch 1 on
 * lavapipe: the 5.3 MB probability tensor of the window attention and its kernel (7.6 ms) go.
 */
export function findAttention(graph: Graph, template = true): { template: Map<Node, AttentionMatch>; deferred: Map<Node, AttentionMatch> } {
  const fits = (m: AttentionMatch): boolean => {
    const [keys, columns] = m.values.shape.slice(-2) as [number, number];
    return template && columns <= MAX_TEMPLATE_HEAD_DIM && keys * columns <= MAX_TEMPLATE_ROW_WORK;
  };
  const split = { template: new Map<Node, AttentionMatch>(), deferred: new Map<Node, AttentionMatch>() };
  for (const [p, m] of matchAttentions(graph.nodes, new Set(graph.outputs.map((o) => o.node)))) (fits(m) ? split.template : split.deferred).set(p, m);
  return split;
}
