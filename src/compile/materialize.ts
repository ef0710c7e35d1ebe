import type { Graph } from '../ir/graph.js';
import type { Node } from '../ir/node.js';
import type { AttentionMatch } from './attention.js';
import type { FusionMode } from './plan-types.js';

/**
 * Pass `decide`: which graph nodes are materialized (stored, with a kernel of their own) and
 * why. A node is materialized when it is a leaf or an output, when it has several consumers
 * and is not cheap to recompute, when it is a reduction or matmul whose consumer would read
 * it more than once per element (through a broadcast, a matmul or a gather), or when it is
 * an element-wise cone that such a consumer would recompute per read. Everything else is
 * inlined into its consumer.
 */

export const ELEMENTWISE = new Set(['unary', 'binary', 'where', 'cast']);
export const MOVEMENT = new Set(['reshape', 'permute', 'broadcast', 'slice', 'pad', 'roll', 'concat', 'const', 'iota']);
/** Ops whose consumer-side read of each input element happens at most once per output pass. */
const READS_ONCE = new Set(['unary', 'binary', 'where', 'cast', 'reshape', 'permute', 'slice', 'pad', 'roll', 'concat', 'reduce']);
const EXPENSIVE = new Set(['reduce', 'matmul', 'gather', 'scatter_add']);
/** Ops that place their input as one piece of a bigger tensor. */
const PIECES = new Set(['pad', 'concat']);
/** Largest element-wise cone worth recomputing per consumer instead of storing. */
const MAX_RECOMPUTE_OPS = 24;

/** The materialized nodes of a graph, each with the reason it is stored. */
export function decideMaterialization(
  graph: Graph, mode: FusionMode, attention: ReadonlyMap<Node, AttentionMatch> = new Map(), deferred: ReadonlyMap<Node, AttentionMatch> = new Map(),
): Map<Node, string> {
  const consumers = new Map<Node, Node[]>();
  for (const n of graph.nodes) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const outputs = new Map<Node, string>();
  for (const o of graph.outputs) if (!outputs.has(o.node)) outputs.set(o.node, o.name);
  // Consumers are decided before producers, but whether a producer's cone is cheap depends on
  // which of *its* producers are stored: so decide again, each pass seeing the previous pass's
  // decisions for nodes it has not reached yet, until nothing changes.
  let reason = new Map<Node, string>();
  for (let pass = 0; pass < 8; pass++) {
    const next = decide(graph, mode, consumers, outputs, reason, attention, deferred);
    const stable = next.size === reason.size && [...next.keys()].every((n) => reason.has(n));
    reason = next;
    if (stable) break;
  }
  return reason;
}

