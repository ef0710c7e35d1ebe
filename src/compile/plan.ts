import type { Graph } from '../ir/graph.js';
import type { Node } from '../ir/node.js';
import { numel } from '../ir/shape.js';
import { div, flatten, key, type Index } from './index-expr.js';
import type { Kernel, Scalar, ScalarType, TensorRef } from './kernel-ir.js';
import type { TargetLimits } from './limits.js';
import { KernelLowering } from './lower.js';

/** `fused`: the cost model decides; `unfused`: one kernel per primitive (reshapes are views). */
export type FusionMode = 'fused' | 'unfused';

export type TensorKind = 'input' | 'param' | 'intermediate' | 'output';

/** Where a tensor lives: its own buffer (inputs, outputs), or a slice of an arena (params, intermediates). */
export interface PlannedTensor {
  readonly ref: TensorRef;
  readonly kind: TensorKind;
  /** Input, param or output name. */
  readonly name: string;
  readonly arena?: { readonly index: number; readonly offset: number };
  /**
   * Copies of the tensor in its arena. A tensor that depends on no graph input (a gathered
   * relative-position bias, a shift mask) but is computed inside an owner-phased dispatch is
   * computed whole by every workgroup into that workgroup's own copy.
   */
  readonly replicas: number;
}

export interface PlannedKernel {
  readonly kernel: Kernel;
  readonly workgroupSize: number;
  readonly workgroups: readonly [number, number];
  /** Why this kernel's output is materialized instead of being fused into its consumer. */
  readonly reason: string;
}

export interface Arena {
  readonly role: 'params' | 'scratch';
  readonly type: ScalarType;
  readonly length: number;
}

/**
 * One launch. With `owners` set, its phases run in one dispatch of one workgroup per owner
 * (a batch element): each workgroup computes its owner's part of every phase, with storage
 * and workgroup barriers between phases. That is legal because the planner proved, on the
 * index expressions, that every phase reads only its own owner's part of what earlier
 * phases of the same dispatch wrote. Without `owners` it is one plain kernel.
 */
export interface Dispatch {
  readonly phases: readonly PlannedKernel[];
  readonly owners: number | null;
  readonly workgroupSize: number;
  readonly workgroups: readonly [number, number];
  /** Why the dispatch ends where it does. */
  readonly reason: string;
}

export interface Plan {
  readonly graph: Graph;
  readonly mode: FusionMode;
  readonly limits: TargetLimits;
  readonly tensors: ReadonlyMap<number, PlannedTensor>;
  readonly kernels: readonly PlannedKernel[];
  /** Arenas: packed parameters (uploaded) or scratch for intermediates; element type and length. */
  readonly arenas: readonly Arena[];
  /** The launches of one run, in order; each runs one or more kernels as phases. */
  readonly dispatches: readonly Dispatch[];
}

const ELEMENTWISE = new Set(['unary', 'binary', 'where', 'cast']);
const MOVEMENT = new Set(['reshape', 'permute', 'broadcast', 'slice', 'pad', 'roll', 'concat', 'const', 'iota']);
/** Ops whose consumer-side read of each input element happens at most once per output pass. */
const READS_ONCE = new Set(['unary', 'binary', 'where', 'cast', 'reshape', 'permute', 'slice', 'pad', 'roll', 'concat', 'reduce']);
const EXPENSIVE = new Set(['reduce', 'matmul', 'gather', 'scatter_add']);
/** Largest element-wise cone worth recomputing per consumer instead of storing. */
const MAX_RECOMPUTE_OPS = 24;

const typeOf = (n: Node): ScalarType => (n.dtype === 'i32' ? 'i32' : 'f32');
const leafName = (n: Node): string => (n.op.kind === 'input' || n.op.kind === 'param' ? n.op.name : '');

/**
 * Groups the graph's nodes into kernels. A node is materialized (gets a buffer and its own
 * kernel) when it is an output, when it has several consumers and is not cheap to recompute,
 * or when it is a reduction or matmul whose consumer would read it more than once per
 * element (through a broadcast, a matmul or a gather). Everything else is inlined into its
 * consumer. Kernels that would exceed the storage-buffer limit are split. Every decision
 * is recorded as the materialized kernel's `reason`, which `fiberc plan` prints.
 */
