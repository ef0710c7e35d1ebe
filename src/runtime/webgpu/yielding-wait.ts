import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waiting for submitted work without spinning a core. While any of its promises is pending
 * (onSubmittedWorkDone, mapAsync), Dawn's Node binding polls the device from the event loop
 * again and again, keeping one core busy; on a CPU adapter (lavapipe) the shader threads then
 * share what is left. Measured on the 2-core build machine, the FIBER-B text layer's
 * cross-attention key projection: 12.1 ms awaited right after submission, 6.4 ms when the
 * process slept first (timestamp queries, median of 15).
 *
 * So a session sleeps before it waits, for a share of the fastest time per run it has seen
 * (not counting the first run, which compiles the shaders: taken as the estimate, it made the
 * next runs of the FIBER-B image block at batch 8 sleep seconds past their work); the tail is
 * awaited as before. A sleep that ends early costs nothing; one that overshoots the work adds
 * latency, which the share and taking the fastest run keep from happening in steady state.
 */
export class YieldingWait {
  /** Submission time and run count of the work not yet waited for. */
  private pending: { at: number; runs: number } | undefined;
  /** Fastest observed submission-to-completion time per run (ms). */
  private fastest = Infinity;
  /** Waits so far: the first one's time includes compiling the shaders and is not used. */
  private waits = 0;

  /** `clock` supplies the time and the sleep (tests pass a fake one). */
  constructor(
    private readonly enabled: boolean,
    private readonly clock: Clock = { now: () => performance.now(), sleep: (ms) => sleep(ms).then(() => undefined) },
  ) {}

  /** Records that `runs` runs of work were just submitted. */
  submitted(runs: number): void {
    this.pending = this.pending ? { at: this.pending.at, runs: this.pending.runs + runs } : { at: this.clock.now(), runs };
  }

  /** Sleeps for the expected share of the pending work, then waits with `flush`. */
  async wait(flush: () => Promise<void>): Promise<void> {
    const p = this.pending;
    if (p && this.enabled && Number.isFinite(this.fastest)) {
      const ahead = p.runs * this.fastest * SLEEP_SHARE - (this.clock.now() - p.at);
      if (ahead >= MIN_SLEEP_MS) await this.clock.sleep(ahead);
    }
    await flush();
    if (p && this.waits++ > 0) this.fastest = Math.min(this.fastest, (this.clock.now() - p.at) / p.runs);
    this.pending = undefined;
  }
}

/** Where YieldingWait reads the time (ms) and sleeps. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/**
 * Share of the expected time slept before waiting. 0.95 measured no better and noisier than
 * 0.85 (FIBER-B image block, two bench runs each: 98 and 104 ms vs 88 and 98 ms).
 */
export const SLEEP_SHARE = 0.85;
/** Shorter sleeps are skipped (timer granularity is about a millisecond). */
const MIN_SLEEP_MS = 2;
