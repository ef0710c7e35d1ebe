import type { Graph } from '../ir/graph.js';
import type { Node } from '../ir/node.js';
import { numel } from '../ir/shape.js';
import { div, flatten, key, type Index } from './index-expr.js';
import { kernelScalars, workItems, type Kernel, type Scalar } from './kernel-ir.js';
import { buffersOf, computedWhole, type Draft } from './kernels.js';
import type { TargetLimits } from './limits.js';
import { PER_PARAM_SCOPE, type Dispatch, type PlannedKernel } from './plan-types.js';
import { findMatmulTile } from './tile.js';

/**
 * Phases one owner-phased shader may hold. Bigger shaders compile slowly (lavapipe: about
 * 0.1 s per phase, super-linearly) and a layer needs about 30.
 */
const MAX_PHASES = 32;

/**
 * Work per owner above which a layer runs faster as separate dispatches: an owner-phased
 * dispatch runs each batch element on one workgroup, so a big layer leaves cores idle that
 * per-element kernels would use, while its saving (a few dozen dispatches at ~25 us each on
 * lavapipe) stops mattering. Measured on lavapipe: FiberTiny layers (0.3-0.6 MFLOP per batch
 * element) run 3-4x faster stitched; FIBER-B layers (1.6-4.5 GFLOP) ran 1.3-2x slower stitched
 * whole, and at batch 8 groups capped at 4 MFLOP beat groups capped at 32 MFLOP by 4%.
 */
const MAX_STITCHED_FLOPS_PER_OWNER = 4e6;

/** Matmuls above this many FLOPs per owner are not made phases (see stitch). */
const MAX_PHASE_MATMUL_FLOPS = 4e6;

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
 * Pass `order`: reorders the kernels so that each layer's kernels are contiguous and can share one
 * dispatch: layers are ordered topologically by their data dependencies (ties by first
 * appearance), kernels within a layer keep their order except that unread outputs go last. If the layers depend on each other
 * cyclically the original order is kept.
 */
export function orderByLayer(kernels: readonly PlannedKernel[], outputs: ReadonlySet<Node> = new Set()): PlannedKernel[] {
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
  // Within a layer, kernels whose results nobody reads (parameter gradients, mostly) go last:
  // those that sum over the batch then end the owner-phased dispatch once, not each time.
  const read = new Set(kernels.flatMap((k) => k.kernel.reads.map((r) => r.id)));
  const sink = (k: PlannedKernel): boolean => outputs.has(k.kernel.output.node) && !read.has(k.kernel.output.id);
  return order.flatMap((l) => {
    const ks = members.get(l)!;
    return [...ks.filter((k) => !sink(k)), ...ks.filter(sink)];
  });
}

/** A kernel launched on its own: one invocation per output element. */
export function single(k: PlannedKernel): Dispatch {
  return { phases: [k], owners: null, workgroupSize: k.workgroupSize, workgroups: k.workgroups, reason: k.reason };
}

/**
 * The kernels with those of a training step's update (scope PER_PARAM_SCOPE) moved to the
 * end, in their own order: in graph order each param's update sits right after its gradient
 * and would cut the backward pass's owner-phased dispatches, and at the end the merge pass
 * finds them in one run. Legal when nothing outside the update reads what the update
 * computes (a training step's update feeds only itself and the graph's outputs); otherwise
 * the order stays.
 */
function perParamLast(kernels: readonly PlannedKernel[]): readonly PlannedKernel[] {
  const isUpdate = (k: PlannedKernel): boolean => k.kernel.output.node.scope === PER_PARAM_SCOPE;
  const updateIds = new Set(kernels.filter(isUpdate).map((k) => k.kernel.output.id));
  if (updateIds.size === 0 || kernels.some((k) => !isUpdate(k) && k.kernel.reads.some((r) => updateIds.has(r.id)))) return kernels;
  return [...kernels.filter((k) => !isUpdate(k)), ...kernels.filter(isUpdate)];
}

/**
 * The number of owners (batch elements) and, when there are fewer than two, why. The batch is
 * the dim the entry declares (`forward(...) batch B`); else the dim bound to `B` where that is
 * some input's leading dim (the examples' and the standard library's name for it); else the
 * leading size most inputs of rank >= 2 share. Inputs with another leading dim (a RoPE table
 * [T, D], the negatives of an ITM batch) are read-only, so they do not stop stitching: the
 * per-owner proof concerns only what earlier phases wrote.
 */
export function ownerCount(graph: Graph): { owners: number; why?: string } {
  const leads = graph.inputs.filter((n) => n.shape.length >= 2).map((n) => n.shape[0]!);
  let owners: number;
  if (graph.batch !== undefined) owners = graph.bindings[graph.batch] ?? 1;
  else {
    if (leads.length === 0) return { owners: 1, why: 'no input has a batch axis (rank >= 2); declare one with forward(...) batch B' };
    const counts = new Map<number, number>();
    for (const d of leads) counts.set(d, (counts.get(d) ?? 0) + 1);
    const conventional = graph.bindings.B;
    if (conventional !== undefined && counts.has(conventional)) owners = conventional;
    else {
      const best = Math.max(...counts.values());
      const tied = [...counts].filter(([, c]) => c === best).map(([d]) => d);
      if (tied.length > 1) return { owners: 1, why: `the inputs' leading dims (${[...counts.keys()].join(', ')}) do not tell which is the batch; declare it with forward(...) batch B` };
      owners = tied[0]!;
    }
  }
  if (owners === 1) return { owners, why: 'a batch of 1 gives one owner, too little parallelism for one dispatch' };
  if (owners === 0) return { owners: 1, why: 'a batch of 0' };
  return { owners };
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
  kernelScalars(k).forEach(walk);
  return out;
}

