/// <reference types="@webgpu/types" />
import type { Node } from '../../ir/node.js';
import { numel } from '../../ir/shape.js';
import { HostTensor } from '../../ir/tensor.js';
import { deviceArray } from '../host-data.js';
import { plannedByName } from '../planned-names.js';
import type { Executable, WebGpuDevice } from './device.js';
import { WebGpuError } from './errors.js';
import { pacedPolling } from './paced-polling.js';
import { BatchedCopy, type CopyRun } from './batched-copy.js';

/**
 * Where a tensor lives on the device: pieces of buffers (an element offset and a length in
 * each), one piece unless the tensor is a param split over several bindings.
 */
export interface TensorLocation {
  readonly pieces: readonly { readonly buffer: GPUBuffer; readonly offset: number; readonly length: number }[];
  readonly node: Node;
}

/** The buffers of one compiled graph on one device. */
export class WebGpuSession {
  private readonly buffers = new Map<number, GPUBuffer>();
  private readonly arenas: GPUBuffer[];
  private readonly bindGroups: GPUBindGroup[];
  /** Every dispatch's start offsets (WgslKernel.bases), one uniform buffer sliced per dispatch. */
  private readonly bases: BasesBuffer | undefined;

  constructor(
    private readonly owner: WebGpuDevice,
    readonly compiled: Executable,
  ) {
    const device = owner.device;
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const { plan } = compiled;
    this.arenas = plan.arenas.map((a, i) => device.createBuffer({ size: Math.max(16, Math.ceil(a.length / 4) * 16), usage, label: `arena${i}` }));
    for (const t of plan.tensors.values()) {
      if (t.arena) continue;
      this.buffers.set(t.ref.id, device.createBuffer({ size: Math.max(16, Math.ceil((numel(t.ref.node.shape) * 4) / 16) * 16), usage, label: t.name || `t${t.ref.id}` }));
    }
    this.bases = basesBuffer(device, compiled.kernels);
    this.bindGroups = compiled.kernels.map((k, i) => {
      const entries: GPUBindGroupEntry[] = k.bindings.map(({ source: b }, binding) => ({ binding, resource: { buffer: b.kind === 'arena' ? this.arenas[b.index]! : this.buffers.get(b.id)! } }));
      const slice = this.bases?.slices[i];
      if (slice) entries.push({ binding: k.bindings.length, resource: { buffer: this.bases!.buffer, offset: slice.offset, size: slice.size } });
      return device.createBindGroup({ layout: compiled.pipelines[i]!.getBindGroupLayout(0), entries });
    });
  }

  /** False until the param-only dispatches (Dispatch.paramOnly) have run on the current params. */
  private paramsDerived = false;

  /** Where a named input, param or output lives: its buffer, element offset and node. */
  location(name: string): TensorLocation | undefined {
    const t = plannedByName(this.compiled.plan, name);
    if (!t) return undefined;
    const n = numel(t.ref.node.shape);
    if (t.split) {
      const { arenas, part } = t.split;
      return { node: t.ref.node, pieces: arenas.map((a, j) => ({ buffer: this.arenas[a]!, offset: 0, length: Math.min(part, n - j * part) })) };
    }
    return { node: t.ref.node, pieces: [{ buffer: t.arena ? this.arenas[t.arena.index]! : this.buffers.get(t.ref.id)!, offset: t.arena?.offset ?? 0, length: n }] };
  }

  /** Uploads some tensors (inputs or params) by name, each into its own place. */
  writeNamed(tensors: ReadonlyMap<string, HostTensor>): void {
    const queue = this.owner.device.queue;
    for (const [name, value] of tensors) {
      const at = this.location(name);
      if (!at) throw new WebGpuError(`'${name}' is not an input or param of this program`);
      if (at.node.op.kind === 'param') this.paramsDerived = false;
      const data = deviceArray(at.node.op.kind, name, value, at.node.dtype === 'i32' ? 'i32' : 'f32');
      let from = 0;
      for (const p of at.pieces) {
        queue.writeBuffer(p.buffer, p.offset * 4, data, from, p.length);
        from += p.length;
      }
    }
  }

