/// <reference types="@webgpu/types" />
import { describe, expect, it } from 'vitest';
import { BatchedCopy, chunkTable, COPY_CHUNK, mergeRuns, type CopyRun } from '../../src/runtime/webgpu/batched-copy.js';
import { gpu } from './gpu.js';

describe('copy runs', () => {
  it('merges runs that continue each other on both sides, whatever order they come in, and drops empty ones and those onto themselves', () => {
    const runs: CopyRun<string>[] = [
      { from: 'a', fromOffset: 8, to: 'b', toOffset: 108, length: 4 },
      { from: 'a', fromOffset: 0, to: 'b', toOffset: 100, length: 8 },
      { from: 'a', fromOffset: 12, to: 'b', toOffset: 200, length: 4 }, // source continues, target does not
      { from: 'a', fromOffset: 16, to: 'c', toOffset: 204, length: 4 }, // another target
      { from: 'a', fromOffset: 40, to: 'b', toOffset: 0, length: 0 },
      { from: 'b', fromOffset: 5, to: 'b', toOffset: 5, length: 3 },
    ];
    expect(mergeRuns(runs)).toEqual([
      { from: 'a', fromOffset: 0, to: 'b', toOffset: 100, length: 12 },
      { from: 'a', fromOffset: 12, to: 'b', toOffset: 200, length: 4 },
      { from: 'a', fromOffset: 16, to: 'c', toOffset: 204, length: 4 },
    ]);
  });

  it('splits long runs into chunks a workgroup each', () => {
    const table = chunkTable([{ from: 0, fromOffset: 10, to: 1, toOffset: 3, length: 2 * COPY_CHUNK + 5 }, { from: 0, fromOffset: 0, to: 1, toOffset: 0, length: 3 }]);
    expect(Array.from(table)).toEqual([
      10, 3, COPY_CHUNK, 0,
      10 + COPY_CHUNK, 3 + COPY_CHUNK, COPY_CHUNK, 0,
      10 + 2 * COPY_CHUNK, 3 + 2 * COPY_CHUNK, 5, 0,
      0, 0, 3, 0,
    ]);
  });
});

describe('BatchedCopy on the adapter', () => {
  it('copies every run between buffer pairs and within a buffer, leaving the rest of each target as it was', async () => {
    const device = (await gpu()).device;
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const size = 3 * COPY_CHUNK;
    const make = (seed: number): { buffer: GPUBuffer; data: Uint32Array } => {
      // Bit patterns of floats and ints alike: the copy must move bits, not values.
      const data = Uint32Array.from({ length: size }, (_, i) => (Math.imul(i + 1, 2654435761) ^ seed) >>> 0);
      const buffer = device.createBuffer({ size: size * 4, usage });
      device.queue.writeBuffer(buffer, 0, data);
      return { buffer, data };
    };
    const [a, b, c] = [make(1), make(2), make(3)];
    const runs: CopyRun[] = [
      { from: a.buffer, fromOffset: 5, to: b.buffer, toOffset: 100, length: COPY_CHUNK + 17 }, // two chunks
      { from: a.buffer, fromOffset: 5 + COPY_CHUNK + 17, to: b.buffer, toOffset: 100 + COPY_CHUNK + 17, length: 3 }, // merges with the first
      { from: a.buffer, fromOffset: 0, to: c.buffer, toOffset: size - 4, length: 4 },
      { from: c.buffer, fromOffset: 0, to: b.buffer, toOffset: 0, length: 64 },
      { from: c.buffer, fromOffset: 64, to: c.buffer, toOffset: 2 * COPY_CHUNK, length: 32 }, // within one buffer
    ];
    const expected = [b.data.slice(), c.data.slice()];
    const source = new Map([[a.buffer, a.data], [b.buffer, b.data], [c.buffer, c.data]]);
    const target = new Map([[b.buffer, expected[0]!], [c.buffer, expected[1]!]]);
    for (const r of runs) target.get(r.to)!.set(source.get(r.from)!.subarray(r.fromOffset, r.fromOffset + r.length), r.toOffset);

    const copy = new BatchedCopy(device, runs);
    const encoder = device.createCommandEncoder();
    copy.encode(encoder);
    const staging = [b, c].map(({ buffer }) => {
      const s = device.createBuffer({ size: size * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      encoder.copyBufferToBuffer(buffer, 0, s, 0, size * 4);
      return s;
    });
    device.queue.submit([encoder.finish()]);
    const got = await Promise.all(staging.map(async (s) => {
      await s.mapAsync(GPUMapMode.READ);
      const out = new Uint32Array(s.getMappedRange().slice(0));
      s.unmap();
      s.destroy();
      return out;
    }));
    copy.destroy();
    for (const x of [a, b, c]) x.buffer.destroy();
    // The first element that differs from what the runs copied, in each target (-1: none).
    const firstDiff = (x: Uint32Array, y: Uint32Array): number => x.findIndex((v, i) => v !== y[i]);
    expect([firstDiff(got[0]!, expected[0]!), firstDiff(got[1]!, expected[1]!)]).toEqual([-1, -1]);
  });
});