/** One pass of materialization decisions; `previous` answers for undecided producers. */
function decide(
  graph: Graph, mode: FusionMode, consumers: ReadonlyMap<Node, Node[]>, outputs: ReadonlyMap<Node, string>,
  previous: ReadonlyMap<Node, string>, attention: ReadonlyMap<Node, AttentionMatch>, deferred: ReadonlyMap<Node, AttentionMatch>,
): Map<Node, string> {
  const reason = new Map<Node, string>();
  const onceFromRoot = new Map<Node, boolean>();
  const internal = new Set<Node>();
  for (const m of attention.values()) m.internal.forEach((n) => internal.add(n));
  // A deferred-normalization attention never forms its probabilities: the division and the
  // reshapes after it exist only inside the value matmul's lowering.
  for (const m of deferred.values()) for (let p = m.probs; ; p = p.inputs[0]!) {
    internal.add(p);
    if (p === m.division) break;
  }
  const known: ReadonlyMap<Node, string> = { get: (n: Node) => reason.get(n) ?? previous.get(n), has: (n: Node) => reason.has(n) || previous.has(n) } as ReadonlyMap<Node, string>;
  // Consumers are decided before producers.
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const n = graph.nodes[i]!;
    const kind = n.op.kind;
    const uses = consumers.get(n) ?? [];
    let why: string | undefined;
    if (kind === 'input' || kind === 'param') why = kind;
    else if (attention.has(n)) why = 'attention: online-softmax template (scores and probabilities are never stored)';
    else if (internal.has(n)) {
      // Inside the template every score is computed once per (query, key): a root for its producers.
      onceFromRoot.set(n, true);
      continue;
    } else if (outputs.has(n)) why = `graph output "${outputs.get(n)}"`;
    else if (mode === 'unfused') why = kind === 'reshape' || kind === 'const' ? undefined : 'unfused mode: one kernel per primitive';
    else if (kind === 'permute' && storedTransposed(n, consumers, outputs)) {
      // A weight's gradient comes out of its matmul transposed (dW = (Xᵀ dY)ᵀ): stored as the
      // matmul lays it out, every optimizer kernel reading it would gather it across rows.
      why = 'permute of a matmul used only here: the matmul writes this layout, and its readers read it in order';
    } else if (MOVEMENT.has(kind)) why = undefined;
    else if (kind === 'matmul' && pieceOf(n, consumers)) {
      // A piece of a bigger tensor (the backward of a split, e.g. dQ, dK, dV into dQKV): inside
      // the assembling kernel it would be computed one element per invocation behind guards;
      // alone it runs register-tiled.
      why = `matmul placed by ${pieceOf(n, consumers)} as a piece of a bigger tensor: alone it runs register-tiled`;
    } else if (kind === 'matmul' && addsToContraction(n, consumers, known)) {
      // A sum of matmuls (dX = dY1 W1ᵀ + dY2 W2ᵀ in a backward pass): one kernel tiles one
      // contraction and would compute the others one element at a time.
      why = 'matmul added to another contraction: alone it runs register-tiled, and the sum loads it';
    } else if (EXPENSIVE.has(kind)) {
      const c = uses[0]!;
      const once = uses.length === 1 && READS_ONCE.has(c.op.kind) && (reason.has(c) || onceFromRoot.get(c) === true);
      if (!once) why = uses.length > 1 ? `${kind} used by ${uses.length} consumers` : `${kind} result is re-read downstream by ${rereader(c, reason, consumers)}`;
    } else if (uses.length > 1 && joinOf(n, consumers, reason) !== undefined) {
      // Every use flows element-wise into one stored node (GELU's two uses of its input): inlined,
      // that node's kernel computes it once per element — a matmul with its bias then keeps
      // its activation as the tiled kernel's epilogue instead of a kernel of its own.
      onceFromRoot.set(n, true);
      continue;
    } else if (uses.length > 1) {
      const ops = cone(n, known, new Map());
      if (ops < 0) why = `used by ${uses.length} consumers and contains a reduction`;
      else if (ops > MAX_RECOMPUTE_OPS) why = `used by ${uses.length} consumers and too costly to recompute (${ops} ops)`;
    } else if (uses.length === 1) {
      // Inlined into a consumer that reads each element many times (a matmul operand, a
      // broadcast), the cone would be recomputed per read: store it unless it is one op.
      const c = uses[0]!;
      const once = READS_ONCE.has(c.op.kind) && (reason.has(c) || onceFromRoot.get(c) === true);
      const ops = once ? 0 : cone(n, known, new Map());
      if (!once && (ops < 0 || ops > 1)) why = `${ops < 0 ? 'contains a reduction and ' : ''}would be recomputed for every read by ${rereader(c, reason, consumers)}`;
    }
    if (why) reason.set(n, why);
    else {
      const c = uses[0];
      onceFromRoot.set(n, uses.length === 1 && c !== undefined && READS_ONCE.has(c.op.kind) && (reason.has(c) || onceFromRoot.get(c) === true));
    }
  }

  return reason;
}

/**
 * Whether permute `n` is the only use of a matmul and is itself read by several nodes (AdamW's
 * two moments): then the matmul's kernel stores the permuted layout — a matmul of permuted
 * operands, tiled the same — instead of every reader gathering across its rows. Not when the
 * matmul is a graph output: it is stored anyway, and the permute would be a second kernel.
 */
function storedTransposed(n: Node, consumers: ReadonlyMap<Node, Node[]>, outputs: ReadonlyMap<Node, string>): boolean {
  const from = n.inputs[0]!;
  return from.op.kind === 'matmul' && !outputs.has(from) && (consumers.get(from) ?? []).length === 1 && (consumers.get(n) ?? []).length > 1;
}

