/**
 * Waiting for Dawn without spinning a core. While any of its promises is pending
 * (onSubmittedWorkDone, mapAsync), Dawn's Node binding ticks the device from the event loop,
 * queueing each next tick with the global `setImmediate`: one core is then busy polling, and on
 * a CPU adapter (lavapipe) the shader threads share what is left. FiberTiny's pre-training step
 * on the 2-core build machine took 620-640 ms awaited that way, against 330-350 ms with the
 * ticks spaced a millisecond apart (mean of 30 steps, alternated runs).
 *
 * So while a wait is in progress the global `setImmediate` queues its callback on a timer of
 * `intervalMs` instead, which spaces Dawn's ticks and leaves the cores to the shaders; a wait
 * then ends at most about that long after the work. Earlier, a session slept for a share of its
 * fastest run before awaiting (430 ms a step): a run slower than the fastest still polled
 * through its tail. The global is restored when the last wait in progress ends.
 */

/** Milliseconds between Dawn's ticks while waiting (Node's timers resolve about 1 ms). */
export const POLL_INTERVAL_MS = 1;

let waitsInProgress = 0;
let immediate: typeof setImmediate | undefined;

/** Counts the ticks queued while pacing (tests check that Dawn's polling goes through it). */
export const pacing = { ticks: 0 };

/** Awaits `wait()` with Dawn's polling spaced `intervalMs` apart (see the file comment). */
export async function pacedPolling<T>(wait: () => Promise<T>, intervalMs = POLL_INTERVAL_MS): Promise<T> {
  if (waitsInProgress++ === 0) {
    immediate = globalThis.setImmediate;
    const paced = (callback: (...args: unknown[]) => void, ...args: unknown[]): NodeJS.Timeout => {
      pacing.ticks++;
      return setTimeout(callback, intervalMs, ...args);
    };
    globalThis.setImmediate = paced as unknown as typeof setImmediate;
  }
  try {
    return await wait();
  } finally {
    if (--waitsInProgress === 0) globalThis.setImmediate = immediate!;
  }
}
