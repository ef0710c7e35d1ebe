import { matchAttentions, type AttentionPattern } from './attention-pattern.js';
import { GraphBuilder } from './builder.js';
import { isFloat } from './dtype.js';
import { Graph, topoOrder } from './graph.js';
import type { Node } from './node.js';

/**
 * Reverse-mode autodiff. One rule per primitive turns the cotangent of a node's output into
 * cotangents of its inputs; the result is ordinary graph IR, so the interpreter, the planner
 * and every backend handle backward passes exactly like forward ones.
 */

type Rule = (b: GraphBuilder, node: Node, g: Node) => (Node | null)[];

const SQRT_PI = Math.sqrt(Math.PI);

function mulC(b: GraphBuilder, x: Node, c: number): Node {
  return b.binary('mul', x, b.scalarLike(c, x));
}

/** sign(x) as (x > 0) - (x < 0), in x's dtype. */
function sign(b: GraphBuilder, x: Node): Node {
  const zero = b.scalarLike(0, x);
  return b.binary('sub', b.binary('gt', x, zero), b.binary('lt', x, zero));
}

const RULES: { [K in Node['op']['kind']]: Rule } = {
  input: () => [],
  param: () => [],
  const: () => [],
  iota: () => [],
  unary: (b, node, g) => {
    const x = node.inputs[0]!;
    const y = node;
    const op = node.op as { fn: string };
    switch (op.fn) {
      case 'neg': return [b.unary('neg', g)];
      case 'exp': return [b.binary('mul', g, y)];
      case 'log': return [b.binary('div', g, x)];
      case 'sqrt': return [b.binary('div', mulC(b, g, 0.5), y)];
      case 'rsqrt': return [mulC(b, b.binary('mul', g, b.binary('mul', y, b.binary('mul', y, y))), -0.5)];
      case 'tanh': return [b.binary('mul', g, b.binary('sub', b.scalarLike(1, y), b.binary('mul', y, y)))];
      case 'erf': return [b.binary('mul', g, mulC(b, b.unary('exp', b.unary('neg', b.binary('mul', x, x))), 2 / SQRT_PI))];
      case 'abs': return [b.binary('mul', g, sign(b, x))];
      case 'recip': return [b.unary('neg', b.binary('mul', g, b.binary('mul', y, y)))];
      case 'floor':
      case 'detach': return [null];
      case 'sin': return [b.binary('mul', g, b.unary('cos', x))];
      case 'cos': return [b.unary('neg', b.binary('mul', g, b.unary('sin', x)))];
      case 'sigmoid': return [b.binary('mul', g, b.binary('mul', y, b.binary('sub', b.scalarLike(1, y), y)))];
      default: throw new Error(`no gradient rule for unary ${op.fn}`);
    }
  },
  binary: (b, node, g) => {
    const [x, w] = node.inputs as [Node, Node];
    const op = node.op as { fn: string };
    switch (op.fn) {
      case 'add': return [g, g];
      case 'sub': return [g, b.unary('neg', g)];
      case 'mul': return [b.binary('mul', g, w), b.binary('mul', g, x)];
      case 'div': return [b.binary('div', g, w), b.unary('neg', b.binary('div', b.binary('mul', g, node), w))];
      // Ties send the whole cotangent to the first operand, like PyTorch's maximum/minimum.
      case 'max': return [b.binary('mul', g, b.binary('ge', x, w)), b.binary('mul', g, b.binary('lt', x, w))];
      case 'min': return [b.binary('mul', g, b.binary('le', x, w)), b.binary('mul', g, b.binary('gt', x, w))];
      case 'pow': return [
        b.binary('mul', g, b.binary('mul', w, b.binary('pow', x, b.binary('sub', w, b.scalarLike(1, w))))),
        b.binary('mul', g, b.binary('mul', node, b.unary('log', x))),
      ];
      default: return [null, null]; // comparisons and mod: piecewise constant
    }
  },
  where: (b, node, g) => {
    const zero = b.scalarLike(0, g);
    return [null, b.where(node.inputs[0]!, g, zero), b.where(node.inputs[0]!, zero, g)];
  },
  reduce: (b, node, g) => {
    const x = node.inputs[0]!;
    const op = node.op as { fn: string; axes: readonly number[] };
    if (op.fn === 'sum') return [b.broadcastTo(g, x.shape)];
    // max: split the cotangent evenly among the tied maxima.
    const mask = b.binary('eq', x, b.broadcastTo(node, x.shape));
    const count = b.reduce('sum', mask, op.axes);
    return [b.binary('mul', b.broadcastTo(b.binary('div', g, count), x.shape), mask)];
  },
  matmul: (b, node, g) => {
    const [x, w] = node.inputs as [Node, Node];
    return [b.matmul(g, b.transpose(w, -1, -2)), b.matmul(b.transpose(x, -1, -2), g)];
  },
  reshape: (b, node, g) => [b.reshape(g, node.inputs[0]!.shape)],
  permute: (b, node, g) => {
    const perm = (node.op as { perm: readonly number[] }).perm;
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    return [b.permute(g, inverse)];
  },
  broadcast: (b, node, g) => {
    const x = node.inputs[0]!;
    const axes = x.shape.flatMap((d, i) => (d === 1 && node.shape[i] !== 1 ? [i] : []));
    return [b.reduce('sum', g, axes)];
  },
  slice: (b, node, g) => {
    const x = node.inputs[0]!;
    const starts = (node.op as { starts: readonly number[] }).starts;
    return [b.pad(g, starts, x.shape.map((d, i) => d - starts[i]! - node.shape[i]!))];
  },
  pad: (b, node, g) => [b.slice(g, (node.op as { lo: readonly number[] }).lo, node.inputs[0]!.shape)],
  roll: (b, node, g) => {
    const op = node.op as { shift: number; axis: number };
    return [b.roll(g, -op.shift, op.axis)];
  },
  gather: (b, node, g) => [b.scatterAdd(node.inputs[1]!, g, node.inputs[0]!.shape[0]!), null],
  scatter_add: (b, node, g) => [null, b.gather(g, node.inputs[0]!)],
  concat: (b, node, g) => {
    const axis = (node.op as { axis: number }).axis;
    let offset = 0;
    return node.inputs.map((x) => {
      const starts = x.shape.map((_, i) => (i === axis ? offset : 0));
      offset += x.shape[axis]!;
      return b.slice(g, starts, x.shape);
    });
  },
  cast: (b, node, g) => [isFloat(node.inputs[0]!.dtype) ? b.cast(g, node.inputs[0]!.dtype) : null],
};

