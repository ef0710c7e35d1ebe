/** Draws from a seeded generator (ir/init.ts, rng) for the synthetic corpus: the same seed, the same corpus. */

/** A uniformly chosen element of a non-empty list. */
export function pick<T>(random: () => number, xs: readonly T[]): T {
  return xs[Math.floor(random() * xs.length)]!;
}

/** A shuffled copy of a list (Fisher-Yates). */
export function shuffled<T>(random: () => number, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
