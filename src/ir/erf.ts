const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * The error function to full double precision. JavaScript has no Math.erf, and the usual
 * 1e-7 rational approximations are too coarse for a reference interpreter that finite
 * differences are checked against. Uses the all-positive series
 * erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n (2^n x^(2n+1)) / (1*3*...*(2n+1)),
 * which has no cancellation; beyond |x| = 6, erf is ±1 in double precision.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x);
  let term = ax;
  let sum = ax;
  const x2 = ax * ax;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return Math.sign(x) * TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}