/**
 * The backward pass of an attention (ir/attention-pattern.ts) as FlashAttention computes it:
 * the probabilities are recomputed from the scores and the saved row log-sum-exp,
 * P = exp(X - (max + log sum)), instead of being kept from the forward pass, and the softmax
 * backward uses D = rowsum(dO * O) in place of rowsum(dP * P) (equal, and O is at hand):
 *   dV = Pᵀ dO,   dP = dO Vᵀ,   dX = P * (dP - D).
 * P is element-wise in X and a per-row value, so the planner fuses it into its readers: no
 * tensor of probabilities is stored in the backward pass either.
 */
function attentionVjp(b: GraphBuilder, m: AttentionPattern, g: Node): { scores: Node; values: Node } {
  const x = m.scores;
  const lse = b.binary('add', m.rowMax, b.unary('log', m.rowSum));
  const p = b.unary('exp', b.binary('sub', x, b.broadcastTo(lse, x.shape)));
  const values = b.matmul(b.transpose(b.reshape(p, m.probs.shape), -1, -2), g);
  const dp = b.reshape(b.matmul(g, b.transpose(m.values, -1, -2)), x.shape);
  const rowDot = b.reshape(b.reduce('sum', b.binary('mul', g, m.output), [-1]), [...x.shape.slice(0, -1), 1]);
  const scores = b.binary('mul', p, b.binary('sub', dp, b.broadcastTo(rowDot, x.shape)));
  return { scores, values };
}

export interface GradOptions {
  /**
   * Differentiate attentions as a whole (attentionVjp, the default) or primitive by
   * primitive, keeping the forward probabilities (for comparison).
   */
  readonly attention?: boolean;
}

/**
 * Cotangents of `wrt` given cotangents `seeds` of `outputs` (same order). Nodes of `wrt`
 * that the outputs do not depend on get a zero gradient.
 */
export function vjp(builder: GraphBuilder, outputs: readonly Node[], seeds: readonly Node[], wrt: readonly Node[], options: GradOptions = {}): Node[] {
  const order = topoOrder(outputs);
  // Only nodes on a path from some wrt node carry gradients; this also keeps rules such as
  // pow's log(x) out of graphs where x is a constant.
  const live = new Set<Node>(wrt);
  for (const n of order) if (isFloat(n.dtype) && n.inputs.some((i) => live.has(i))) live.add(n);
  const cot = new Map<Node, Node>();
  const accumulate = (n: Node, g: Node): void => {
    const prev = cot.get(n);
    cot.set(n, prev ? builder.binary('add', prev, g) : g);
  };
  outputs.forEach((o, i) => {
    if (live.has(o)) accumulate(o, seeds[i]!);
  });
  const attentions = options.attention === false ? new Map<Node, AttentionPattern>() : matchAttentions(order, new Set(outputs));
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    const g = cot.get(node);
    if (!g || node.inputs.length === 0) continue;
    const attention = attentions.get(node);
    if (attention) {
      // The nodes inside the pattern get no cotangents: only X and V do.
      const { scores, values } = attentionVjp(builder, attention, g);
      if (live.has(attention.scores)) accumulate(attention.scores, scores);
      if (live.has(attention.values)) accumulate(attention.values, values);
      continue;
    }
    const contributions = RULES[node.op.kind](builder, node, g);
    node.inputs.forEach((input, k) => {
      const c = contributions[k];
      if (c && live.has(input)) accumulate(input, c);
    });
  }
  return wrt.map((w) => cot.get(w) ?? builder.constant(0, w.shape, w.dtype));
}

/**
 * The backward graph of `graph`: its inputs plus one cotangent input `grad:<output>` per
 * output; its outputs are the forward outputs followed by `grad:<leaf>` for every float
 * input and param named in `wrt` (all float params and inputs when omitted).
 */
export function gradGraph(graph: Graph, wrt?: readonly string[], options: GradOptions = {}): Graph {
  const b = new GraphBuilder();
  b.origin = { scope: 'backward', module: '' };
  const leaves = [...graph.inputs, ...graph.params].filter((n) => {
    const name = n.op.kind === 'input' || n.op.kind === 'param' ? n.op.name : '';
    return isFloat(n.dtype) && (wrt === undefined || wrt.includes(name));
  });
  const seeds = graph.outputs.map((o) => b.input(`grad:${o.name}`, o.node.shape, o.node.dtype));
  const grads = vjp(b, graph.outputs.map((o) => o.node), seeds, leaves, options);
  const outputs = [
    ...graph.outputs,
    ...leaves.map((l, i) => ({ name: `grad:${(l.op as { name: string }).name}`, node: grads[i]! })),
  ];
  return new Graph([...graph.inputs, ...seeds], graph.params, outputs, graph.bindings, graph.schedules, graph.batch);
}