export function planGraph(graph: Graph, mode: FusionMode, limits: TargetLimits): Plan {
  const consumers = new Map<Node, Node[]>();
  for (const n of graph.nodes) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const outputs = new Map<Node, string>();
  for (const o of graph.outputs) if (!outputs.has(o.node)) outputs.set(o.node, o.name);

  // Consumers are decided before producers, but whether a producer's cone is cheap depends on
  // which of *its* producers are stored: so decide again, each pass seeing the previous pass's
  // decisions for nodes it has not reached yet, until nothing changes.
  let reason = new Map<Node, string>();
  for (let pass = 0; pass < 8; pass++) {
    const next = decide(graph, mode, consumers, outputs, reason);
    const stable = next.size === reason.size && [...next.keys()].every((n) => reason.has(n));
    reason = next;
    if (stable) break;
  }

  // Tensor ids now; arena placement once stitching has said which tensors are replicated.
  const draft = new Map<number, { ref: TensorRef; kind: TensorKind; name: string }>();
  const refs = new Map<Node, TensorRef>();
  let nextId = 0;
  const place = (node: Node, kind: TensorKind, name: string): TensorRef => {
    const ref: TensorRef = { id: nextId++, node, type: typeOf(node) };
    draft.set(ref.id, { ref, kind, name });
    return ref;
  };
  for (const n of graph.nodes) {
    if (!reason.has(n)) continue;
    const kind: TensorKind = n.op.kind === 'input' ? 'input' : n.op.kind === 'param' ? 'param' : outputs.has(n) ? 'output' : 'intermediate';
    refs.set(n, place(n, kind, kind === 'input' || kind === 'param' ? leafName(n) : outputs.get(n) ?? ''));
  }

  const kernels: PlannedKernel[] = [];
  const emit = (n: Node, outRef: TensorRef, name: string, why: string): void => {
    // The kernel computes its root node (a leaf root is an output copy: it is loaded).
    const isLeaf = n.op.kind === 'input' || n.op.kind === 'param';
    const lower = (): Kernel => new KernelLowering((m) => (m === n && !isLeaf ? undefined : refs.get(m))).kernel(name, n, outRef);
    let kernel = lower();
    // Split kernels that bind more storage buffers than the device allows.
    while (bindingCount(kernel, draft) + 1 > limits.maxStorageBuffersPerShaderStage) {
      const inlined = kernel.fused.filter((m) => m !== n && !refs.has(m) && !MOVEMENT.has(m.op.kind));
      if (inlined.length === 0) throw new Error(`kernel ${name} needs ${bindingCount(kernel, draft) + 1} storage buffers; the device allows ${limits.maxStorageBuffersPerShaderStage}`);
      const victim = inlined[0]!;
      reason.set(victim, `split: kernel ${name} would bind more than ${limits.maxStorageBuffersPerShaderStage} storage buffers`);
      refs.set(victim, place(victim, 'intermediate', ''));
      emitInOrder(victim);
      kernel = lower();
    }
    const workgroupSize = workgroupSizeFor(n, graph, limits);
    const groups = Math.ceil(numel(n.shape) / workgroupSize);
    const x = Math.min(groups, limits.maxComputeWorkgroupsPerDimension);
    kernels.push({ kernel, workgroupSize, workgroups: [Math.max(1, x), Math.max(1, Math.ceil(groups / x))], reason: why });
  };
  const done = new Set<Node>();
  const emitInOrder = (n: Node): void => {
    if (done.has(n)) return;
    done.add(n);
    emit(n, refs.get(n)!, kernelName(n, kernels.length), reason.get(n)!);
  };
  for (const n of graph.nodes) {
    if (!reason.has(n)) continue;
    if (n.op.kind === 'input' || n.op.kind === 'param') {
      // A leaf that is also an output is copied into its own output tensor.
      if (outputs.has(n)) {
        const out = place(n, 'output', outputs.get(n)!);
        emit(n, out, kernelName(n, kernels.length), `graph output "${outputs.get(n)}" is a ${n.op.kind}: copied`);
      }
      continue;
    }
    emitInOrder(n);
  }
  const inputFree = independentOfInputs(graph);
  const dispatches = mode === 'fused' ? stitch(graph, orderByLayer(kernels), draft, inputFree, limits) : kernels.map(single);
  const replicated = new Map<number, number>();
  for (const d of dispatches) {
    if (d.owners === null) continue;
    for (const p of d.phases) if (inputFree.has(p.kernel.output.node)) replicated.set(p.kernel.output.id, d.owners);
  }
  const { tensors, arenas } = placeInArenas(draft, replicated, limits);
  return { graph, mode, limits, tensors, kernels, arenas, dispatches };
}

