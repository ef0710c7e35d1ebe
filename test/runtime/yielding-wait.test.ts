import { describe, expect, it } from 'vitest';
import { SLEEP_SHARE, YieldingWait, type Clock } from '../../src/runtime/webgpu/yielding-wait.js';

/** A fake clock: time moves only when the waiter sleeps or the fake GPU works. */
function fakeClock(): Clock & { t: number; sleeps: number[] } {
  const c = { t: 0, sleeps: [] as number[], now: () => c.t, sleep: async (ms: number) => { c.sleeps.push(ms); c.t += ms; } };
  return c;
}

/** A flush that completes work submitted at `doneAt` on the fake clock (never earlier than now). */
const flushUntil = (c: { t: number }, doneAt: number) => async (): Promise<void> => {
  c.t = Math.max(c.t, doneAt);
};

describe('YieldingWait', () => {
  it('awaits at once until it has seen a run after the first, then sleeps through the expected share first', async () => {
    const clock = fakeClock();
    const w = new YieldingWait(true, clock);
    // The first run compiles the shaders: its time says nothing about the next ones.
    w.submitted(1);
    await w.wait(flushUntil(clock, 5000));
    w.submitted(1);
    await w.wait(flushUntil(clock, clock.t + 100));
    expect(clock.sleeps).toEqual([]);
    // Fastest run so far: 100 ms. Two runs submitted: sleep 2 * 100 * share, then wait.
    const start = clock.t;
    w.submitted(2);
    await w.wait(flushUntil(clock, start + 160));
    expect(clock.sleeps).toEqual([2 * 100 * SLEEP_SHARE]);
    expect(clock.t).toBe(start + 2 * 100 * SLEEP_SHARE);
    // That run took 85 ms per run: the next sleep is based on it.
    w.submitted(1);
    await w.wait(flushUntil(clock, clock.t + 85));
    expect(clock.sleeps[1]).toBeCloseTo(85 * SLEEP_SHARE, 9);
  });
  it('never sleeps when disabled, or for less than the timer resolution', async () => {
    const clock = fakeClock();
    const off = new YieldingWait(false, clock);
    for (let i = 0; i < 3; i++) {
      off.submitted(1);
      await off.wait(flushUntil(clock, clock.t + 50));
    }
    const short = new YieldingWait(true, clock);
    for (let i = 0; i < 3; i++) {
      short.submitted(1);
      await short.wait(flushUntil(clock, clock.t + 1));
    }
    expect(clock.sleeps).toEqual([]);
  });
});
