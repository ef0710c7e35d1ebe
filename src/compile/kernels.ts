import type { Graph } from '../ir/graph.js';
import type { Node } from '../ir/node.js';
import { numel } from '../ir/shape.js';
import { bindingsFor, PlanError } from './arenas.js';
import type { AttentionMatch } from './attention.js';
import { workItems, type Kernel, type ScalarType, type TensorRef } from './kernel-ir.js';
import type { TargetLimits } from './limits.js';
import { KernelLowering } from './lower.js';
import { MOVEMENT } from './materialize.js';
import type { PlannedKernel, TensorKind } from './plan-types.js';

/** Tensors before arena placement: id, kind and name. */
export type Draft = ReadonlyMap<number, { readonly ref: TensorRef; readonly kind: TensorKind; readonly name: string }>;

/**
 * Whether an owner-phased dispatch computes tensor `ref` whole in every workgroup, each into
 * its own copy, rather than one part per owner: an intermediate that depends on no input (the
 * relative-position bias, the shift mask), which every owner needs all of. Stitching, workgroup
 * scopes, arena placement and param-only dispatches decide by this one rule.
 */
export function computedWhole(ref: TensorRef, inputFree: ReadonlySet<Node>, draft: Draft): boolean {
  return inputFree.has(ref.node) && draft.get(ref.id)?.kind === 'intermediate';
}

const typeOf = (n: Node): ScalarType => (n.dtype === 'i32' ? 'i32' : 'f32');
const leafName = (n: Node): string => (n.op.kind === 'input' || n.op.kind === 'param' ? n.op.name : '');

/**
 * Pass `lower`: one kernel (kernel IR) per materialized node, in graph order, with every
 * non-materialized producer inlined. A kernel that would read more storage buffers than the
 * device allows gets one of its inlined producers materialized (the reason says so) until it
 * fits. Returns the kernels and the tensors they read and write.
 */
export function lowerKernels(
  graph: Graph, reason: Map<Node, string>, limits: TargetLimits, attention: ReadonlyMap<Node, AttentionMatch> = new Map(),
  deferred: ReadonlyMap<Node, AttentionMatch> = new Map(),
): { kernels: PlannedKernel[]; draft: Draft } {
  const outputs = new Map<Node, string>();
  for (const o of graph.outputs) if (!outputs.has(o.node)) outputs.set(o.node, o.name);
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
    const match = attention.get(n);
    const lower = (): Kernel => {
      const lowering = new KernelLowering((m) => (m === n && !isLeaf ? undefined : refs.get(m)), deferred);
      return match && outRef.node === n ? lowering.attentionKernel(name, match, outRef) : lowering.kernel(name, n, outRef);
    };
    let kernel = lower();
    // Split kernels that bind more storage buffers than the device allows.
    while (bindingCount(kernel, draft, limits) + 1 > limits.maxStorageBuffersPerShaderStage) {
      const inlined = kernel.fused.filter((m) => m !== n && !refs.has(m) && !MOVEMENT.has(m.op.kind));
      if (inlined.length === 0) throw new PlanError(`kernel ${name} needs ${bindingCount(kernel, draft, limits) + 1} storage buffers; the device allows ${limits.maxStorageBuffersPerShaderStage}`);
      const victim = inlined[0]!;
      reason.set(victim, `split: kernel ${name} would bind more than ${limits.maxStorageBuffersPerShaderStage} storage buffers`);
      refs.set(victim, place(victim, 'intermediate', ''));
      emitInOrder(victim);
      kernel = lower();
    }
    const workgroupSize = workgroupSizeFor(n, graph, limits);
    const groups = Math.ceil(workItems(kernel) / workgroupSize);
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
  return { kernels, draft };
}

/**
 * The storage bindings tensor `id` takes, by name: its own buffer (inputs), the arena of its
 * kind and type, or — a param larger than one binding — one per part (see placeInArenas).
 */
export function buffersOf(id: number, draft: Draft, limits: TargetLimits): string[] {
  const t = draft.get(id)!;
  if (t.kind === 'input') return [`t${id}`];
  const parts = t.kind === 'param' ? bindingsFor(numel(t.ref.node.shape), limits) : 1;
  return parts === 1 ? [`arena:${t.kind}:${t.ref.type}`] : Array.from({ length: parts }, (_, j) => `split:${id}:${j}`);
}

function bindingCount(kernel: Kernel, draft: Draft, limits: TargetLimits): number {
  return new Set(kernel.reads.flatMap((r) => buffersOf(r.id, draft, limits))).size;
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