/**
 * Pass `stitch`: stitches consecutive kernels into single dispatches partitioned by owner (see Dispatch).
 * A kernel joins the current dispatch when its output splits evenly among the owners and,
 * for every tensor an earlier phase of the dispatch wrote, the owner of each element it
 * loads simplifies to the owner of the element it computes. Otherwise the dispatch ends
 * there, and says why.
 */
export function stitch(graph: Graph, planned: readonly PlannedKernel[], draft: Draft, inputFree: ReadonlySet<Node>, limits: TargetLimits): Dispatch[] {
  const kernels = perParamLast(planned);
  const { owners, why } = ownerCount(graph);
  if (owners < 2) return kernels.map((k) => ({ ...single(k), reason: `${k.reason}; not stitched: ${why}` }));
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
  let groupFlops = 0;
  for (const k of kernels) {
    const out = k.kernel.output;
    const outSize = numel(out.node.shape);
    if (out.node.scope === PER_PARAM_SCOPE) {
      close(`dispatch ends: ${k.kernel.name} works per parameter, not per batch element`);
      dispatches.push({ ...single(k), reason: 'works per parameter (an optimizer update), not per batch element' });
      continue;
    }
    // A big matmul runs register-tiled (and subgroup-shared) on its own; inside a phase it
    // would be computed one element per invocation.
    const perOwner = k.kernel.flops / owners;
    if (perOwner > MAX_PHASE_MATMUL_FLOPS && !k.kernel.attention && findMatmulTile(k.kernel)) {
      close(`dispatch ends: ${k.kernel.name} is a matmul of ${(perOwner / 1e6).toFixed(1)} MFLOP per batch element, faster register-tiled on its own`);
      dispatches.push({ ...single(k), reason: `a matmul of ${(perOwner / 1e6).toFixed(1)} MFLOP per batch element runs register-tiled on its own` });
      continue;
    }
    // Input-independent tensors are computed whole by every workgroup (see PlannedTensor.replicas).
    const whole = computedWhole(out, inputFree, draft);
    const fits = whole || (outSize % owners === 0 && workItems(k.kernel) % owners === 0);
    let conflict: string | undefined = fits ? undefined : `${k.kernel.name} has ${outSize} elements, not a multiple of ${owners} owners`;
    if (!conflict && whole) {
      // Every workgroup computes this tensor whole, so it needs all of whatever it reads: a
      // tensor this dispatch computes one part per owner (an input-free graph output) is not
      // all there in any one workgroup.
      const partial = loadsOf(k.kernel).find((load) => written.has(load.tensor) && !replicated.has(load.tensor));
      if (partial) {
        const t = draft.get(partial.tensor)!;
        conflict = `${k.kernel.name} is computed whole by every batch element but reads ${t.name || `t${partial.tensor}`}, which this dispatch computes one part per batch element`;
      }
    }
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
    const kb = new Set([...buffers, ...bufferNames(k.kernel, draft, limits)]);
    if (!conflict && kb.size > limits.maxStorageBuffersPerShaderStage) conflict = `one more phase would bind more than ${limits.maxStorageBuffersPerShaderStage} storage buffers`;
    const layer = layerOf(k.kernel.output.node);
    if (!conflict && group.length > 0 && layer !== groupLayer) conflict = `the next phase belongs to another layer (${layer || 'top level'})`;
    if (!conflict && group.length >= MAX_PHASES) conflict = `${MAX_PHASES} phases is the most one shader holds (compile time)`;
    const flops = groupFlops + k.kernel.flops / owners;
    if (!conflict && group.length > 0 && flops > MAX_STITCHED_FLOPS_PER_OWNER) conflict = `more than ${MAX_STITCHED_FLOPS_PER_OWNER / 1e6} MFLOP per batch element: separate dispatches use more cores`;
    if (conflict) {
      close(`dispatch ends: ${conflict}`);
      if (!fits) {
        dispatches.push({ ...single(k), reason: conflict });
        continue;
      }
    }
    if (group.length === 0) {
      groupLayer = layer;
      groupFlops = 0;
    }
    groupFlops += k.kernel.flops / owners;
    group.push(k);
    written.add(out.id);
    if (whole) replicated.add(out.id);
    buffers = new Set([...buffers, ...bufferNames(k.kernel, draft, limits)]);
  }
  close('end of the graph');
  return dispatches;
}

function bufferNames(k: Kernel, draft: Draft, limits: TargetLimits): string[] {
  return [k.output, ...k.reads].flatMap((r) => buffersOf(r.id, draft, limits));
}