  /**
   * Copies, on the device, each named tensor into another's place (an output into the
   * param it replaces) after the work submitted so far; the params are then new, so the
   * param-only dispatches run again at the next dispatch. The copies are recorded as one
   * dispatch per pair of buffers (BatchedCopy), prepared once for each list a caller passes
   * again and again.
   */
  copyNamed(copies: readonly { readonly from: string; readonly to: string }[]): void {
    if (copies.length === 0) return;
    if (this.batched?.copies !== copies) {
      this.batched?.copy.destroy();
      this.batched = { copies, copy: new BatchedCopy(this.owner.device, copies.flatMap(({ from, to }) => this.copyRuns(from, to))) };
    }
    const encoder = this.owner.device.createCommandEncoder();
    this.batched.copy.encode(encoder);
    this.owner.device.queue.submit([encoder.finish()]);
    this.paramsDerived = false;
  }

  /** The last list copyNamed prepared, and its copies. */
  private batched: { readonly copies: readonly unknown[]; readonly copy: BatchedCopy } | undefined;

  /** The runs that copy tensor `from` (one piece) over tensor `to` (one piece or a split param's several). */
  private copyRuns(from: string, to: string): CopyRun[] {
    const source = this.location(from)!.pieces[0]!;
    let at = 0;
    return this.location(to)!.pieces.map((p) => {
      const run = { from: source.buffer, fromOffset: source.offset + at, to: p.buffer, toOffset: p.offset, length: p.length };
      at += p.length;
      return run;
    });
  }

