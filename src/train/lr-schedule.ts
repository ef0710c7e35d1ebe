/**
 * FIBER's learning-rate schedule (Hugging Face's get_polynomial_decay_schedule_with_warmup
 * with power 1): linear warmup from 0 over the first `warmup` steps, then linear decay to
 * `end` at `total` steps.
 */
export interface LrSchedule {
  readonly peak: number;
  readonly total: number;
  readonly warmup: number;
  readonly end?: number;
}

/** The learning rate of step `step` (1-based: the first update uses step 1). */
export function learningRate(s: LrSchedule, step: number): number {
  const end = s.end ?? 0;
  if (step <= s.warmup) return (s.peak * step) / Math.max(1, s.warmup);
  if (step >= s.total) return end;
  return end + ((s.peak - end) * (s.total - step)) / Math.max(1, s.total - s.warmup);
}
