import { describe, expect, it } from 'vitest';
import { pacedPolling, pacing } from '../../src/runtime/webgpu/paced-polling.js';

/** A promise settled by a callback queued with the global setImmediate, as Dawn's binding queues its ticks. */
const viaImmediate = <T>(value: T, fail = false): Promise<T> =>
  new Promise((resolve, reject) => globalThis.setImmediate(() => (fail ? reject(new Error('lost')) : resolve(value))));

describe('pacedPolling', () => {
  it('queues setImmediate callbacks on a timer while waits are in progress, nested or not, and restores it after', async () => {
    const original = globalThis.setImmediate;
    const ticks = pacing.ticks;
    const inner = await pacedPolling(async () => {
      expect(globalThis.setImmediate).not.toBe(original);
      const nested = await pacedPolling(() => viaImmediate(2));
      // The inner wait ended, the outer one is still in progress: still paced.
      expect(globalThis.setImmediate).not.toBe(original);
      return nested + (await viaImmediate(1));
    });
    expect(inner).toBe(3);
    expect(pacing.ticks - ticks).toBe(2);
    expect(globalThis.setImmediate).toBe(original);
  });
  it('restores setImmediate when the wait fails', async () => {
    const original = globalThis.setImmediate;
    await expect(pacedPolling(() => viaImmediate(0, true))).rejects.toThrow('lost');
    expect(globalThis.setImmediate).toBe(original);
  });
});
