/**
 * WGSL helper functions a kernel may need, emitted only when used. Each is the WGSL
 * rendering of the interpreter's definition (src/ir/interpret.ts).
 */
export const WGSL_HELPERS: Readonly<Record<string, string>> = {
  // Abramowitz & Stegun 7.1.26: |error| < 1.5e-7, below f32 resolution of erf's range.
  fib_erf: `fn fib_erf(x: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-x * x);
  return select(-y, y, x >= 0.0);
}`,
  // tanh of a large argument overflows exp inside some implementations: clamp first.
  fib_tanh: `fn fib_tanh(x: f32) -> f32 {
  return tanh(clamp(x, -20.0, 20.0));
}`,
  // Floor division and modulo of i32, as the interpreter (and Python) define them.
  fib_idiv: `fn fib_idiv(a: i32, b: i32) -> i32 {
  let q = a / b;
  return select(q, q - 1, (a % b != 0) && ((a < 0) != (b < 0)));
}`,
  fib_imod: `fn fib_imod(a: i32, b: i32) -> i32 {
  let r = a % b;
  return select(r, r + b, r != 0 && ((r < 0) != (b < 0)));
}`,
};

/**
 * `let` statements decomposing the row-major index `flat` over `sizes` into one variable per
 * axis (`names[i]`): axes of size 1 get none, except those named in `always` (declared 0).
 */
export function flatIndexLets(sizes: readonly number[], names: readonly string[], always: ReadonlySet<string> = new Set()): string[] {
  const lines: string[] = [];
  let stride = 1;
  for (let i = sizes.length - 1; i >= 0; i--) {
    if (sizes[i]! > 1) lines.unshift(`let ${names[i]} = ${stride === 1 ? 'flat' : `flat / ${stride}`}${i > 0 ? ` % ${sizes[i]}` : ''};`);
    else if (always.has(names[i]!)) lines.unshift(`let ${names[i]} = 0;`);
    stride *= sizes[i]!;
  }
  return lines;
}