/**
 * Whether `n` (a matmul), followed through single-use reshapes and permutes, is the second
 * operand of an add or sub whose first operand's inlinable cone holds a reduction: then one
 * kernel would hold two contractions, and only one can be register-tiled.
 */
function addsToContraction(n: Node, consumers: ReadonlyMap<Node, Node[]>, stored: ReadonlyMap<Node, string>): boolean {
  const path = throughViews(n, consumers);
  if (!path) return false;
  const { use: c, from } = path;
  if (c.op.kind !== 'binary' || (c.op.fn !== 'add' && c.op.fn !== 'sub') || c.inputs[1] !== from || c.inputs[0] === from) return false;
  return cone(c.inputs[0]!, stored, new Map()) < 0;
}

/** Most element-wise nodes between a multi-use node and the node its uses join in (see joinOf). */
const MAX_JOIN_REGION = 16;

/**
 * The stored node in which all uses of `n` join, when every path from `n` runs through
 * element-wise nodes that are not stored into that one node: then the node's kernel
 * evaluates `n` at a single index and computes it once. Undefined otherwise.
 */
function joinOf(n: Node, consumers: ReadonlyMap<Node, Node[]>, stored: ReadonlyMap<Node, string>): Node | undefined {
  const region = new Set<Node>();
  const exits = new Set<Node>();
  const queue = [...(consumers.get(n) ?? [])];
  while (queue.length > 0) {
    const c = queue.pop()!;
    if (region.has(c)) continue;
    if (!ELEMENTWISE.has(c.op.kind) || region.size >= MAX_JOIN_REGION) return undefined;
    region.add(c);
    if (stored.has(c)) exits.add(c);
    else queue.push(...(consumers.get(c) ?? []));
  }
  return exits.size === 1 ? [...exits][0] : undefined;
}

/**
 * The consumer `n` reaches through single-use reshapes and permutes (views of the same
 * elements), and the node that feeds it: `n` itself or its last view. Undefined if a value
 * on the way has several uses.
 */
function throughViews(n: Node, consumers: ReadonlyMap<Node, Node[]>): { use: Node; from: Node } | undefined {
  let from = n;
  for (let step = 0; step < 8; step++) {
    const uses = consumers.get(from) ?? [];
    if (uses.length !== 1) return undefined;
    const use = uses[0]!;
    if (use.op.kind !== 'reshape' && use.op.kind !== 'permute') return { use, from };
    from = use;
  }
  return undefined;
}

/** The pad or concat that places `n` (through reshapes and permutes) into a bigger tensor, if one does. */
function pieceOf(n: Node, consumers: ReadonlyMap<Node, Node[]>): string | undefined {
  const use = throughViews(n, consumers)?.use;
  return use && PIECES.has(use.op.kind) ? use.op.kind : undefined;
}

/** The op along the single-consumer chain from `c` that reads its input more than once per element. */
function rereader(c: Node, materialized: ReadonlyMap<Node, string>, consumers: ReadonlyMap<Node, Node[]>): string {
  const path: string[] = [];
  let n: Node | undefined = c;
  while (n && READS_ONCE.has(n.op.kind) && !materialized.has(n) && path.length < 8) {
    path.push(n.op.kind);
    const next: Node[] = consumers.get(n) ?? [];
    n = next.length === 1 ? next[0] : undefined;
    if (next.length > 1) return `${[...path].join(' -> ')} (used ${next.length} times)`;
  }
  return n ? [...path, n.op.kind].join(' -> ') : path.join(' -> ');
}

/** Element-wise ops in the inlinable cone above `n`; -1 if it reaches a non-materialized reduction. */
function cone(n: Node, materialized: ReadonlyMap<Node, string>, memo: Map<Node, number>): number {
  const known = memo.get(n);
  if (known !== undefined) return known;
  let ops = ELEMENTWISE.has(n.op.kind) ? 1 : 0;
  if (EXPENSIVE.has(n.op.kind)) ops = -1;
  for (const i of n.inputs) {
    if (ops < 0) break;
    if (materialized.has(i) || i.op.kind === 'input' || i.op.kind === 'param') continue;
    const c = cone(i, materialized, memo);
    ops = c < 0 ? -1 : ops + c;
  }
  memo.set(n, ops);
  return ops;
}