  /** Reads tensors (outputs or params) by name, after the work submitted so far. */
  async readNamed(names: readonly string[]): Promise<Map<string, HostTensor>> {
    const device = this.owner.device;
    const encoder = device.createCommandEncoder();
    const staged = names.map((name) => {
      const at = this.location(name);
      if (!at) throw new WebGpuError(`'${name}' is not an output or param of this program`);
      const s = device.createBuffer({ size: Math.max(4, numel(at.node.shape) * 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      let to = 0;
      for (const p of at.pieces) {
        if (p.length > 0) encoder.copyBufferToBuffer(p.buffer, p.offset * 4, s, to * 4, p.length * 4);
        to += p.length;
      }
      return { name, at, s };
    });
    device.queue.submit([encoder.finish()]);
    await this.wait();
    await this.paced(() => Promise.all(staged.map((x) => x.s.mapAsync(GPUMapMode.READ))));
    const result = new Map<string, HostTensor>();
    for (const { name, at, s } of staged) {
      const n = numel(at.node.shape);
      const raw = s.getMappedRange();
      const view = at.node.dtype === 'i32' ? new Int32Array(raw, 0, n) : new Float32Array(raw, 0, n);
      // A copy in the device's own type (the mapped range goes away on unmap).
      result.set(name, new HostTensor(at.node.shape, at.node.dtype, view.slice()));
      s.unmap();
      s.destroy();
    }
    return result;
  }

  /** Uploads inputs and params (params go to their arena offsets). */
  write(feeds: ReadonlyMap<string, HostTensor>): void {
    this.paramsDerived = false;
    const queue = this.owner.device.queue;
    const arenaData = this.compiled.plan.arenas.map((a) => (a.role !== 'params' ? null : a.type === 'i32' ? new Int32Array(a.length) : new Float32Array(a.length)));
    for (const t of this.compiled.plan.tensors.values()) {
      if (t.kind !== 'input' && t.kind !== 'param') continue;
      const value = feeds.get(t.name);
      if (!value) throw new WebGpuError(`no value for ${t.kind} '${t.name}'`);
      const data = deviceArray(t.kind, t.name, value, t.ref.type === 'i32' ? 'i32' : 'f32');
      if (t.split) {
        const { arenas, part } = t.split;
        arenas.forEach((a, j) => arenaData[a]!.set(data.subarray(j * part, (j + 1) * part), 0));
      } else if (t.arena) arenaData[t.arena.index]!.set(data, t.arena.offset);
      else queue.writeBuffer(this.buffers.get(t.ref.id)!, 0, data);
    }
    arenaData.forEach((d, i) => {
      if (d) queue.writeBuffer(this.arenas[i]!, 0, d);
    });
  }

  /**
   * Records the kernels of `times` runs in one compute pass and submits it. Param-only
   * dispatches run only in the first run after `write` (their results stay in the scratch
   * arena, which nothing else writes there).
   */
  dispatch(times = 1): void {
    const device = this.owner.device;
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    const dispatches = this.compiled.plan.dispatches;
    for (let t = 0; t < times; t++) {
      this.compiled.kernels.forEach((_, i) => {
        if (!dispatches[i]!.paramOnly || !this.paramsDerived) this.record(pass, i);
      });
      this.paramsDerived = true;
    }
    pass.end();
    device.queue.submit([encoder.finish()]);
  }

  /**
   * Waits for the runs submitted so far, surfacing errors. Dawn's polling is paced meanwhile
   * (see pacedPolling), so prefer it to the device's flush after dispatch.
   */
  async wait(): Promise<void> {
    await this.paced(() => this.owner.flush());
  }

  /** Awaits a Dawn promise with its polling paced, unless the device asks for Dawn's own polling. */
  private paced<T>(wait: () => Promise<T>): Promise<T> {
    return this.owner.yieldWhileWaiting ? pacedPolling(wait) : wait();
  }

  /**
   * Times each dispatch with timestamp queries (one compute pass per dispatch, so the times
   * include no neighbour's work): milliseconds per dispatch, in plan order, from one run.
   * Needs the adapter's `timestamp-query` feature.
   */
  async profile(): Promise<number[]> {
    const device = this.owner.device;
    if (!this.owner.features.has('timestamp-query')) throw new WebGpuError('the adapter has no timestamp-query feature: profiling is not available');
    const n = this.compiled.kernels.length;
    const querySet = device.createQuerySet({ type: 'timestamp', count: 2 * n });
    const resolved = device.createBuffer({ size: 16 * n, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const staging = device.createBuffer({ size: 16 * n, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = device.createCommandEncoder();
    this.compiled.kernels.forEach((_, i) => {
      const pass = encoder.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
      this.record(pass, i);
      pass.end();
    });
    encoder.resolveQuerySet(querySet, 0, 2 * n, resolved, 0);
    encoder.copyBufferToBuffer(resolved, 0, staging, 0, 16 * n);
    device.queue.submit([encoder.finish()]);
    await this.wait();
    await this.paced(() => staging.mapAsync(GPUMapMode.READ));
    const stamps = new BigInt64Array(staging.getMappedRange().slice(0));
    staging.unmap();
    for (const b of [staging, resolved]) b.destroy();
    querySet.destroy();
    return Array.from({ length: n }, (_, i) => Number(stamps[2 * i + 1]! - stamps[2 * i]!) / 1e6);
  }

  /** Records dispatch `i` (pipeline, bindings, grid) into a compute pass. */
  private record(pass: GPUComputePassEncoder, i: number): void {
    const k = this.compiled.kernels[i]!;
    pass.setPipeline(this.compiled.pipelines[i]!);
    pass.setBindGroup(0, this.bindGroups[i]!);
    pass.dispatchWorkgroups(k.workgroups[0], k.workgroups[1]);
  }

  /** Reads the graph outputs back to the host. */
  async read(): Promise<Map<string, HostTensor>> {
    return this.readNamed(this.compiled.plan.graph.outputs.map((o) => o.name));
  }

  destroy(): void {
    for (const b of this.buffers.values()) b.destroy();
    for (const a of this.arenas) a.destroy();
    this.bases?.buffer.destroy();
    this.batched?.copy.destroy();
  }
}

/**
 * Uniform slices start at multiples of this many bytes: WebGPU's default
 * minUniformBufferOffsetAlignment, the largest value an adapter may require, so valid on all.
 */
const UNIFORM_ALIGNMENT = 256;

/** The uniform buffer of every dispatch's start offsets, and each dispatch's slice (none where it reads none). */
interface BasesBuffer {
  readonly buffer: GPUBuffer;
  readonly slices: readonly ({ readonly offset: number; readonly size: number } | undefined)[];
}

/**
 * One uniform buffer holding every dispatch's start offsets as vec4<i32> rows, each
 * dispatch's slice aligned for binding; undefined when no dispatch reads any.
 */
function basesBuffer(device: GPUDevice, kernels: Executable['kernels']): BasesBuffer | undefined {
  let end = 0;
  const slices = kernels.map((k) => {
    if (k.bases.length === 0) return undefined;
    const slice = { offset: end, size: Math.ceil(k.bases.length / 4) * 16 };
    end += Math.ceil(slice.size / UNIFORM_ALIGNMENT) * UNIFORM_ALIGNMENT;
    return slice;
  });
  if (end === 0) return undefined;
  const data = new Int32Array(end / 4);
  slices.forEach((slice, i) => slice && data.set(kernels[i]!.bases, slice.offset / 4));
  const buffer = device.createBuffer({ size: end, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: 'start offsets' });
  device.queue.writeBuffer(buffer, 0, data);
  return { buffer, slices };
}
