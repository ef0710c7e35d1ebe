/// <reference types="@webgpu/types" />

/**
 * Many element copies between device buffers in one compute dispatch per pair of buffers,
 * instead of one copyBufferToBuffer command each. A training step replaces every param and
 * optimizer state by its update after each run (FiberTiny's pre-training step: 1,149 copies);
 * through Dawn's Node binding on lavapipe those commands cost about 0.11 ms each to record and
 * submit, 130 ms a step, where one dispatch of the same copies takes a few milliseconds.
 */

/** One run of 4-byte elements to copy (offsets and length in elements). */
export interface CopyRun<B = GPUBuffer> {
  readonly from: B;
  readonly fromOffset: number;
  readonly to: B;
  readonly toOffset: number;
  readonly length: number;
}

/** Elements one workgroup copies at most: long runs are split so that many workgroups share them. */
export const COPY_CHUNK = 4096;

/**
 * The runs without empty ones and without those that copy a place onto itself, ordered by
 * buffer pair and source offset, each merged into the previous one where both its source and
 * its destination continue it.
 */
export function mergeRuns<B>(runs: readonly CopyRun<B>[]): CopyRun<B>[] {
  const ids = new Map<B, number>();
  const id = (b: B): number => ids.get(b) ?? (ids.set(b, ids.size), ids.size - 1);
  const sorted = runs.filter((r) => r.length > 0 && (r.from !== r.to || r.fromOffset !== r.toOffset)).sort((a, b) => id(a.from) - id(b.from) || id(a.to) - id(b.to) || a.fromOffset - b.fromOffset);
  const merged: CopyRun<B>[] = [];
  for (const r of sorted) {
    const last = merged.at(-1);
    if (last && last.from === r.from && last.to === r.to && last.fromOffset + last.length === r.fromOffset && last.toOffset + last.length === r.toOffset) {
      merged[merged.length - 1] = { ...last, length: last.length + r.length };
    } else merged.push(r);
  }
  return merged;
}

/** The table one dispatch reads: a row [from, to, length, 0] per chunk of at most `chunk` elements. */
export function chunkTable(runs: readonly CopyRun<unknown>[], chunk = COPY_CHUNK): Uint32Array<ArrayBuffer> {
  const rows: number[] = [];
  for (const r of runs) {
    for (let at = 0; at < r.length; at += chunk) rows.push(r.fromOffset + at, r.toOffset + at, Math.min(chunk, r.length - at), 0);
  }
  return new Uint32Array(rows);
}

/** Most workgroups in one grid dimension (WebGPU's default limit). */
const MAX_GRID_X = 65535;

/** Bits are copied as u32, so f32 and i32 tensors alike. */
const COPY_WGSL = `
@group(0) @binding(0) var<storage, read> copy_from: array<u32>;
@group(0) @binding(1) var<storage, read_write> copy_to: array<u32>;
@group(0) @binding(2) var<storage, read> chunks: array<vec4<u32>>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let index = wid.x + wid.y * groups.x;
  if (index >= arrayLength(&chunks)) {
    return;
  }
  let c = chunks[index];
  for (var i = lid; i < c.z; i += 64u) {
    copy_to[c.y + i] = copy_from[c.x + i];
  }
}
`;

/** The copy pipeline, compiled once per device. */
const pipelines = new WeakMap<GPUDevice, GPUComputePipeline>();

/** The same copies, recorded again and again: one dispatch per buffer pair (see the file comment). */
export class BatchedCopy {
  private readonly groups: { readonly bindGroup: GPUBindGroup; readonly grid: readonly [number, number]; readonly table: GPUBuffer }[] = [];
  private readonly pipeline: GPUComputePipeline;
  /**
   * Runs within one buffer: neither a shader (one buffer bound to read and to write) nor
   * copyBufferToBuffer (source and destination must differ) may copy them directly, so they go
   * through `bounce`.
   */
  private readonly sameBuffer: CopyRun[];
  private readonly bounce: GPUBuffer | undefined;

  constructor(device: GPUDevice, runs: readonly CopyRun[]) {
    const merged = mergeRuns(runs);
    this.sameBuffer = merged.filter((r) => r.from === r.to);
    const longest = Math.max(0, ...this.sameBuffer.map((r) => r.length));
    this.bounce = longest > 0 ? device.createBuffer({ size: longest * 4, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, label: 'batched copy bounce' }) : undefined;
    let pipeline = pipelines.get(device);
    if (!pipeline) {
      pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code: COPY_WGSL, label: 'batched copy' }), entryPoint: 'main' } });
      pipelines.set(device, pipeline);
    }
    this.pipeline = pipeline;
    // mergeRuns sorts by buffer pair: each pair's runs are consecutive.
    const between = merged.filter((r) => r.from !== r.to);
    for (let start = 0; start < between.length;) {
      const { from, to } = between[start]!;
      let end = start;
      while (end < between.length && between[end]!.from === from && between[end]!.to === to) end++;
      const rows = chunkTable(between.slice(start, end));
      start = end;
      const table = device.createBuffer({ size: rows.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, label: 'batched copy table' });
      device.queue.writeBuffer(table, 0, rows);
      const count = rows.length / 4;
      const x = Math.min(count, MAX_GRID_X);
      const bindGroup = device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [{ binding: 0, resource: { buffer: from } }, { binding: 1, resource: { buffer: to } }, { binding: 2, resource: { buffer: table } }],
      });
      this.groups.push({ bindGroup, grid: [x, Math.ceil(count / x)], table });
    }
  }

  /** Records the copies into `encoder` (after whatever it holds). */
  encode(encoder: GPUCommandEncoder): void {
    if (this.groups.length > 0) {
      const pass = encoder.beginComputePass({ label: 'batched copy' });
      pass.setPipeline(this.pipeline);
      for (const g of this.groups) {
        pass.setBindGroup(0, g.bindGroup);
        pass.dispatchWorkgroups(g.grid[0], g.grid[1]);
      }
      pass.end();
    }
    for (const r of this.sameBuffer) {
      encoder.copyBufferToBuffer(r.from, r.fromOffset * 4, this.bounce!, 0, r.length * 4);
      encoder.copyBufferToBuffer(this.bounce!, 0, r.to, r.toOffset * 4, r.length * 4);
    }
  }

  /** Frees the tables. */
  destroy(): void {
    for (const g of this.groups) g.table.destroy();
    this.bounce?.destroy();
  }
}