/** One pass of materialization decisions (see planGraph); `previous` answers for undecided producers. */
function decide(graph: Graph, mode: FusionMode, consumers: ReadonlyMap<Node, Node[]>, outputs: ReadonlyMap<Node, string>, previous: ReadonlyMap<Node, string>): Map<Node, string> {
  const reason = new Map<Node, string>();
  const onceFromRoot = new Map<Node, boolean>();
  const known: ReadonlyMap<Node, string> = { get: (n: Node) => reason.get(n) ?? previous.get(n), has: (n: Node) => reason.has(n) || previous.has(n) } as ReadonlyMap<Node, string>;
  // Consumers are decided before producers.
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const n = graph.nodes[i]!;
    const kind = n.op.kind;
    const uses = consumers.get(n) ?? [];
    let why: string | undefined;
    if (kind === 'input' || kind === 'param') why = kind;
    else if (outputs.has(n)) why = `graph output "${outputs.get(n)}"`;
    else if (mode === 'unfused') why = kind === 'reshape' || kind === 'const' ? undefined : 'unfused mode: one kernel per primitive';
    else if (MOVEMENT.has(kind)) why = undefined;
    else if (EXPENSIVE.has(kind)) {
      const c = uses[0]!;
      const once = uses.length === 1 && READS_ONCE.has(c.op.kind) && (reason.has(c) || onceFromRoot.get(c) === true);
      if (!once) why = uses.length > 1 ? `${kind} used by ${uses.length} consumers` : `${kind} result is re-read downstream by ${rereader(c, reason, consumers)}`;
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

type Draft = ReadonlyMap<number, { readonly ref: TensorRef; readonly kind: TensorKind; readonly name: string }>;

/** The buffer a tensor will be bound through: params and intermediates share arenas by type. */
function bufferOf(id: number, draft: Draft): string {
  const t = draft.get(id)!;
  return t.kind === 'param' || t.kind === 'intermediate' ? `arena:${t.kind}:${t.ref.type}` : `t${id}`;
}

function bindingCount(kernel: Kernel, draft: Draft): number {
  return new Set(kernel.reads.map((r) => bufferOf(r.id, draft))).size;
}

/** Nodes that depend on no graph input (only on params and constants). */
function independentOfInputs(graph: Graph): Set<Node> {
  const dependent = new Set<Node>();
  for (const n of graph.nodes) if (n.op.kind === 'input' || n.inputs.some((i) => dependent.has(i))) dependent.add(n);
  return new Set(graph.nodes.filter((n) => !dependent.has(n)));
}

/**
 * Packs params and intermediates into arenas (one binding each instead of one per tensor),
 * up to the device's largest storage binding; aligns each tensor to 16 bytes.
 */
function placeInArenas(draft: Draft, replicated: ReadonlyMap<number, number>, limits: TargetLimits): { tensors: Map<number, PlannedTensor>; arenas: Arena[] } {
  const arenas: { role: Arena['role']; type: ScalarType; length: number }[] = [];
  const capacity = Math.floor(limits.maxStorageBufferBindingSize / 4);
  const tensors = new Map<number, PlannedTensor>();
  for (const { ref, kind, name } of draft.values()) {
    const replicas = replicated.get(ref.id) ?? 1;
    if (kind !== 'param' && kind !== 'intermediate') {
      tensors.set(ref.id, { ref, kind, name, replicas });
      continue;
    }
    const role = kind === 'param' ? 'params' : 'scratch';
    const size = numel(ref.node.shape) * replicas;
    let a = arenas.findIndex((x) => x.role === role && x.type === ref.type && Math.ceil(x.length / 4) * 4 + size <= capacity);
    if (a < 0) {
      arenas.push({ role, type: ref.type, length: 0 });
      a = arenas.length - 1;
    }
    const offset = Math.ceil(arenas[a]!.length / 4) * 4;
    arenas[a]!.length = offset + size;
    tensors.set(ref.id, { ref, kind, name, replicas, arena: { index: a, offset } });
  }
  return { tensors, arenas };
}

function kernelName(n: Node, index: number): string {
  const what = n.op.kind === 'unary' || n.op.kind === 'binary' ? n.op.fn : n.op.kind === 'reduce' ? `reduce_${n.op.fn}` : n.op.kind;
  const where = n.scope ? `_${n.scope.replace(/[^A-Za-z0-9]+/g, '_')}` : '';
  return `k${index}_${what}${where}`.slice(0, 80);
}

/** The schedule's workgroup_size for the node's module, else 64; within the device limit. */
function workgroupSizeFor(n: Node, graph: Graph, limits: TargetLimits): number {
  const s = graph.schedules.find((x) => x.target === 'wgsl' && x.module === n.module && typeof x.settings.workgroup_size === 'number');
  const wanted = s ? (s.settings.workgroup_size as number) : 64;
  return Math.min(wanted, limits.maxComputeInvocationsPerWorkgroup);
}

/**
 * Phases one owner-phased shader may hold. Bigger shaders compile slowly (lavapipe: about
 * 0.1 s per phase, super-linearly) and a layer needs about 30.
 */
const MAX_PHASES = 64;

/**
 * The layer a node belongs to: its instance path up to the last list index
 * (`text.layer.3.attention.self` -> `text.layer.3`), since instances in lists are layers.
 * Owner-phased dispatches do not cross layers: one kernel per layer, as ARCHITECTURE.md says.
 */
function layerOf(n: Node): string {
  const parts = n.scope.split('.');
  let last = -1;
  parts.forEach((p, i) => {
    if (/^\d+$/.test(p)) last = i;
  });
  return last < 0 ? '' : parts.slice(0, last + 1).join('.');
}

/**
 * Reorders the kernels so that each layer's kernels are contiguous and can share one
 * dispatch: layers are ordered topologically by their data dependencies (ties by first
 * appearance), kernels within a layer keep their order. If the layers depend on each other
 * cyclically the original order is kept.
 */
function orderByLayer(kernels: readonly PlannedKernel[]): PlannedKernel[] {
  const layers: string[] = [];
  const members = new Map<string, PlannedKernel[]>();
  for (const k of kernels) {
    const l = layerOf(k.kernel.output.node);
    if (!members.has(l)) {
      members.set(l, []);
      layers.push(l);
    }
    members.get(l)!.push(k);
  }
  const producerLayer = new Map<number, string>();
  for (const k of kernels) producerLayer.set(k.kernel.output.id, layerOf(k.kernel.output.node));
  const deps = new Map(layers.map((l) => [l, new Set<string>()]));
  for (const k of kernels) {
    const l = layerOf(k.kernel.output.node);
    for (const r of k.kernel.reads) {
      const p = producerLayer.get(r.id);
      if (p !== undefined && p !== l) deps.get(l)!.add(p);
    }
  }
  const order: string[] = [];
  const done = new Set<string>();
  while (order.length < layers.length) {
    const next = layers.find((l) => !done.has(l) && [...deps.get(l)!].every((d) => done.has(d)));
    if (next === undefined) return [...kernels];
    order.push(next);
    done.add(next);
  }
  return order.flatMap((l) => members.get(l)!);
}

/** A kernel launched on its own: one invocation per output element. */
function single(k: PlannedKernel): Dispatch {
  return { phases: [k], owners: null, workgroupSize: k.workgroupSize, workgroups: k.workgroups, reason: k.reason };
}

/** The number of owners (batch elements): the leading size shared by every graph input of rank >= 2. */
function ownerCount(graph: Graph): number {
  const leads = new Set(graph.inputs.filter((n) => n.shape.length >= 2).map((n) => n.shape[0]!));
  return leads.size === 1 ? [...leads][0]! : 1;
}

/** Every load of a kernel's value (including data-dependent indices). */
function loadsOf(k: Kernel): { tensor: number; index: Index }[] {
  const out: { tensor: number; index: Index }[] = [];
  const seen = new Set<Scalar>();
  const walk = (s: Scalar): void => {
    if (seen.has(s)) return;
    seen.add(s);
    switch (s.k) {
      case 'load': out.push({ tensor: s.tensor, index: s.index }); break;
      case 'unary': case 'cast': walk(s.a); break;
      case 'binary': walk(s.a); walk(s.b); break;
      case 'where': walk(s.c); walk(s.a); walk(s.b); break;
      case 'guard': walk(s.a); break;
      case 'reduce': walk(s.body); break;
      default: break;
    }
  };
  walk(k.value);
  for (const v of k.values.values()) walk(v);
  return out;
}

/**
 * Stitches consecutive kernels into single dispatches partitioned by owner (see Dispatch).
 * A kernel joins the current dispatch when its output splits evenly among the owners and,
 * for every tensor an earlier phase of the dispatch wrote, the owner of each element it
 * loads simplifies to the owner of the element it computes. Otherwise the dispatch ends
 * there, and says why.
 */
function stitch(graph: Graph, kernels: readonly PlannedKernel[], draft: Draft, inputFree: ReadonlySet<Node>, limits: TargetLimits): Dispatch[] {
  const owners = ownerCount(graph);
  if (owners < 2) {
    return kernels.map((k) => ({ ...single(k), reason: `${k.reason}; not stitched: ${owners === 1 ? 'a batch of 1 gives one owner, too little parallelism for one dispatch' : 'no common batch dim'}` }));
  }
  const dispatches: Dispatch[] = [];
  let group: PlannedKernel[] = [];
  let written = new Set<number>();
  let buffers = new Set<string>();
  const close = (why: string): void => {
    if (group.length === 0) return;
    if (group.length === 1) dispatches.push({ ...single(group[0]!), reason: why });
    else {
      const wg = Math.min(Math.max(...group.map((k) => k.workgroupSize)), limits.maxComputeInvocationsPerWorkgroup);
      const x = Math.min(owners, limits.maxComputeWorkgroupsPerDimension);
      dispatches.push({ phases: group, owners, workgroupSize: wg, workgroups: [x, Math.ceil(owners / x)], reason: why });
    }
    group = [];
    written = new Set();
    buffers = new Set();
  };
  const replicated = new Set<number>();
  let groupLayer = '';
  for (const k of kernels) {
    const out = k.kernel.output;
    const outSize = numel(out.node.shape);
    // Input-independent tensors are computed whole by every workgroup (see PlannedTensor.replicas).
    const whole = inputFree.has(out.node) && draft.get(out.id)!.kind === 'intermediate';
    const fits = whole || outSize % owners === 0;
    let conflict: string | undefined = fits ? undefined : `${k.kernel.name} has ${outSize} elements, not a multiple of ${owners} owners`;
    if (!conflict && !whole) {
      const outOwner = key(div(flatten(k.kernel.outputIndex, out.node.shape), outSize / owners));
      for (const load of loadsOf(k.kernel)) {
        if (!written.has(load.tensor) || replicated.has(load.tensor)) continue;
        const t = draft.get(load.tensor)!;
        const chunk = numel(t.ref.node.shape) / owners;
        if (!Number.isInteger(chunk) || key(div(load.index, chunk)) !== outOwner) {
          conflict = `${k.kernel.name} reads parts of ${t.name || `t${load.tensor}`} that belong to other batch elements`;
          break;
        }
      }
    }
    const kb = new Set([...buffers, ...bufferNames(k.kernel, draft)]);
    if (!conflict && kb.size > limits.maxStorageBuffersPerShaderStage) conflict = `one more phase would bind more than ${limits.maxStorageBuffersPerShaderStage} storage buffers`;
    const layer = layerOf(k.kernel.output.node);
    if (!conflict && group.length > 0 && layer !== groupLayer) conflict = `the next phase belongs to another layer (${layer || 'top level'})`;
    if (!conflict && group.length >= MAX_PHASES) conflict = `${MAX_PHASES} phases is the most one shader holds (compile time)`;
    if (conflict) {
      close(`dispatch ends: ${conflict}`);
      if (!fits) {
        dispatches.push({ ...single(k), reason: conflict });
        continue;
      }
    }
    if (group.length === 0) groupLayer = layer;
    group.push(k);
    written.add(out.id);
    if (whole) replicated.add(out.id);
    buffers = new Set([...buffers, ...bufferNames(k.kernel, draft)]);
  }
  close('end of the graph');
  return dispatches;
}

function bufferNames(k: Kernel, draft: Draft): string[] {
  return [k.output, ...k.reads].map((r) => bufferOf(r.id, draft));
}
